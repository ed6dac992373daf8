"""Demo meetings for preston-digital (runs after the rules and proposals demos): last year's
annual general meeting, held and minuted (attendance, quorum, the accounts received, the audit
exemption and one special resolution), and an upcoming general meeting with notice sent and
one proxy appointed. No emails are sent."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from coopkit.coops.models import Member
from coopkit.database import utcnow
from coopkit.extensions import db
from coopkit.meetings import agenda, attendance, conduct, proxies, services
from coopkit.proposals.timefmt import from_uk, to_uk


def _uk_noon(days: int, hour: int = 18) -> datetime:
    day = to_uk(utcnow()).date() + timedelta(days=days)
    return from_uk(datetime(day.year, day.month, day.day, hour, 0))


def seed(ctx) -> None:
    coop = ctx.preston_digital
    secretary = ctx.users["dana@preston-digital.example"]
    members = {m.email: m for m in db.session.execute(
        sa.select(Member).where(Member.coop_id == coop.id, Member.status == "member")).scalars()}
    agm = _past_agm(coop, secretary, members)
    _upcoming(coop, secretary, members, ctx.users, agm)


def _past_agm(coop, secretary, members):
    starts = _uk_noon(-45)
    sent = starts - timedelta(days=21)
    meeting = services.create_meeting(coop, secretary, services.MeetingDraft(
        title="Annual general meeting 2025", kind="agm", starts_at=starts, mode="hybrid",
        place="Unit 4, 10 Fishergate, Preston PR1 2UR", online_details="Video call: the link is on the meeting page"),
        now=sent - timedelta(days=1))
    items = services.live_items(meeting)
    auditor = next(i for i in items if i.title.startswith("Appoint an auditor"))
    agenda.remove_item(meeting, coop, secretary, auditor)
    agenda.add_item(meeting, coop, secretary, agenda.ItemDraft(
        title="Audit exemption", item_type="resolution", kind="audit_exemption",
        resolution_text="That the society does not appoint an auditor for the year ending 31 March 2026, using the "
                        "exemption in section 84 of the 2014 Act, and appoints an accountant to report on the "
                        "accounts instead."))
    agenda.add_item(meeting, coop, secretary, agenda.ItemDraft(
        title="Sale of the Ribbleton Lane lease", item_type="resolution", kind="special",
        resolution_text="That the society sells its lease of the Ribbleton Lane workshop, which is more than half "
                        "of its assets by value, to Lancashire Makers Co-operative Limited for £48,000."))
    services.send_notice(meeting, coop, secretary, now=sent, send=False)
    emails = sorted(members)
    online = {"farah@preston-digital.example", "idris@preston-digital.example"}
    away = {"nia@preston-digital.example", "omar@preston-digital.example"}
    for email in emails:
        status = "apologies" if email in away else ("online" if email in online else "in_person")
        attendance.record_attendance(meeting, coop, secretary, members[email].id, status, now=starts - timedelta(minutes=5))
    chair = members["eli@preston-digital.example"]
    conduct.start_meeting(meeting, coop, secretary, chair_member_id=chair.id, now=starts + timedelta(minutes=2))
    at = starts + timedelta(minutes=10)
    notes = ["The accounts for the year to 31 March 2025 and the directors' report were received.",
             "The report on how the co-op applied the co-operative principles was received."]
    for item in services.live_items(meeting):
        at += timedelta(minutes=12)
        if item.item_type == "business":
            conduct.note_business(item, meeting, coop, secretary, notes.pop(0) if notes else "Received.")
        elif item.kind == "special":
            conduct.record_hands(item, meeting, coop, secretary, 9, 1, 0, now=at)
        else:
            conduct.record_hands(item, meeting, coop, secretary, 10, 0, 0, now=at)
    conduct.close_meeting(meeting, coop, secretary, now=at + timedelta(minutes=15))
    return meeting


def _upcoming(coop, secretary, members, users, agm) -> None:
    now = utcnow().replace(second=0, microsecond=0)
    meeting = services.create_meeting(coop, secretary, services.MeetingDraft(
        title="General meeting: joining Co-operatives UK", starts_at=_uk_noon(20), mode="hybrid",
        place="Unit 4, 10 Fishergate, Preston PR1 2UR", online_details="Video call: the link is on the meeting page"),
        now=now - timedelta(days=1, hours=1))
    agenda.add_item(meeting, coop, secretary, agenda.ItemDraft(
        title="Minutes of the annual general meeting", item_type="minutes", approves_meeting_id=agm.id))
    agenda.add_item(meeting, coop, secretary, agenda.ItemDraft(
        title="Membership of Co-operatives UK", item_type="resolution", kind="ordinary",
        resolution_text="That the society joins Co-operatives UK and pays the annual subscription from its "
                        "common-good fund."))
    services.send_notice(meeting, coop, secretary, now=now - timedelta(days=1), send=False)
    proxies.appoint_proxy(meeting, coop, users["kofi@preston-digital.example"],
                           members["eli@preston-digital.example"].id, now=now - timedelta(hours=3))
