"""Expulsion, admission and election of directors at a general meeting, through the services:
the protections the rules give the member concerned, the vote, and what the register records."""

from __future__ import annotations

import json
from datetime import date

import pytest
import sqlalchemy as sa

from coopkit.extensions import db
from tests.meetings.helpers import act, present, start
from tests.meetings.member_helpers import (
    add_member_item,
    audit_actions,
    board_assembly,
    days_ago,
    draft_meeting,
    member_row,
    on_item,
    send_notice,
)


def _err():
    from coopkit.meetings.common import MeetingError

    return MeetingError


def _counts(app, *models):
    with app.app_context():
        try:
            return tuple(db.session.execute(sa.select(sa.func.count()).select_from(m)).scalar_one() for m in models)
        finally:
            db.session.remove()


@pytest.fixture()
def board(app, make):
    return board_assembly(app, make)


def _expulsion_meeting(app, asm, notified_days_ago: int = 0):
    meeting_id = draft_meeting(app, asm, days=20)
    return meeting_id, add_member_item(app, asm, meeting_id, kind="expulsion", subject_member_id=asm.member(1).id,
                                       reasons="Took the co-op's client list to a competitor.",
                                       notified_on=days_ago(notified_days_ago))


def test_an_expulsion_protects_the_member_and_ceases_their_membership_citing_the_meeting(app, board):
    from coopkit.meetings import conduct, memberitems, proxies

    amy, ed = board.member(1), board.member(5)
    meeting_id, item_id = _expulsion_meeting(app, board)
    send_notice(app, board, meeting_id)
    # Ed appoints Amy (the member facing expulsion) as his proxy before the meeting
    act(app, board, meeting_id, lambda m, c, u: proxies.appoint_proxy(m, c, u, amy.id), as_user=board.user(5))
    present(app, board, meeting_id, [board.secretary_member, amy, board.member(2), board.member(3),
                                     board.member(4)])
    start(app, board, meeting_id)
    with pytest.raises(_err(), match="reply"):
        act(app, board, meeting_id, on_item(item_id, lambda i, m, c, u: conduct.record_hands(i, m, c, u, 4, 0)))
    with pytest.raises(_err(), match="paste the member's reply or tick"):
        act(app, board, meeting_id, on_item(item_id, lambda i, m, c, u: memberitems.record_reply(
            i, m, c, u, "I did not.", none_given=True)))
    act(app, board, meeting_id, on_item(item_id, lambda i, m, c, u: memberitems.record_reply(
        i, m, c, u, "I shared the list with the co-op's agreement.")))
    with pytest.raises(_err(), match="right to be heard"):
        act(app, board, meeting_id, on_item(item_id, lambda i, m, c, u: conduct.open_poll(i, m, c, u)))
    act(app, board, meeting_id, on_item(item_id, lambda i, m, c, u: memberitems.record_hearing(i, m, c, u, "spoke")))
    # 6 present or represented, but Amy and Ed's proxy (held by Amy) may not vote: at most 4 hands
    with pytest.raises(_err(), match="only 4 members present or represented may vote"):
        act(app, board, meeting_id, on_item(item_id, lambda i, m, c, u: conduct.record_hands(i, m, c, u, 5, 0)))
    act(app, board, meeting_id, on_item(item_id, lambda i, m, c, u: conduct.open_poll(i, m, c, u)))
    for who, for_member in ((board.user(1), None), (board.user(1), ed.id)):
        with pytest.raises(_err(), match="does not vote on it"):
            act(app, board, meeting_id, on_item(item_id, lambda i, m, c, u, f=for_member: conduct.cast_poll_vote(
                i, m, c, u, "against", for_member_id=f)), as_user=who)
    for n in (2, 3, 4):
        act(app, board, meeting_id, on_item(item_id, lambda i, m, c, u: conduct.cast_poll_vote(i, m, c, u, "for")),
            as_user=board.user(n))
    result = act(app, board, meeting_id, on_item(item_id, lambda i, m, c, u: conduct.close_poll(i, m, c, u)))
    assert result.passed   # 3 of 3 votes cast (75% of votes cast needed)
    row = member_row(app, amy.id)
    assert (row.status, row.ceased_reason) == ("ceased", "expelled")
    with app.app_context():
        from coopkit.audit.models import AuditEvent
        from coopkit.meetings.models import AgendaItem

        ceased = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "member.ceased")).scalar_one()
        assert json.loads(ceased.data)["by_proposal_id"] == -item_id
        item = db.session.get(AgendaItem, item_id)
        assert "ceased (expelled)" in item.result["register"] and item.result["clause"].startswith("Rule ")
        db.session.remove()
    actions = audit_actions(app, board.coop.id)
    for action in ("meeting.item_added", "meeting.subject_reply", "meeting.subject_heard", "meeting.vote_recorded",
                   "member.ceased"):
        assert action in actions


