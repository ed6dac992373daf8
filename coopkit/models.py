"""Every model, imported once so the metadata (and Alembic) sees all tables."""

from coopkit.accounts.models import User  # noqa: F401
from coopkit.audit.models import ArchivedAuditEvent, AuditChainHead, AuditEvent  # noqa: F401
from coopkit.calendar.models import CalendarSettings, FeedToken, ObligationDone, ReminderSent  # noqa: F401
from coopkit.coops.models import (  # noqa: F401
    Cohort,
    CohortRequest,
    Coop,
    Invitation,
    Member,
    MentorAssignment,
    Officer,
)
from coopkit.directory.models import BuyerPack, PublicProfile  # noqa: F401
from coopkit.documents.models import CachedDocument  # noqa: F401
from coopkit.founding.models import (  # noqa: F401
    ChecklistTick,
    FoundingStep,
    OfficerPrivateDetails,
    StepAnswer,
    StepComment,
    StepSignoff,
)
from coopkit.jobs.models import DocumentJob, FailedJob  # noqa: F401
from coopkit.meetings.models import (  # noqa: F401
    AgendaItem,
    Attendance,
    Consent,
    Meeting,
    MeetingBallot,
    MeetingBallotBox,
    MeetingCandidate,
    MeetingRanking,
    MeetingVoter,
    Proxy,
)
from coopkit.mentoring.models import MentorDigestSent  # noqa: F401
from coopkit.proposals.models import (  # noqa: F401
    Ballot,
    BallotChange,
    Participation,
    Proposal,
    ProposalComment,
    VoterRollEntry,
)
from coopkit.register.models import (  # noqa: F401
    MemberProperty,
    OfficerAmendment,
    RegisterAmendment,
    ShareTransaction,
    SignificantControl,
)
from coopkit.rules.models import RulesVersion  # noqa: F401
