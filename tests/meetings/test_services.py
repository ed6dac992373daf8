"""Meetings through the services, on SQLite and PostgreSQL: notice in clear days, short-notice
consent, proxies (deadline, limit, revocation), quorum with proxies, an inquorate meeting
adjourned, votes only by those present and only once, the statutory two-meeting window."""

from __future__ import annotations

from datetime import timedelta

import pytest

from coopkit.extensions import db
from tests.meetings.conftest import at_uk_noon, run
from tests.meetings.helpers import act, call, first_item, present, start, starts
from tests.proposals.conftest import counts


def _err():
    from coopkit.meetings.services import MeetingError

    return MeetingError


def test_a_date_inside_the_clear_days_is_refused_and_the_first_day_outside_is_accepted(app, assembly):
    from coopkit.meetings.models import Meeting

    with pytest.raises(_err(), match="14 clear days"):
        call(app, assembly, days=15 - 1)   # sent today, meeting in 14 days: only 13 clear days
    assert counts(app, Meeting) == (0,)    # nothing kept: the create and the notice are one action
    meeting_id = call(app, assembly, days=15)   # 14 clear days between
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        assert meeting.state == "called" and meeting.notice_clear_days == 14 and not meeting.short_notice
        assert meeting.entitled == 7 and meeting.proxies_allowed and meeting.proxy_limit == 1


def test_short_notice_needs_the_rules_percentage_of_consents_before_it_can_start(app, assembly):
    from coopkit.meetings import proxies

    meeting_id = call(app, assembly, days=3, short_notice=True)
    everyone = [assembly.secretary] + [u for u, _ in assembly.people]
    present(app, assembly, meeting_id, [assembly.secretary_member, assembly.member(1), assembly.member(2),
                                        assembly.member(3)])
    for user in everyone[:6]:   # 90% of 7 is 6.3: seven are needed
        act(app, assembly, meeting_id, lambda m, c, u: proxies.consent_to_short_notice(m, c, u), as_user=user)
    with pytest.raises(_err(), match="6 of the 7 members needed have agreed"):
        start(app, assembly, meeting_id)
    with pytest.raises(_err(), match="already agreed"):
        act(app, assembly, meeting_id, lambda m, c, u: proxies.consent_to_short_notice(m, c, u),
            as_user=everyone[0])
    act(app, assembly, meeting_id, lambda m, c, u: proxies.consent_to_short_notice(m, c, u), as_user=everyone[6])
    here = start(app, assembly, meeting_id)
    assert here.total == 4


def test_proxy_deadline_limit_and_revocation(app, assembly):
    from coopkit.meetings import proxies
    from coopkit.meetings.models import Proxy

    meeting_id = call(app, assembly, days=20)
    amy, bo, cy = assembly.member(1), assembly.member(2), assembly.member(3)
    def appoint(holder, now=None):
        return (lambda m, c, u: proxies.appoint_proxy(m, c, u, holder.id, now=now))
    act(app, assembly, meeting_id, appoint(amy), as_user=assembly.user(2))     # Bo -> Amy
    with pytest.raises(_err(), match="the most the rules allow"):
        act(app, assembly, meeting_id, appoint(amy), as_user=assembly.user(3))  # Cy -> Amy: over the limit of 1
    with pytest.raises(_err(), match="already appointed a proxy"):
        act(app, assembly, meeting_id, appoint(cy), as_user=assembly.user(2))
    with pytest.raises(_err(), match="own proxy"):
        act(app, assembly, meeting_id, appoint(bo), as_user=assembly.user(2))
    late = starts(app, meeting_id) - timedelta(hours=47)
    with pytest.raises(_err(), match="too late"):
        act(app, assembly, meeting_id, appoint(bo, late), as_user=assembly.user(3))
    assert counts(app, Proxy) == (1,)
    act(app, assembly, meeting_id, lambda m, c, u: proxies.revoke_proxy(m, c, u), as_user=assembly.user(2))
    act(app, assembly, meeting_id, appoint(amy), as_user=assembly.user(3))     # Amy is free again
    with app.app_context():
        rows = db.session.query(Proxy).order_by(Proxy.id).all()
        assert [(r.member_id, r.holder_member_id, r.revoked_at is not None) for r in rows] == [
            (bo.id, amy.id, True), (cy.id, amy.id, False)]