def test_an_expulsion_needs_the_rules_notice_to_the_member_before_the_meeting(app, make):
    asm = board_assembly(app, make, expulsion_notice_days=21)
    meeting_id = draft_meeting(app, asm, days=20)
    with pytest.raises(_err(), match="at least 21 clear days before the meeting"):
        add_member_item(app, asm, meeting_id, kind="expulsion", subject_member_id=asm.member(1).id,
                        reasons="Persistent failure to attend.", notified_on=days_ago(0))
    with pytest.raises(_err(), match="Give the reasons"):
        add_member_item(app, asm, meeting_id, kind="expulsion", subject_member_id=asm.member(1).id,
                        reasons="  ", notified_on=days_ago(5))
    with pytest.raises(_err(), match="Choose the member"):
        add_member_item(app, asm, meeting_id, kind="expulsion", subject_member_id=999999, reasons="x",
                        notified_on=days_ago(5))
    from coopkit.meetings.models import AgendaItem

    assert _counts(app, AgendaItem) == (0,)
    add_member_item(app, asm, meeting_id, kind="expulsion", subject_member_id=asm.member(1).id,
                    reasons="Persistent failure to attend.", notified_on=days_ago(2))
    with pytest.raises(_err(), match="already on this agenda"):
        add_member_item(app, asm, meeting_id, kind="expulsion", subject_member_id=asm.member(1).id,
                        reasons="Again.", notified_on=days_ago(2))


def test_admission_by_the_members_admits_the_applicant_citing_the_meeting(app, make, board):
    from coopkit.meetings import conduct

    applicant = make.member(board.coop, status="applicant", name="Pat Applicant")
    meeting_id = draft_meeting(app, board, days=20)
    with pytest.raises(_err(), match="not an applicant"):
        add_member_item(app, board, meeting_id, kind="admission", subject_member_id=board.member(2).id)
    item_id = add_member_item(app, board, meeting_id, kind="admission", subject_member_id=applicant.id)
    send_notice(app, board, meeting_id)
    present(app, board, meeting_id, [board.secretary_member, board.member(1), board.member(2), board.member(3)])
    start(app, board, meeting_id)
    act(app, board, meeting_id, on_item(item_id, lambda i, m, c, u: conduct.record_hands(i, m, c, u, 3, 1)))
    with pytest.raises(_err(), match="already been voted on"):
        act(app, board, meeting_id, on_item(item_id, lambda i, m, c, u: conduct.record_hands(i, m, c, u, 4, 0)))
    row = member_row(app, applicant.id)
    assert (row.status, row.admitted_by_proposal_id) == ("member", -item_id)


def test_admission_by_the_directors_is_not_a_meeting_item(app, make):
    asm = board_assembly(app, make, admission_by="directors")
    meeting_id = draft_meeting(app, asm, days=20)
    with pytest.raises(_err(), match="provide no admission of a member"):
        add_member_item(app, asm, meeting_id, kind="admission", subject_member_id=asm.member(1).id)


def _election(app, asm, seats=2, nominees=(1, 2, 3)):
    from coopkit.meetings import memberitems

    meeting_id = draft_meeting(app, asm, days=20)
    item_id = add_member_item(app, asm, meeting_id, kind="election", seats=seats, secret=True)
    for n in nominees:
        act(app, asm, meeting_id, on_item(item_id, lambda i, m, c, u, n=n: memberitems.nominate(
            i, m, c, u, asm.member(n).id, days_ago(1))))
    return meeting_id, item_id


