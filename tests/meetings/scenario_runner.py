"""Run one decision-engine scenario as an item on a general meeting's agenda (the scenario table in
tests/proposals/test_decision_scenarios.py, rows whose venue is "agenda"): draft the meeting, add
the item, send notice, record everyone present, start, record what the rules need first (the
expelled member's reply and hearing; candidates), vote, and return the outcome."""

from __future__ import annotations

from datetime import timedelta

from coopkit.extensions import db


def decide_at_meeting(app, coop_id: int, people: list[tuple[int, int]], *, kind: str, votes: dict) -> str:
    """``votes``: {"for": n, "against": n} counted by show of hands; {"rankings": [...]} an election
    (candidates: the 2nd, 3rd and 4th members); {"changes": {...}} a rules amendment; {"subject_votes":
    True} the member facing expulsion tries to vote. The expelled or admitted member is the last on the
    roll. Returns "passed" or "failed"; a refusal raises MeetingError."""
    from coopkit.accounts.models import User
    from coopkit.coops.models import Coop, Member
    from coopkit.database import utcnow
    from coopkit.meetings import agenda, attendance, conduct, memberitems, services
    from tests.meetings.conftest import at_uk_noon

    votes = dict(votes)
    with app.app_context():
        try:
            coop, secretary = db.session.get(Coop, coop_id), db.session.get(User, people[0][0])
            meeting = services.create_meeting(coop, secretary, services.MeetingDraft(
                title="Scenario meeting", starts_at=at_uk_noon(20), kind="general", place="The office",
                mode="in_person"))
            subject_id = people[-1][1]
            if kind == "admission":
                db.session.get(Member, subject_id).status = "applicant"
                db.session.flush()
            if kind in ("expulsion", "admission", "election"):
                item = memberitems.add_member_item(meeting, coop, secretary, memberitems.MemberItemDraft(
                    kind=kind, subject_member_id=subject_id if kind != "election" else None,
                    reasons="Conduct that harmed the co-op.", notified_on=(utcnow() - timedelta(days=1)).date(),
                    seats=votes.pop("seats", 1) if kind == "election" else None))
            else:
                item = agenda.add_item(meeting, coop, secretary, agenda.ItemDraft(
                    title="Scenario resolution", item_type="resolution", kind=kind,
                    resolution_text="That the scenario resolution is passed.", rule_changes=votes.pop("changes", None)))
            if kind == "election":
                for _, member_id in people[1:4]:
                    memberitems.nominate(item, meeting, coop, secretary, member_id, (utcnow() - timedelta(days=1)).date())
            services.send_notice(meeting, coop, secretary, send=False)
            for _, member_id in people:
                if db.session.get(Member, member_id).can_vote:
                    attendance.record_attendance(meeting, coop, secretary, member_id, "in_person")
            at = meeting.starts_at + timedelta(minutes=1)
            conduct.start_meeting(meeting, coop, secretary, chair_member_id=people[0][1], now=at)
            if kind == "expulsion" and not votes.pop("skip_reply", False):
                memberitems.record_reply(item, meeting, coop, secretary, "", none_given=True)
                memberitems.record_hearing(item, meeting, coop, secretary, "spoke")
            if votes.pop("subject_votes", False):
                conduct.open_poll(item, meeting, coop, secretary)
                conduct.cast_poll_vote(item, meeting, coop, db.session.get(User, people[-1][0]), "against")
            if kind == "election":
                conduct.open_poll(item, meeting, coop, secretary)
                for (user_id, _), ranking in zip(people, votes["rankings"], strict=False):
                    conduct.cast_ranking(item, meeting, coop, db.session.get(User, user_id), ranking)
                result = conduct.close_poll(item, meeting, coop, secretary)
            else:
                result = conduct.record_hands(item, meeting, coop, secretary, votes.get("for", 0),
                                              votes.get("against", 0), now=at)
            db.session.commit()
            return result.outcome
        finally:
            db.session.rollback()
            db.session.remove()
