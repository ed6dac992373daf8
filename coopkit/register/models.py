from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coopkit.database import utcnow
from coopkit.extensions import db

MEMBER_STATUSES = ("founder", "applicant", "member", "ceased")
#: statuses of people who currently belong to the co-op (applicants do not yet)
CURRENT_STATUSES = ("founder", "member")
OFFICES = ("secretary", "director", "chair", "treasurer", "manager")
#: offices a person who is not a member may hold (the rules let the directors appoint them)
NON_MEMBER_OFFICES = ("secretary", "manager")


class Member(db.Model):
    """One row of the register of members. Never deleted: a member who leaves
    keeps the row with a date ceased."""

    __tablename__ = "members"
    __table_args__ = (
        sa.CheckConstraint("status IN ('founder', 'applicant', 'member', 'ceased')", name="status"),
        sa.CheckConstraint("member_class IN ('voting', 'non_voting')", name="member_class"),
        sa.CheckConstraint("ceased_on IS NULL OR admitted_on IS NULL OR ceased_on >= admitted_on",
                           name="ceased_after_admitted"),
        sa.Index("ix_members_coop_status", "coop_id", "status"),
        # A user appears at most once per co-op (a returning member gets their old row back).
        sa.UniqueConstraint("coop_id", "user_id", name="uq_members_coop_user"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    coop_id: Mapped[int] = mapped_column(sa.ForeignKey("coops.id"), index=True)
    #: the member's account, if they have one
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    #: s.30(1)(a): name
    full_name: Mapped[str] = mapped_column(sa.String(160))
    #: s.30(1)(a): postal address (private: the member and the secretary only)
    postal_address: Mapped[str] = mapped_column(sa.Text, default="")
    #: s.30(1)(b): electronic address, if the member gives one
    email: Mapped[str | None] = mapped_column(sa.String(254))
    #: consent to receive notices electronically at that address
    consents_to_electronic: Mapped[bool] = mapped_column(default=False)
    #: founder (forming), applicant, member, ceased
    status: Mapped[str] = mapped_column(sa.String(20), default="applicant")
    #: voting members vote; a non-voting class exists only where the rules allow it
    member_class: Mapped[str] = mapped_column(sa.String(20), default="voting")
    #: s.30(1)(e): date entered on the register as a member
    admitted_on: Mapped[date | None]
    #: s.30(1)(f): date ceased to be a member
    ceased_on: Mapped[date | None]
    ceased_reason: Mapped[str | None] = mapped_column(sa.String(40))
    #: end of probation, when the rules set one
    probation_ends_on: Mapped[date | None]
    #: the day the application was made (applicants)
    applied_on: Mapped[date | None]
    #: the proposal whose resolution admitted the member, where the rules require one
    admitted_by_proposal_id: Mapped[int | None] = mapped_column(sa.Integer)
    #: anti-money-laundering details (private: the member and the secretary only)
    date_of_birth: Mapped[date | None]
    #: since when the member has lived at the postal address (AML)
    address_since: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    coop = relationship("Coop", lazy="raise")
    user = relationship("User", lazy="raise")

    @property
    def is_current(self) -> bool:
        return self.status in CURRENT_STATUSES

    @property
    def can_vote(self) -> bool:
        return self.is_current and self.member_class == "voting"

    def status_on(self, day: date | None) -> str:
        """The status the entry had at the end of ``day`` (today's status when None)."""
        if day is None:
            return self.status
        if self.ceased_on is not None and self.ceased_on <= day:
            return "ceased"
        if self.admitted_on is not None and self.admitted_on <= day:
            return "member"
        return "founder" if self.status == "founder" else "applicant"

    def __repr__(self) -> str:
        return f"<Member {self.id} {self.status}>"


class Officer(db.Model):
    """An appointment to an office; ceased, never deleted (register of officers)."""

    __tablename__ = "officers"
    __table_args__ = (
        sa.CheckConstraint("office IN ('secretary', 'director', 'chair', 'treasurer', 'manager')", name="office"),
        sa.CheckConstraint("ceased_on IS NULL OR ceased_on >= appointed_on", name="ceased_after_appointed"),
        sa.CheckConstraint("member_id IS NOT NULL OR person_name IS NOT NULL", name="member_or_person"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    coop_id: Mapped[int] = mapped_column(sa.ForeignKey("coops.id"), index=True)
    #: the member who holds the office; empty for an officer who is not a member (a secretary, a manager)
    member_id: Mapped[int | None] = mapped_column(sa.ForeignKey("members.id"), index=True)
    #: the name of an officer who is not a member
    person_name: Mapped[str | None] = mapped_column(sa.String(160))
    office: Mapped[str] = mapped_column(sa.String(20))
    appointed_on: Mapped[date]
    ceased_on: Mapped[date | None]
    #: particulars a company keeps for each director (Companies Act 2006 ss.162-163): a service address
    #: (defaults to the register address), date of birth (non-members; a member's is on their entry),
    #: nationality, country of usual residence and business occupation. Private: the secretary only.
    service_address: Mapped[str] = mapped_column(sa.Text, default="")
    date_of_birth: Mapped[date | None]
    nationality: Mapped[str] = mapped_column(sa.String(80), default="")
    country_of_residence: Mapped[str] = mapped_column(sa.String(80), default="")
    occupation: Mapped[str] = mapped_column(sa.String(120), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    member = relationship("Member", lazy="raise", foreign_keys=[member_id])

    @property
    def name(self) -> str:
        """The non-member's name (a member's is on their entry: load it with the officer)."""
        return self.person_name or ""


class SignificantControl(db.Model):
    """The register of people with significant control a company keeps (Companies Act 2006 Part 21A).
    In a small worker co-op each member may hold more than 25% of the votes. Ceased, never deleted."""

    __tablename__ = "significant_controls"
    __table_args__ = (
        sa.CheckConstraint("ceased_on IS NULL OR ceased_on >= became_on", name="ceased_after_became"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    coop_id: Mapped[int] = mapped_column(sa.ForeignKey("coops.id"), index=True)
    #: the member, when the person is one
    member_id: Mapped[int | None] = mapped_column(sa.ForeignKey("members.id"), index=True)
    full_name: Mapped[str] = mapped_column(sa.String(160))
    #: the nature of the control, e.g. "holds more than 25% but not more than 50% of the voting rights"
    nature: Mapped[str] = mapped_column(sa.String(300))
    service_address: Mapped[str] = mapped_column(sa.Text, default="")
    date_of_birth: Mapped[date | None]
    nationality: Mapped[str] = mapped_column(sa.String(80), default="")
    country_of_residence: Mapped[str] = mapped_column(sa.String(80), default="")
    #: the day the person became registrable, and the day they ceased to be
    became_on: Mapped[date]
    ceased_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ShareTransaction(db.Model):
    """An issue, withdrawal or transfer of shares. Holdings are sums of these rows."""

    __tablename__ = "share_transactions"
    __table_args__ = (
        sa.CheckConstraint("kind IN ('issue', 'withdrawal', 'transfer_in', 'transfer_out')", name="kind"),
        sa.CheckConstraint("amount_pence <> 0", name="amount_nonzero"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    coop_id: Mapped[int] = mapped_column(sa.ForeignKey("coops.id"), index=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id"), index=True)
    #: issue, withdrawal, transfer_in, transfer_out
    kind: Mapped[str] = mapped_column(sa.String(20))
    #: signed, in pence: positive adds to the holding, negative takes from it
    amount_pence: Mapped[int]
    #: pence paid up on this transaction (s.30(1)(c): amount paid on shares)
    paid_pence: Mapped[int] = mapped_column(default=0)
    on: Mapped[date]
    #: the other side of a transfer
    counterpart_member_id: Mapped[int | None] = mapped_column(sa.ForeignKey("members.id"))
    note: Mapped[str] = mapped_column(sa.String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


#: kinds of other property a member holds in the co-op (s.30(1)(d))
PROPERTY_KINDS = ("loan", "deposit")


class MemberProperty(db.Model):
    """Other property a member holds in the co-op: money lent or deposited, and repaid.

    Like the share ledger, a balance is the sum of these dated rows, never a counter."""

    __tablename__ = "member_property"
    __table_args__ = (
        sa.CheckConstraint("kind IN ('loan', 'deposit')", name="kind"),
        sa.CheckConstraint("amount_pence <> 0", name="amount_nonzero"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    coop_id: Mapped[int] = mapped_column(sa.ForeignKey("coops.id"), index=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id"), index=True)
    #: loan (money lent to the co-op) or deposit
    kind: Mapped[str] = mapped_column(sa.String(20))
    #: signed, in pence: positive when the member pays money in, negative when it is repaid
    amount_pence: Mapped[int]
    on: Mapped[date]
    #: terms in a few words (e.g. "3% a year, repayable on 3 months' notice")
    note: Mapped[str] = mapped_column(sa.String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class RegisterAmendment(db.Model):
    """A correction or update of one field of a member's entry: the old and new values and why.

    The member row shows the current values; these rows are its history, so no
    change to the register is ever silent."""

    __tablename__ = "register_amendments"

    id: Mapped[int] = mapped_column(primary_key=True)
    coop_id: Mapped[int] = mapped_column(sa.ForeignKey("coops.id"), index=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id"), index=True)
    #: the Member attribute changed (e.g. "postal_address")
    field: Mapped[str] = mapped_column(sa.String(40))
    old_value: Mapped[str] = mapped_column(sa.Text, default="")
    new_value: Mapped[str] = mapped_column(sa.Text, default="")
    #: why the entry changed, in the words of whoever changed it
    reason: Mapped[str] = mapped_column(sa.String(300))
    #: the date the change was made in the register
    on: Mapped[date]
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