@pytest.mark.parametrize("legal_form", ["society", "company"])
def test_an_election_by_secret_ranked_ballot_records_the_directors_with_their_term(app, make, legal_form):
    from coopkit.coops.models import Officer
    from coopkit.meetings import conduct, memberitems
    from coopkit.meetings.models import MeetingBallotBox, MeetingRanking

    asm = board_assembly(app, make, legal_form)
    meeting_id, item_id = _election(app, asm)
    with pytest.raises(_err(), match="already a candidate"):
        act(app, asm, meeting_id, on_item(item_id, lambda i, m, c, u: memberitems.nominate(
            i, m, c, u, asm.member(1).id, days_ago(1))))
    with pytest.raises(_err(), match="came too late"):
        act(app, asm, meeting_id, on_item(item_id, lambda i, m, c, u: memberitems.nominate(
            i, m, c, u, asm.member(4).id, days_ago(-17), today=days_ago(-17))))   # 3 days before the meeting
    with pytest.raises(_err(), match="from 1 to 3"):
        add_member_item(app, asm, draft_meeting(app, asm, days=30), kind="election", seats=4)
    send_notice(app, asm, meeting_id)
    voters = [asm.secretary_member, asm.member(1), asm.member(2), asm.member(3), asm.member(4)]
    present(app, asm, meeting_id, voters)
    start(app, asm, meeting_id)
    with pytest.raises(_err(), match="ranked ballot"):
        act(app, asm, meeting_id, on_item(item_id, lambda i, m, c, u: conduct.record_hands(i, m, c, u, 3, 0)))
    act(app, asm, meeting_id, on_item(item_id, lambda i, m, c, u: conduct.open_poll(i, m, c, u)))
    with pytest.raises(_err(), match="Rank the candidates"):
        act(app, asm, meeting_id, on_item(item_id, lambda i, m, c, u: conduct.cast_poll_vote(i, m, c, u, "for")))
    with pytest.raises(_err(), match="only one place"):
        act(app, asm, meeting_id, on_item(item_id, lambda i, m, c, u: conduct.cast_ranking(i, m, c, u, [0, 0])))
    with pytest.raises(_err(), match="not on this ballot"):
        act(app, asm, meeting_id, on_item(item_id, lambda i, m, c, u: conduct.cast_ranking(i, m, c, u, [7])))
    # candidates: 0 Amy, 1 Bo, 2 Cy. Amy and Bo have the most support.
    ballots = {0: [0, 1], 1: [1, 0], 2: [0, 2], 3: [1, 2], 4: [2, 0]}
    users = [asm.secretary, asm.user(1), asm.user(2), asm.user(3), asm.user(4)]
    for n, user in enumerate(users):
        act(app, asm, meeting_id, on_item(item_id, lambda i, m, c, u, r=ballots[n]: conduct.cast_ranking(
            i, m, c, u, r)), as_user=user)
    assert _counts(app, MeetingBallotBox, MeetingRanking) == (5, 0)
    result = act(app, asm, meeting_id, on_item(item_id, lambda i, m, c, u: conduct.close_poll(i, m, c, u)))
    assert result.passed and set(result.winners) == {"Amy Adams", "Bo Brown"}
    assert _counts(app, MeetingBallotBox, MeetingRanking) == (0, 5)
    with app.app_context():
        rows = db.session.execute(sa.select(Officer).where(Officer.coop_id == asm.coop.id,
                                                           Officer.office == "director",
                                                           Officer.term_ends_on.is_not(None))).scalars().all()
        assert {r.member_id for r in rows} == {asm.member(1).id, asm.member(2).id}
        assert all(r.term_ends_on.year == r.appointed_on.year + 3 for r in rows)
        assert {r.member_id for r in db.session.query(MeetingRanking)} == {None}
        db.session.remove()
    assert "officer.elected" in audit_actions(app, asm.coop.id)


def test_an_unopposed_election_is_an_ordinary_resolution_and_nobody_nominated_is_refused(app, make, board, client,
                                                                                        login):
    from coopkit.coops.models import Officer
    from coopkit.meetings import conduct, memberitems
    from coopkit.meetings.models import AgendaItem

    meeting_id, item_id = _election(app, board, seats=2, nominees=())
    send_notice(app, board, meeting_id)
    present(app, board, meeting_id, [board.secretary_member, board.member(1), board.member(2), board.member(3)])
    start(app, board, meeting_id)
    with pytest.raises(_err(), match="Nobody has been nominated"):
        act(app, board, meeting_id, on_item(item_id, lambda i, m, c, u: conduct.open_poll(i, m, c, u)))

    meeting_id, item_id = _election(app, board, seats=2, nominees=(1, 2))
    send_notice(app, board, meeting_id)
    present(app, board, meeting_id, [board.secretary_member, board.member(1), board.member(2), board.member(3)])
    start(app, board, meeting_id)
    assert act(app, board, meeting_id, on_item(item_id, lambda i, m, c, u: memberitems.unopposed(i)))
    act(app, board, meeting_id, on_item(item_id, lambda i, m, c, u: conduct.open_poll(i, m, c, u)))
    login(client, board.user(1))
    page = client.get(f"/c/{board.coop.slug}/meetings/2").text
    assert "Cast this vote" in page and "number the candidates" not in page
    with pytest.raises(_err(), match="no ranking to make"):
        act(app, board, meeting_id, on_item(item_id, lambda i, m, c, u: conduct.cast_ranking(i, m, c, u, [0])))
    for user in (board.secretary, board.user(1), board.user(3)):
        act(app, board, meeting_id, on_item(item_id, lambda i, m, c, u: conduct.cast_poll_vote(i, m, c, u, "for")),
            as_user=user)
    act(app, board, meeting_id, on_item(item_id, lambda i, m, c, u: conduct.cast_poll_vote(i, m, c, u, "against")),
        as_user=board.user(2))
    result = act(app, board, meeting_id, on_item(item_id, lambda i, m, c, u: conduct.close_poll(i, m, c, u)))
    assert result.passed
    with app.app_context():
        item = db.session.get(AgendaItem, item_id)
        assert item.result["elected"] == ["Amy Adams", "Bo Brown"]
        assert "election of directors unopposed, by ordinary resolution" in item.result["clause"]
        directors = set(db.session.execute(sa.select(Officer.member_id).where(
            Officer.coop_id == board.coop.id, Officer.term_ends_on.is_not(None))).scalars())
        assert directors == {board.member(1).id, board.member(2).id}
        db.session.remove()
    assert "Elected: Amy Adams, Bo Brown" in client.get(f"/c/{board.coop.slug}/meetings/2").text
    collective = board_assembly(app, make, management="collective")
    with pytest.raises(_err(), match="provide no election of directors"):
        add_member_item(app, collective, draft_meeting(app, collective), kind="election", seats=1)


