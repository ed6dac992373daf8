"""Proposals, their frozen voter rolls, participations and ballots.

Secrecy by design: while a secret vote is open its ballots wait sealed in the
BallotBox; at close they are opened and written to Ballot in one transaction, in
random order, each with no member, no time and a random primary key (WITHOUT ROWID
on SQLite). Who voted is a separate Participation row. Nothing links the two.
"""

from __future__ import annotations

import json
import secrets
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from coopkit.database import utcnow
from coopkit.extensions import db

STATES = ("draft", "open", "closed", "withdrawn")
#: where a decision is taken: outside a meeting (a written resolution), at a general meeting, or
#: "legacy": recorded before decision kinds, counted as it was then (of votes cast)
VENUES = ("writing", "meeting", "legacy")
METHOD_LABELS = {
    "resolution": "Resolution (for, against, abstain)",
    "unanimity": "Unanimous decision",
    "consent": "Consent (agree, stand aside, object)",
    "consensus": "Consensus (agree, abstain, disagree, block)",
    "poll": "Poll (choose one option)",
    "election": "Election by ranked ballot",
    "instrument": "Instrument signed by the members",
    "audit_exemption": "Resolution on the audit exemption",
}
PRESET_LABELS = {
    "ordinary": "Ordinary resolution",
    "special": "Special resolution",
    "custom": "Resolution with a stricter threshold",
}


def random_id() -> str:
    return secrets.token_hex(16)


