from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coopkit.database import utcnow
from coopkit.extensions import db

LEGAL_FORMS = {
    "society": "Co-operative society (2014 Act)",
    "company": "Company limited by guarantee with co-op articles",
}
STAGES = ("forming", "registering", "registered")


class Coop(db.Model):
    """A co-op's workspace: everything in coopkit belongs to exactly one."""

    __tablename__ = "coops"
    __table_args__ = (
        sa.CheckConstraint("stage IN ('forming', 'registering', 'registered')", name="stage"),
        sa.CheckConstraint("legal_form IS NULL OR legal_form IN ('society', 'company')", name="legal_form"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(160))
    #: the workspace address: /c/<slug>/
    slug: Mapped[str] = mapped_column(sa.String(60), unique=True)
    #: society (FCA, 2014 Act) or company (Companies House); chosen in the founding journey
    legal_form: Mapped[str | None] = mapped_column(sa.String(20))
    #: forming -> registering (application sent) -> registered
    stage: Mapped[str] = mapped_column(sa.String(20), default="forming")
    #: the FCA society number or Companies House number, once registered
    registration_number: Mapped[str | None] = mapped_column(sa.String(40))
    registered_on: Mapped[date | None]
    #: where notices are sent (Schedule 1, item 3)
    registered_office: Mapped[str] = mapped_column(sa.Text, default="")
    cohort_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cohorts.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: last time anybody changed something here (the mentor dashboard's "last activity")
    last_activity_at: Mapped[datetime] = mapped_column(default=utcnow)

    cohort = relationship("Cohort", lazy="raise")

    @property
    def legal_form_label(self) -> str:
        return LEGAL_FORMS.get(self.legal_form or "", "Not chosen yet")

    def __repr__(self) -> str:
        return f"<Coop {self.slug}>"


class Invitation(db.Model):
    """An invitation to join a co-op, by email or as a copyable link.

    Only a hash of the token is stored: the link itself is shown once.
    """

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    coop_id: Mapped[int] = mapped_column(sa.ForeignKey("coops.id"), index=True)
    #: empty for a link invitation that anyone holding it may accept
    email: Mapped[str | None] = mapped_column(sa.String(254))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    accepted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    revoked_at: Mapped[datetime | None]
    #: the register entry (imported, without an account) that the accepting account is bound to
    member_id: Mapped[int | None] = mapped_column(sa.ForeignKey("members.id"), index=True)

    coop = relationship("Coop", lazy="raise")
    created_by = relationship("User", foreign_keys=[created_by_id], lazy="raise")

    def state(self, now: datetime) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= now:
            return "expired"
        return "pending"


# The register's rows of members and officers live here, beside the co-op, because
# authorization (coops.policy) and every feature read them; coopkit.register writes them.
MEMBER_STATUSES = ("founder", "applicant", "member", "ceased")
#: statuses of people who currently belong to the co-op (applicants do not yet)
CURRENT_STATUSES = ("founder", "member")
OFFICES = ("secretary", "director", "chair", "treasurer", "manager")
#: offices a person who is not a member may hold (the rules let the directors appoint them)
NON_MEMBER_OFFICES = ("secretary", "manager")


class Member(db.Model):
    """One membership in the register of members. Never deleted: a member who leaves keeps the
    row with a date ceased; if they join again, the new membership is a new row."""

    __tablename__ = "members"
    __table_args__ = (
        sa.CheckConstraint("status IN ('founder', 'applicant', 'member', 'ceased')", name="status"),
        sa.CheckConstraint("member_class IN ('voting', 'non_voting')", name="member_class"),
        sa.CheckConstraint("ceased_on IS NULL OR admitted_on IS NULL OR ceased_on >= admitted_on",
                           name="ceased_after_admitted"),
        sa.Index("ix_members_coop_status", "coop_id", "status"),
        # An account has at most one entry in a co-op that has not ceased: someone who leaves and
        # joins again gets a new entry (a new membership with its own dates), the old one stays ceased.
        sa.Index("ix_members_coop_user_current", "coop_id", "user_id", unique=True,
                 sqlite_where=sa.text("status <> 'ceased'"), postgresql_where=sa.text("status <> 'ceased'")),
        # The calendar's probations (the mentor dashboard asks for every co-op's): only the few
        # entries with a probation, not every member of the co-op.
        sa.Index("ix_members_coop_probation", "coop_id",
                 sqlite_where=sa.text("probation_ends_on IS NOT NULL"),
                 postgresql_where=sa.text("probation_ends_on IS NOT NULL")),
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
    #: the person's earlier entry when they left and joined again (each membership keeps its own dates);
    #: a plain id, restored by the export like the other soft references
    previous_member_id: Mapped[int | None] = mapped_column(sa.Integer, info={"references": "members"})
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
    #: an elected director's term under the rules (elected at a general meeting); empty otherwise
    term_ends_on: Mapped[date | None]
    #: particulars a company keeps for each director (Companies Act 2006 ss.162-163), and a society's
    #: register of officers likewise: any former name, a service address (shown in the register),
    #: the usual residential address and full date of birth (private: the secretary only; the register
    #: shows the month and year of birth), nationality, country of usual residence and business
    #: occupation. Corrected through coopkit.register.officers.set_particulars (old values kept).
    former_names: Mapped[str] = mapped_column(sa.String(160), default="")
    service_address: Mapped[str] = mapped_column(sa.Text, default="")
    residential_address: Mapped[str] = mapped_column(sa.Text, default="")
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


# Cohorts and mentors: coops.policy gives a mentor their role from these rows.
class Cohort(db.Model):
    """A group of founding co-ops followed together, e.g. one year's graduates."""

    __tablename__ = "cohorts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    description: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class MentorAssignment(db.Model):
    """A mentor follows every co-op of a cohort, read-only."""

    __tablename__ = "mentor_assignments"
    __table_args__ = (sa.UniqueConstraint("cohort_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohorts.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    assigned_at: Mapped[datetime] = mapped_column(default=utcnow)

    cohort = relationship("Cohort", lazy="raise")
    user = relationship("User", lazy="raise")


REQUEST_STATUSES = ("pending", "accepted", "declined", "ended")


class CohortRequest(db.Model):
    """The platform asks a co-op to let someone in: to join a cohort (its mentors then follow
    it), or to let a platform admin mentor it. Nothing changes until the co-op's secretary
    or one of its founders accepts; the request and the answer are in the co-op's audit log."""

    __tablename__ = "cohort_requests"
    __table_args__ = (
        sa.CheckConstraint("status IN ('pending', 'accepted', 'declined', 'ended')", name="status"),
        sa.Index("ix_cohort_requests_coop_status", "coop_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    coop_id: Mapped[int] = mapped_column(sa.ForeignKey("coops.id"))
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohorts.id"), index=True)
    #: the mentor the co-op is asked to accept (a platform admin, or a mentor added to the cohort
    #: after the co-op joined it); empty: the co-op is asked to join the cohort
    mentor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    requested_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: pending until answered; ended when the co-op leaves the cohort or the mentor is removed
    status: Mapped[str] = mapped_column(sa.String(10), default="pending")
    answered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    answered_at: Mapped[datetime | None]

    cohort = relationship("Cohort", lazy="raise")
    mentor = relationship("User", foreign_keys=[mentor_id], lazy="raise")


def mentor_follows(coop_id, cohort_id, user_id, is_admin):
    """SQL condition: the mentor assigned to the co-op's cohort may follow the co-op.

    A platform admin needs the co-op's yes (an accepted request). Any other mentor follows the
    co-op unless a request about them is waiting for the co-op's answer or was declined: the
    mentors already in a cohort when a co-op accepts it come with that yes, and a mentor added
    to the cohort later is asked about, co-op by co-op. ``is_admin`` is a bool or a column.
    The one place this rule lives: the policy, the mentor's lists and the digest use it."""
    def about(*statuses):
        return sa.exists().where(
            CohortRequest.coop_id == coop_id, CohortRequest.cohort_id == cohort_id,
            CohortRequest.mentor_id == user_id, CohortRequest.status.in_(statuses))

    if isinstance(is_admin, bool):
        return about("accepted") if is_admin else ~about("pending", "declined")
    return sa.or_(sa.and_(is_admin.is_(True), about("accepted")),
                  sa.and_(is_admin.is_(False), ~about("pending", "declined")))