def test_a_member_item_is_not_put_through_the_plain_resolution_form(app, board):
    from coopkit.meetings import agenda

    meeting_id = draft_meeting(app, board)
    with pytest.raises(_err(), match="use its own form"):
        act(app, board, meeting_id, lambda m, c, u: agenda.add_item(m, c, u, agenda.ItemDraft(
            title="Expel Amy", item_type="resolution", kind="expulsion", resolution_text="That Amy is expelled.")))


def _refused_admission(app, make, board):
    from coopkit.coops.models import Member
    from coopkit.meetings import conduct
    from coopkit.meetings.models import AgendaItem

    applicant = make.member(board.coop, status="applicant", name="No Address", address="")
    meeting_id = draft_meeting(app, board, days=20)
    item_id = add_member_item(app, board, meeting_id, kind="admission", subject_member_id=applicant.id)
    send_notice(app, board, meeting_id)
    present(app, board, meeting_id, [board.secretary_member, board.member(1), board.member(2), board.member(3)])
    start(app, board, meeting_id)
    act(app, board, meeting_id, on_item(item_id, lambda i, m, c, u: conduct.record_hands(i, m, c, u, 4, 0)))
    with app.app_context():
        item = db.session.get(AgendaItem, item_id)
        assert item.outcome == "passed" and "postal address" in item.result["register"]
        assert db.session.get(Member, applicant.id).status == "applicant"
        db.session.remove()
    assert "meeting.register_not_updated" in audit_actions(app, board.coop.id)
    return applicant, item_id


def test_the_register_refusing_leaves_the_vote_standing_and_says_why(app, make, board):
    _refused_admission(app, make, board)


def test_the_secretary_completes_a_refused_admission_from_the_register_citing_the_meeting(app, make, board, client,
                                                                                        login):
    from coopkit.coops.models import Member

    applicant, item_id = _refused_admission(app, make, board)
    with app.app_context():
        db.session.get(Member, applicant.id).postal_address = "2 Test Street, Preston"
        db.session.commit()
        db.session.remove()
    login(client, board.secretary)
    page = client.get(f"/c/{board.coop.slug}/register/members/{applicant.id}").text
    assert "Meeting 1, item 1: Admission of No Address" in page
    client.post(f"/c/{board.coop.slug}/register/members/{applicant.id}/admit",
                data={"admit-on": date.today().isoformat(), "admit-by_proposal": str(-item_id)})
    row = member_row(app, applicant.id)
    assert (row.status, row.admitted_by_proposal_id) == ("member", -item_id)
    assert "admitted by meeting 1, item 1" in client.get(f"/c/{board.coop.slug}/register/members/{applicant.id}").text


def test_the_written_notice_of_an_expulsion_can_be_emailed_to_the_member(app, board, mailbox):
    meeting_id = draft_meeting(app, board, days=20)
    add_member_item(app, board, meeting_id, kind="expulsion", subject_member_id=board.member(2).id,
                    reasons="Repeatedly missed client deadlines without telling anyone.", email_notice=True)
    message = mailbox.to(board.user(2).email)[-1]
    body = mailbox.body(message)
    assert "notice of a proposal to expel you" in message["Subject"]
    assert "Repeatedly missed client deadlines" in body and "expulsion of a member" in body
    assert "You may not vote on this resolution" in body
    assert [m["X-Envelope-To"] for m in mailbox.messages] == [board.user(2).email]   # nobody else


def test_an_agm_under_an_elected_board_has_the_election_on_its_agenda(app, board):
    from coopkit.meetings.models import AgendaItem

    meeting_id = draft_meeting(app, board, kind="agm")
    with app.app_context():
        item = db.session.execute(sa.select(AgendaItem).where(AgendaItem.meeting_id == meeting_id,
                                                              AgendaItem.kind == "election")).scalar_one()
        assert (item.item_type, item.seats) == ("resolution", 1)   # one third of a board of 3 retires
        db.session.remove()
    with pytest.raises(_err(), match="already has an election"):
        add_member_item(app, board, meeting_id, kind="election", seats=1)