class Proposal(db.Model):
    """Something the members decide. Counting settings are frozen when it opens."""

    __tablename__ = "proposals"
    __table_args__ = (
        sa.UniqueConstraint("coop_id", "number"),
        sa.CheckConstraint("state IN ('draft', 'open', 'closed', 'withdrawn')", name="state"),
        sa.CheckConstraint(
            "method IN ('resolution', 'unanimity', 'consent', 'consensus', 'poll', 'election', 'instrument', "
            "'audit_exemption')", name="method"),
        sa.CheckConstraint("venue IN ('writing', 'meeting', 'legacy')", name="venue"),
        sa.CheckConstraint("basis IN ('cast', 'eligible')", name="basis"),
        sa.CheckConstraint("threshold_percent BETWEEN 50 AND 100", name="threshold"),
        sa.CheckConstraint("closes_at IS NULL OR opens_at IS NULL OR closes_at > opens_at", name="closes_after_opens"),
        sa.CheckConstraint("seats >= 1", name="seats"),
        sa.CheckConstraint("outcome IS NULL OR outcome IN ('passed', 'failed', 'advisory')", name="outcome"),
        sa.Index("ix_proposals_state_closes", "state", "closes_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    coop_id: Mapped[int] = mapped_column(sa.ForeignKey("coops.id"), index=True)
    #: 1, 2, 3... within the co-op (how members refer to it: "proposal 12")
    number: Mapped[int]
    title: Mapped[str] = mapped_column(sa.String(200))
    #: Markdown as typed; rendered then sanitised for display
    body: Mapped[str] = mapped_column(sa.Text, default="")
    #: for a resolution: the words that are resolved, printed in the minutes
    resolution_text: Mapped[str] = mapped_column(sa.Text, default="")
    proposer_member_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id"))
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    #: the decision kind of the co-op's rules (coopkit.rules.decisions): written_special, consent...
    kind: Mapped[str] = mapped_column(sa.String(30), default="written_ordinary")
    #: writing (every vote outside a meeting), meeting, or legacy (before decision kinds)
    venue: Mapped[str] = mapped_column(sa.String(10), default="writing")
    #: the governing clause and how it counts, frozen when it opens:
    #: "Rule 23.2: written special resolution, 75% of all members"
    citation: Mapped[str] = mapped_column(sa.String(300), default="")
    #: resolution, unanimity, consent, consensus, poll, election, instrument, audit_exemption
    method: Mapped[str] = mapped_column(sa.String(20))
    #: resolution only: ordinary or special (read from the rules) or custom (stricter only)
    preset: Mapped[str | None] = mapped_column(sa.String(20))
    #: the share of the basis that must vote for (with "more than half" always applying)
    threshold_percent: Mapped[int] = mapped_column(default=50)
    #: an exact threshold that is not a whole percent ("200/3": two thirds), else None
    threshold_exact: Mapped[str | None] = mapped_column(sa.String(20))
    #: cast: of votes for and against; eligible: of everyone on the voter roll
    basis: Mapped[str] = mapped_column(sa.String(10), default="cast")
    #: audit exemption (s.84): fewer than these percentages against (of votes cast; of all members)
    against_cast_below: Mapped[int | None]
    against_all_below: Mapped[int | None]
    #: the member an admission or expulsion is about
    subject_member_id: Mapped[int | None] = mapped_column(sa.ForeignKey("members.id"))
    #: when the member concerned was given written notice (expulsion)
    subject_notified_at: Mapped[datetime | None]
    #: their reply, as given; empty with subject_reply_at set means they gave none
    subject_reply: Mapped[str] = mapped_column(sa.Text, default="")
    subject_reply_at: Mapped[datetime | None]
    #: quorum rule copied from the rules when the proposal opens
    quorum_min_members: Mapped[int | None]
    quorum_percent: Mapped[int | None]
    #: participations needed, fixed from the roll size when it opens
    quorum_needed: Mapped[int | None]
    #: poll options or election candidates, JSON list of labels
    options_json: Mapped[str] = mapped_column(sa.Text, default="[]")
    #: directors to elect (election)
    seats: Mapped[int] = mapped_column(default=1)
    #: stv or irv (election)
    ranking: Mapped[str] = mapped_column(sa.String(10), default="stv")
    #: a secret ballot: nobody, not even the secretary, can see who chose what
    secret: Mapped[bool] = mapped_column(default=False)
    #: may close before its time once no further vote can change the outcome
    allow_early_close: Mapped[bool] = mapped_column(default=False)
    #: JSON {parameter: new value} this special resolution makes to the rules
    rule_changes_json: Mapped[str] = mapped_column(sa.Text, default="{}")
    #: the rules version this proposal's changes were measured against
    base_rules_version_id: Mapped[int | None] = mapped_column(sa.ForeignKey("rules_versions.id"))
    #: the rules version created when it passed
    amended_rules_version_id: Mapped[int | None] = mapped_column(sa.ForeignKey("rules_versions.id"))
    state: Mapped[str] = mapped_column(sa.String(12), default="draft")
    opens_at: Mapped[datetime | None]
    closes_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    closed_early: Mapped[bool] = mapped_column(default=False)
    withdrawn_at: Mapped[datetime | None]
    #: passed or failed, once closed
    outcome: Mapped[str | None] = mapped_column(sa.String(10))
    #: JSON snapshot of the tally (counts, quorum, winners, reason)
    result_json: Mapped[str | None] = mapped_column(sa.Text)
    reminder_sent_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def closing(self) -> bool:
        """Past its closing time but not yet closed: the periodic job closes it within a
        minute or so (pages only read, so they show it as closing meanwhile)."""
        return self.state == "open" and self.closes_at is not None and self.closes_at <= utcnow()

    @property
    def options(self) -> list[str]:
        return json.loads(self.options_json or "[]")

    @property
    def rule_changes(self) -> dict:
        return json.loads(self.rule_changes_json or "{}")

    @property
    def result(self) -> dict | None:
        return json.loads(self.result_json) if self.result_json else None

    @property
    def threshold(self):
        """The threshold as counted: a Fraction for "two thirds", else the whole percent."""
        from fractions import Fraction

        return Fraction(self.threshold_exact) if self.threshold_exact else self.threshold_percent

    @property
    def method_label(self) -> str:
        if self.venue != "legacy" and self.kind_name:
            return self.kind_name[:1].upper() + self.kind_name[1:]
        if self.method == "resolution" and self.preset:
            return PRESET_LABELS[self.preset]
        return METHOD_LABELS[self.method]

    @property
    def kind_name(self) -> str:
        """The kind's name from the frozen citation ("written special resolution")."""
        words = self.citation.split(": ", 1)[-1] if self.citation else ""
        return words.split(", ", 1)[0]

    def __repr__(self) -> str:
        return f"<Proposal {self.id} #{self.number} {self.state}>"


class VoterRollEntry(db.Model):
    """One member entitled to vote on a proposal, fixed when it opened."""

    __tablename__ = "voter_roll_entries"
    __table_args__ = (sa.UniqueConstraint("proposal_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("proposals.id"), index=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id"), index=True)


class Participation(db.Model):
    """That a member voted (one per member per proposal, enforced here). Never what they chose."""

    __tablename__ = "participations"
    __table_args__ = (sa.UniqueConstraint("proposal_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("proposals.id"), index=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id"), index=True)
    voted_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: open ballots: how many times the vote was changed after the first
    changes: Mapped[int] = mapped_column(default=0)


class Ballot(db.Model):
    """What was chosen. Secret ballots: no member, no time, random id and a receipt code.
    Open ballots carry the member so they can be changed until close (history in BallotChange)."""

    __tablename__ = "ballots"
    __table_args__ = (
        sa.UniqueConstraint("proposal_id", "member_id"),
        sa.UniqueConstraint("proposal_id", "receipt"),
        sa.CheckConstraint("(member_id IS NULL) <> (receipt IS NULL)", name="secret_or_open"),
        {"sqlite_with_rowid": False},
    )

    #: random, so neither the key nor the storage order follows the order of voting
    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True, default=random_id)
    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("proposals.id"), index=True)
    #: open ballots only
    member_id: Mapped[int | None] = mapped_column(sa.ForeignKey("members.id"))
    #: secret ballots only: the code the voter was shown, published after close
    receipt: Mapped[str | None] = mapped_column(sa.String(20))
    #: JSON of the validated choice (a word, an option number, or a ranking)
    choice: Mapped[str] = mapped_column(sa.Text)


class BallotBox(db.Model):
    """A secret ballot while its vote is open: sealed (encrypted and authenticated with a key kept
    outside the database, padded to a fixed size), with a random id and nothing else: no member, no
    time, no receipt in clear. The row is written in the voter's transaction, so it is as linkable
    to them as their participation, which is why it says nothing. At close every sealed ballot of
    the proposal is opened and written to ``ballots`` in one transaction, in random order; the box
    rows are deleted. See docs/counting.md."""

    __tablename__ = "ballot_box"
    __table_args__ = ({"sqlite_with_rowid": False},)

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True, default=random_id)
    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("proposals.id"), index=True)
    #: the receipt code and the choice, sealed (coopkit.proposals.seal)
    sealed: Mapped[str] = mapped_column(sa.Text)


class BallotChange(db.Model):
    """History of an open ballot: every choice a member made, in order."""

    __tablename__ = "ballot_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("proposals.id"), index=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id"))
    choice: Mapped[str] = mapped_column(sa.Text)
    at: Mapped[datetime] = mapped_column(default=utcnow)


class ProposalComment(db.Model):
    """The discussion thread of a proposal."""

    __tablename__ = "proposal_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("proposals.id"), index=True)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    #: Markdown as typed
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
