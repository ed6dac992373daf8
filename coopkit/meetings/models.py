"""General meetings, their agenda, who attended (or was represented), and votes taken at them.

Secret polls at a meeting follow the proposals' design: who voted is a MeetingVoter row,
what was chosen a MeetingBallot row with no member, no time and a random key (and no
rowid on SQLite), so nothing links a member to a choice.
"""

from __future__ import annotations

import json
import secrets
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from coopkit.database import utcnow
from coopkit.extensions import db

MEETING_KINDS = {"agm": "Annual general meeting", "general": "General meeting"}
MEETING_STATES = ("draft", "called", "open", "adjourned", "closed", "cancelled")
MODES = {"in_person": "In person", "online": "Online", "hybrid": "Hybrid (in person and online)"}
CALLERS = {"secretary": "the secretary", "directors": "the directors", "requisition": "members' requisition",
           "founders": "the founders"}
ATTENDANCE = {"in_person": "Present in person", "online": "Present online", "apologies": "Apologies"}
ITEM_TYPES = ("business", "resolution", "minutes")
ITEM_STATES = ("pending", "voting", "decided", "noted", "withdrawn")


def random_id() -> str:
    return secrets.token_hex(16)


class Meeting(db.Model):
    """A general meeting: called with notice, held, minuted. Never deleted (cancelled instead)."""

    __tablename__ = "meetings"
    __table_args__ = (
        sa.UniqueConstraint("coop_id", "number"),
        sa.CheckConstraint("kind IN ('agm', 'general')", name="kind"),
        sa.CheckConstraint("state IN ('draft', 'called', 'open', 'adjourned', 'closed', 'cancelled')",
                           name="state"),
        sa.CheckConstraint("mode IN ('in_person', 'online', 'hybrid')", name="mode"),
        sa.CheckConstraint("called_by IN ('secretary', 'directors', 'requisition', 'founders')", name="called_by"),
        sa.CheckConstraint("quorum_needed IS NULL OR quorum_needed >= 1", name="quorum_positive"),
        sa.Index("ix_meetings_coop_starts", "coop_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    coop_id: Mapped[int] = mapped_column(sa.ForeignKey("coops.id"), index=True)
    #: 1, 2, 3... within the co-op
    number: Mapped[int]
    #: agm or general
    kind: Mapped[str] = mapped_column(sa.String(10), default="general")
    title: Mapped[str] = mapped_column(sa.String(200))
    #: when it starts (naive UTC); the day that counts for notice is its UK date
    starts_at: Mapped[datetime]
    #: where members meet in person (empty for an online meeting)
    place: Mapped[str] = mapped_column(sa.Text, default="")
    #: in_person, online or hybrid (online and hybrid only where the rules allow electronic participation)
    mode: Mapped[str] = mapped_column(sa.String(12), default="in_person")
    #: how to join online (sent with the notice)
    online_details: Mapped[str] = mapped_column(sa.Text, default="")
    #: secretary, directors, requisition (members asked for it) or founders (a co-op in formation)
    called_by: Mapped[str] = mapped_column(sa.String(12), default="secretary")
    called_by_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    #: for a requisition: the business the requisitioning members stated
    requisition_text: Mapped[str] = mapped_column(sa.Text, default="")
    state: Mapped[str] = mapped_column(sa.String(12), default="draft")
    #: notice: when sent, the clear days the rules required then, and whether short notice was used
    notice_sent_at: Mapped[datetime | None]
    notice_sent_on: Mapped[date | None]
    notice_clear_days: Mapped[int | None]
    short_notice: Mapped[bool] = mapped_column(default=False)
    #: members whose agreement makes short notice valid (fixed when notice is sent)
    consents_needed: Mapped[int | None]
    #: voting members entitled to attend when notice was sent
    entitled: Mapped[int | None]
    #: proxy rules frozen with the notice
    proxies_allowed: Mapped[bool] = mapped_column(default=False)
    proxy_limit: Mapped[int | None]
    proxy_deadline_at: Mapped[datetime | None]
    #: quorum fixed when the meeting starts
    quorum_needed: Mapped[int | None]
    started_at: Mapped[datetime | None]
    #: members present or represented when the meeting started
    present_at_start: Mapped[int | None]
    chair_member_id: Mapped[int | None] = mapped_column(sa.ForeignKey("members.id"))
    closed_at: Mapped[datetime | None]
    #: an adjourned meeting points at the meeting it continues
    adjourned_from_id: Mapped[int | None] = mapped_column(sa.ForeignKey("meetings.id"))
    adjourned_reason: Mapped[str] = mapped_column(sa.Text, default="")
    cancelled_at: Mapped[datetime | None]
    #: the later meeting at which these minutes were approved
    minutes_approved_at_id: Mapped[int | None] = mapped_column(sa.ForeignKey("meetings.id"))
    minutes_approved_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def kind_label(self) -> str:
        return MEETING_KINDS[self.kind]

    @property
    def mode_label(self) -> str:
        return MODES[self.mode]

    @property
    def online(self) -> bool:
        return self.mode in ("online", "hybrid")

    def __repr__(self) -> str:
        return f"<Meeting {self.id} #{self.number} {self.state}>"


class AgendaItem(db.Model):
    """One item of business: a report to receive (business), a resolution to vote on, or the
    approval of earlier minutes. A resolution's exact words and kind are in the notice."""

    __tablename__ = "meeting_items"
    __table_args__ = (
        sa.UniqueConstraint("meeting_id", "position"),
        sa.CheckConstraint("item_type IN ('business', 'resolution', 'minutes')", name="item_type"),
        sa.CheckConstraint("state IN ('pending', 'voting', 'decided', 'noted', 'withdrawn')", name="state"),
        sa.CheckConstraint("kind IS NULL OR kind IN ('ordinary', 'special', 'statutory_special', "
                           "'statutory_confirmation', 'audit_exemption', 'entrenched', 'expulsion', 'admission', "
                           "'election')", name="kind"),
        sa.CheckConstraint("subject_heard IS NULL OR subject_heard IN ('spoke', 'declined', 'absent')",
                           name="subject_heard"),
        sa.CheckConstraint("seats IS NULL OR seats >= 1", name="seats"),
        sa.CheckConstraint("votes_for IS NULL OR (votes_for >= 0 AND votes_against >= 0 AND votes_abstain >= 0)",
                           name="counts"),
        sa.CheckConstraint("outcome IS NULL OR outcome IN ('passed', 'failed')", name="outcome"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id"), index=True)
    position: Mapped[int]
    title: Mapped[str] = mapped_column(sa.String(200))
    #: business (received or noted), resolution (voted on), minutes (approve earlier minutes)
    item_type: Mapped[str] = mapped_column(sa.String(12), default="business")
    #: resolutions: the decision kind (coopkit.meetings.procedure.KIND_LABELS)
    kind: Mapped[str | None] = mapped_column(sa.String(24))
    #: resolutions: the exact words, as printed in the notice and the minutes
    resolution_text: Mapped[str] = mapped_column(sa.Text, default="")
    #: statutory special resolutions: amalgamation, transfer or conversion
    purpose: Mapped[str | None] = mapped_column(sa.String(20))
    #: a confirmation points at the statutory special resolution passed at the first meeting
    confirms_item_id: Mapped[int | None] = mapped_column(sa.ForeignKey("meeting_items.id"))
    #: a minutes item points at the meeting whose minutes it approves
    approves_meeting_id: Mapped[int | None] = mapped_column(sa.ForeignKey("meetings.id"))
    #: JSON {parameter: new value} a special resolution makes to the rules
    rule_changes_json: Mapped[str] = mapped_column(sa.Text, default="{}")
    amended_rules_version_id: Mapped[int | None] = mapped_column(sa.ForeignKey("rules_versions.id"))
    state: Mapped[str] = mapped_column(sa.String(12), default="pending")
    #: hands (the chair counts) or poll (members vote in the browser)
    method: Mapped[str | None] = mapped_column(sa.String(8))
    #: a poll by secret ballot (the rules, the chair or two members asked for one)
    secret: Mapped[bool] = mapped_column(default=False)
    votes_for: Mapped[int | None]
    votes_against: Mapped[int | None]
    votes_abstain: Mapped[int | None]
    #: members present or represented when the vote was taken, and the quorum then
    present_at_vote: Mapped[int | None]
    outcome: Mapped[str | None] = mapped_column(sa.String(10))
    #: JSON: reason, the rule counted by, the clause cited
    result_json: Mapped[str | None] = mapped_column(sa.Text)
    #: business items: what the chair recorded (e.g. "The accounts for 2025 were received.")
    note: Mapped[str] = mapped_column(sa.Text, default="")
    decided_at: Mapped[datetime | None]
    #: expulsion or admission: the member the resolution is about
    subject_member_id: Mapped[int | None] = mapped_column(sa.ForeignKey("members.id"))
    #: expulsion: the reasons given to the member in writing, and the day that notice was given
    subject_reasons: Mapped[str] = mapped_column(sa.Text, default="")
    subject_notified_on: Mapped[date | None]
    #: expulsion: the member's written reply (empty with a time: they gave none), recorded before the vote
    subject_reply: Mapped[str] = mapped_column(sa.Text, default="")
    subject_reply_at: Mapped[datetime | None]
    #: expulsion: at the meeting, the member spoke, declined to speak, or did not attend
    subject_heard: Mapped[str | None] = mapped_column(sa.String(10))
    #: election: how many directors are elected
    seats: Mapped[int | None]

    @property
    def rule_changes(self) -> dict:
        return json.loads(self.rule_changes_json or "{}")

    @property
    def result(self) -> dict:
        return json.loads(self.result_json) if self.result_json else {}


class Attendance(db.Model):
    """How a member took part: present in person, present online, or sent apologies. A member
    represented by proxy has a Proxy row instead. ``left_at`` marks someone who left early."""

    __tablename__ = "meeting_attendance"
    __table_args__ = (
        sa.UniqueConstraint("meeting_id", "member_id"),
        sa.CheckConstraint("status IN ('in_person', 'online', 'apologies')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id"), index=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id"), index=True)
    status: Mapped[str] = mapped_column(sa.String(12))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    left_at: Mapped[datetime | None]


class Proxy(db.Model):
    """A member's appointment of another member to attend and vote for them. Revoked, never deleted;
    at most one live appointment per member and meeting (a partial unique index)."""

    __tablename__ = "meeting_proxies"
    __table_args__ = (
        sa.CheckConstraint("member_id <> holder_member_id", name="not_self"),
        sa.Index("ix_meeting_proxies_live", "meeting_id", "member_id", unique=True,
                 sqlite_where=sa.text("revoked_at IS NULL"), postgresql_where=sa.text("revoked_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id"), index=True)
    #: the member who appoints
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id"), index=True)
    #: the member who holds the proxy
    holder_member_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id"), index=True)
    appointed_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]


class Consent(db.Model):
    """A member's written agreement: to hold the meeting at short notice, or (requisition) to
    ask for it. One per member, meeting and purpose."""

    __tablename__ = "meeting_consents"
    __table_args__ = (
        sa.UniqueConstraint("meeting_id", "member_id", "purpose"),
        sa.CheckConstraint("purpose IN ('short_notice', 'requisition')", name="purpose"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id"), index=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id"), index=True)
    #: short_notice or requisition
    purpose: Mapped[str] = mapped_column(sa.String(14))
    given_at: Mapped[datetime] = mapped_column(default=utcnow)


class MeetingVoter(db.Model):
    """That a member's vote was cast on a poll at the meeting, by them or by their proxy holder.
    Once per member per item (a unique constraint): never what was chosen."""

    __tablename__ = "meeting_voters"
    __table_args__ = (sa.UniqueConstraint("item_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("meeting_items.id"), index=True)
    #: whose vote it is
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id"), index=True)
    #: a proxy holder casting it for them
    cast_by_member_id: Mapped[int | None] = mapped_column(sa.ForeignKey("members.id"))
    voted_at: Mapped[datetime] = mapped_column(default=utcnow)


class MeetingBallot(db.Model):
    """A choice on a poll at the meeting. Secret polls: no member, no time, random key."""

    __tablename__ = "meeting_ballots"
    __table_args__ = (
        sa.UniqueConstraint("item_id", "member_id"),
        sa.CheckConstraint("choice IN ('for', 'against', 'abstain')", name="choice"),
        {"sqlite_with_rowid": False},
    )

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True, default=random_id)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("meeting_items.id"), index=True)
    #: open polls only
    member_id: Mapped[int | None] = mapped_column(sa.ForeignKey("members.id"))
    choice: Mapped[str] = mapped_column(sa.String(8))


class MeetingCandidate(db.Model):
    """A member standing in an election of directors at the meeting (nominated in writing before
    the rules' deadline). Withdrawn, never deleted."""

    __tablename__ = "meeting_candidates"
    __table_args__ = (sa.UniqueConstraint("item_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("meeting_items.id"), index=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id"), index=True)
    #: the day the secretary received the nomination in writing
    nominated_on: Mapped[date]
    withdrawn_at: Mapped[datetime | None]


class MeetingBallotBox(db.Model):
    """A secret poll's ballot while the poll is open: sealed (coopkit.seal) with a key outside the
    database, random id, nothing else. At close every sealed ballot of the item is opened and
    written to meeting_ballots or meeting_rankings in random order, and the box rows are deleted."""

    __tablename__ = "meeting_ballot_box"
    __table_args__ = ({"sqlite_with_rowid": False},)

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True, default=random_id)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("meeting_items.id"), index=True)
    sealed: Mapped[str] = mapped_column(sa.Text)


class MeetingRanking(db.Model):
    """A ranked ballot in an election at the meeting: candidate positions (JSON list of indexes
    into the item's candidates, first preference first). Secret polls: no member, random key."""

    __tablename__ = "meeting_rankings"
    __table_args__ = (sa.UniqueConstraint("item_id", "member_id"), {"sqlite_with_rowid": False})

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True, default=random_id)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("meeting_items.id"), index=True)
    #: open polls only
    member_id: Mapped[int | None] = mapped_column(sa.ForeignKey("members.id"))
    ranking: Mapped[str] = mapped_column(sa.Text)
