"""The register's own records: significant control, share and property ledgers and amendments.
Members and officers (the register's rows everyone reads) are in :mod:`coopkit.coops.models`."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from coopkit.database import utcnow
from coopkit.extensions import db


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


class FieldChange:
    """The columns of one field's change in a register: what changed, the old and new values,
    why (in the words of whoever changed it), the day it was made, and who made it."""

    field: Mapped[str] = mapped_column(sa.String(40))
    old_value: Mapped[str] = mapped_column(sa.Text, default="")
    new_value: Mapped[str] = mapped_column(sa.Text, default="")
    reason: Mapped[str] = mapped_column(sa.String(300))
    on: Mapped[date]
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class RegisterAmendment(FieldChange, db.Model):
    """A correction or update of one field of a member's entry: the old and new values and why.

    The member row shows the current values; these rows are its history, so no
    change to the register is ever silent."""

    __tablename__ = "register_amendments"

    id: Mapped[int] = mapped_column(primary_key=True)
    coop_id: Mapped[int] = mapped_column(sa.ForeignKey("coops.id"), index=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id"), index=True)
    #: ``field`` is the Member attribute changed (e.g. "postal_address")


class OfficerAmendment(FieldChange, db.Model):
    """A change to one field of an appointment in the register of officers (a director's
    particulars, a name, a date): the old and new values and why. Private fields' values (the
    residential address, the full date of birth) are shown to the secretary only."""

    __tablename__ = "officer_amendments"

    id: Mapped[int] = mapped_column(primary_key=True)
    coop_id: Mapped[int] = mapped_column(sa.ForeignKey("coops.id"), index=True)
    officer_id: Mapped[int] = mapped_column(sa.ForeignKey("officers.id"), index=True)
    #: ``field`` is the Officer attribute changed (e.g. "service_address")