def test_proxies_count_towards_quorum_and_an_inquorate_meeting_is_adjourned(app, assembly):
    from coopkit.meetings import conduct, proxies
    from coopkit.meetings.models import Meeting

    meeting_id = call(app, assembly, days=20)
    amy, _bo, cy = assembly.member(1), assembly.member(2), assembly.member(3)
    act(app, assembly, meeting_id, lambda m, c, u: proxies.appoint_proxy(m, c, u, amy.id), as_user=assembly.user(2))
    present(app, assembly, meeting_id, [assembly.secretary_member, amy])
    with pytest.raises(_err(), match="Not quorate: 3 present or represented, 4 needed"):
        start(app, assembly, meeting_id)
    present(app, assembly, meeting_id, [cy], status="online")
    here = start(app, assembly, meeting_id)
    assert (here.present, len(here.represented), here.total) == (3, 1, 4)
    with app.app_context():
        assert db.session.get(Meeting, meeting_id).quorum_needed == 4

    second = call(app, assembly, days=22)
    present(app, assembly, second, [assembly.secretary_member])
    at = starts(app, second) + timedelta(minutes=31)
    later = act(app, assembly, second, lambda m, c, u: conduct.adjourn_meeting(m, c, u, now=at, send=False).id)
    with app.app_context():
        old, new = db.session.get(Meeting, second), db.session.get(Meeting, later)
        assert old.state == "adjourned" and "No quorum" in old.adjourned_reason
        assert new.adjourned_from_id == old.id and new.state == "called"
        assert new.starts_at - old.starts_at == timedelta(days=7)


def test_only_members_present_vote_in_a_poll_and_only_once(app, assembly):
    from coopkit.meetings import conduct
    from coopkit.meetings.models import MeetingBallot, MeetingBallotBox, MeetingVoter

    meeting_id = call(app, assembly, days=20)
    amy, bo = assembly.member(1), assembly.member(2)
    present(app, assembly, meeting_id, [assembly.secretary_member, amy, bo, assembly.member(3)])
    start(app, assembly, meeting_id)
    item_id = first_item(app, meeting_id)

    def on_item(fn):
        from coopkit.meetings.models import AgendaItem

        return lambda m, c, u: fn(db.session.get(AgendaItem, item_id), m, c, u)

    act(app, assembly, meeting_id, on_item(lambda i, m, c, u: conduct.open_poll(i, m, c, u, secret=True)))
    act(app, assembly, meeting_id, on_item(lambda i, m, c, u: conduct.cast_poll_vote(i, m, c, u, "for")),
        as_user=assembly.user(1))
    with pytest.raises(_err(), match="each member votes once"):
        act(app, assembly, meeting_id, on_item(lambda i, m, c, u: conduct.cast_poll_vote(i, m, c, u, "against")),
            as_user=assembly.user(1))
    with pytest.raises(_err(), match="Only members present"):   # Ed is not at the meeting
        act(app, assembly, meeting_id, on_item(lambda i, m, c, u: conduct.cast_poll_vote(i, m, c, u, "for")),
            as_user=assembly.user(5))
    assert counts(app, MeetingVoter, MeetingBallot, MeetingBallotBox) == (1, 0, 1)   # sealed while the poll is open
    act(app, assembly, meeting_id, on_item(lambda i, m, c, u: conduct.cast_poll_vote(i, m, c, u, "against")),
        as_user=assembly.user(2))
    act(app, assembly, meeting_id, on_item(lambda i, m, c, u: conduct.cast_poll_vote(i, m, c, u, "for")),
        as_user=assembly.secretary)
    result = act(app, assembly, meeting_id, on_item(lambda i, m, c, u: conduct.close_poll(i, m, c, u)))
    assert result.passed and (result.count.votes_for, result.count.against) == (2, 1)
    assert counts(app, MeetingVoter, MeetingBallot, MeetingBallotBox) == (3, 3, 0)   # opened at close
    with app.app_context():
        assert {b.member_id for b in db.session.query(MeetingBallot)} == {None}   # secret: no member on a ballot
    with pytest.raises(_err(), match="No poll is open"):
        act(app, assembly, meeting_id, on_item(lambda i, m, c, u: conduct.cast_poll_vote(i, m, c, u, "for")),
            as_user=assembly.user(3))


