"""Every model, imported once so the metadata (and Alembic) sees all tables."""

from coopkit.accounts.models import User  # noqa: F401
from coopkit.audit.models import ArchivedAuditEvent, AuditChainHead, AuditEvent  # noqa: F401
from coopkit.calendar.models import CalendarSettings, FeedToken, ObligationDone, ReminderSent  # noqa: F401
from coopkit.coops.models import Coop, Invitation  # noqa: F401
from coopkit.directory.models import BuyerPack, PublicProfile  # noqa: F401
from coopkit.documents.models import CachedDocument  # noqa: F401
from coopkit.founding.models import (  # noqa: F401
    ChecklistTick,
    FoundingStep,
    OfficerPrivateDetails,
    StepAnswer,
    StepSignoff,
)
from coopkit.jobs.models import DocumentJob, FailedJob  # noqa: F401
from coopkit.meetings.models import (  # noqa: F401
    AgendaItem,
    Attendance,
    Consent,
    Meeting,
    MeetingBallot,
    MeetingVoter,
    Proxy,
)
from coopkit.mentoring.models import Cohort, MentorAssignment, MentorDigestSent, StepComment  # noqa: F401
from coopkit.proposals.models import (  # noqa: F401
    Ballot,
    BallotChange,
    Participation,
    Proposal,
    ProposalComment,
    VoterRollEntry,
)
from coopkit.register.models import (  # noqa: F401
    Member,
    MemberProperty,
    Officer,
    RegisterAmendment,
    ShareTransaction,
    SignificantControl,
)
from coopkit.rules.models import RulesVersion  # noqa: F401