def test_a_show_of_hands_cannot_count_more_than_are_present_and_a_second_vote_is_refused(app, assembly):
    from coopkit.meetings import conduct
    from coopkit.meetings.models import AgendaItem

    meeting_id = call(app, assembly, days=20)
    present(app, assembly, meeting_id, [assembly.secretary_member, assembly.member(1), assembly.member(2),
                                        assembly.member(3)])
    start(app, assembly, meeting_id)
    item_id = first_item(app, meeting_id)
    def hands(f, a, ab=0):
        return (lambda m, c, u: conduct.record_hands(db.session.get(AgendaItem, item_id), m, c, u,
                                                                          f, a, ab))
    with pytest.raises(_err(), match="only 4 members present or represented"):
        act(app, assembly, meeting_id, hands(4, 1))
    result = act(app, assembly, meeting_id, hands(3, 1))
    assert result.passed
    with pytest.raises(_err(), match="already been voted on"):
        act(app, assembly, meeting_id, hands(0, 4))
    with app.app_context():
        item = db.session.get(AgendaItem, item_id)
        assert (item.votes_for, item.votes_against, item.outcome) == (3, 1, "passed")
        assert item.result["clause"].startswith("Rule ") and "ordinary resolution" in item.result["clause"]


def test_a_quorum_lost_during_the_meeting_stops_the_vote(app, assembly):
    from coopkit.meetings import attendance, conduct
    from coopkit.meetings.models import AgendaItem

    meeting_id = call(app, assembly, days=20)
    present(app, assembly, meeting_id, [assembly.secretary_member, assembly.member(1), assembly.member(2),
                                        assembly.member(3)])
    start(app, assembly, meeting_id)
    act(app, assembly, meeting_id, lambda m, c, u: attendance.mark_left(m, c, u, assembly.member(3).id))
    item_id = first_item(app, meeting_id)
    with pytest.raises(_err(), match="no longer quorate: 3 present or represented, 4 needed"):
        act(app, assembly, meeting_id, lambda m, c, u: conduct.record_hands(
            db.session.get(AgendaItem, item_id), m, c, u, 3, 0))


def test_statutory_special_resolution_is_confirmed_only_14_days_to_a_month_later(app, assembly):
    from coopkit.meetings import agenda, conduct, services
    from coopkit.meetings.models import AgendaItem

    first = call(app, assembly, days=20, items=[dict(
        title="Transfer of engagements", item_type="resolution", kind="statutory_special", purpose="transfer",
        resolution_text="That the society transfers its engagements to Lancashire Digital Co-operative Limited.")])
    present(app, assembly, first, [assembly.secretary_member, assembly.member(1), assembly.member(2),
                                   assembly.member(3)])
    start(app, assembly, first)
    item_id = first_item(app, first)
    result = act(app, assembly, first, lambda m, c, u: conduct.record_hands(
        db.session.get(AgendaItem, item_id), m, c, u, 2, 1))
    assert result.passed   # 2 of 3 votes cast is two thirds
    act(app, assembly, first, lambda m, c, u: conduct.close_meeting(m, c, u))

    def second(days):
        def go(coop_of, user_of):
            coop, user = coop_of(assembly.coop.id), user_of(assembly.secretary.id)
            meeting = services.create_meeting(coop, user, services.MeetingDraft(
                title="Confirming meeting", starts_at=at_uk_noon(days), place="The office", mode="in_person"))
            agenda.add_item(meeting, coop, user, agenda.ItemDraft(
                title="Confirm the transfer", item_type="resolution", kind="statutory_confirmation",
                confirms_item_id=item_id))
            return meeting.id
        return run(app, go)

    with pytest.raises(_err(), match="14 days to one month after"):
        second(20 + 13)
    with pytest.raises(_err(), match="14 days to one month after"):
        second(20 + 32)
    confirming = second(20 + 14)
    with app.app_context():
        item = db.session.query(AgendaItem).filter_by(meeting_id=confirming).one()
        assert item.resolution_text.startswith("That the society transfers") and item.purpose == "transfer"


def test_statutory_special_and_audit_exemption_are_counted_as_the_rules_kinds_say(app, assembly):
    from coopkit.coops.models import Member  # noqa: F401  (the app's models are loaded
    from coopkit.meetings import kinds, procedure

    with app.app_context():
        from coopkit.coops.models import Coop

        coop = db.session.get(Coop, assembly.coop.id)
        statutory, citation = kinds.counting_for(coop, "statutory_special")
        assert citation.startswith("Rule ") and "two thirds" in citation
        audit, audit_citation = kinds.counting_for(coop, "audit_exemption")
        assert audit_citation.startswith("Rule ") and "fewer than 20% of votes cast" in audit_citation
        confirm, confirm_citation = kinds.counting_for(coop, "statutory_confirmation")
        assert "14 days to 1 month" in confirm_citation
    assert not procedure.count_vote(statutory, procedure.Count(5, 3), members=10).passed
    assert procedure.count_vote(statutory, procedure.Count(6, 3), members=10).passed
    result = procedure.count_vote(audit, procedure.Count(6, 4), members=10)
    assert not result.passed and "20%" in result.reason     # the 6 to 4
    assert procedure.count_vote(audit, procedure.Count(19, 1), members=30).passed
    result = procedure.count_vote(audit, procedure.Count(27, 3), members=30)
    assert not result.passed and "10%" in result.reason     # under 20% of votes cast, but 10% of members
    assert procedure.count_vote(confirm, procedure.Count(3, 2), members=10).passed
    assert not procedure.count_vote(confirm, procedure.Count(2, 2), members=10).passed


def test_a_company_has_no_statutory_special_resolution_at_its_meetings(app, make):
    from tests.meetings.conftest import answers, build_assembly

    company = answers()
    company["legal_form"] = {"wants_member_shares": "no", "wants_model_rules": "yes", "legal_form": "company"}
    asm = build_assembly(app, make, slug="company-meeting", rule_answers=company)
    with pytest.raises(_err(), match="no statutory special resolution"):
        call(app, asm, items=[dict(title="Merge", item_type="resolution", kind="statutory_special",
                                   purpose="amalgamation", resolution_text="That we merge.")])


def test_online_attendance_only_where_the_rules_allow_it(app, make):
    from tests.meetings.conftest import answers, build_assembly

    asm = build_assembly(app, make, slug="no-online", rule_answers=answers(electronic_meetings="no"))
    with pytest.raises(_err(), match="do not allow members to take part electronically"):
        call(app, asm, mode="hybrid")
    meeting_id = call(app, asm, mode="in_person")
    with pytest.raises(_err(), match="in person only"):
        present(app, asm, meeting_id, [asm.member(1)], status="online")


def test_a_requisition_can_be_called_once_enough_members_have_asked(app, assembly):
    from coopkit.meetings import agenda, services
    from coopkit.meetings.models import Meeting

    def ask(coop_of, user_of):
        coop, user = coop_of(assembly.coop.id), user_of(assembly.user(1).id)
        meeting = services.create_meeting(coop, user, services.MeetingDraft(
            title="Requisitioned meeting", starts_at=at_uk_noon(40), place="The office", mode="in_person",
            requisition_text="To discuss the pay policy."), requisition=True)
        return meeting.id

    meeting_id = run(app, ask)
    with app.app_context():
        assert db.session.get(Meeting, meeting_id).called_by == "requisition"
    # the secretary adds the business; the rules need max(2, a tenth of 7) = 2 names, only Amy's is on it
    act(app, assembly, meeting_id, lambda m, c, u: agenda.add_item(m, c, u, agenda.ItemDraft(
        title="Pay policy", item_type="business")))
    with pytest.raises(_err(), match="1 of the 2 members"):
        act(app, assembly, meeting_id, lambda m, c, u: services.send_notice(m, c, u, send=False))
    act(app, assembly, meeting_id, lambda m, c, u: services.support_requisition(m, c, u), as_user=assembly.user(2))
    with pytest.raises(_err(), match="already asked"):
        act(app, assembly, meeting_id, lambda m, c, u: services.support_requisition(m, c, u),
            as_user=assembly.user(2))
    assert act(app, assembly, meeting_id, lambda m, c, u: services.send_notice(m, c, u, send=False)) == 7
