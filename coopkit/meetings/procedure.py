"""How a general meeting runs under the rules: notice in clear days, short notice, quorum,
proxies, the statutory two-meeting window, and counting a vote taken at a meeting.

A pure core (no Flask, no database). Counting goes through the one tally of
:mod:`coopkit.proposals.tally`; what this module adds is what only a meeting has:
votes cast by those present or represented, the statutory special resolution's two
thirds and the audit exemption's two tests (s.84 of the 2014 Act).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction
from typing import Any

from coopkit.proposals import tally

#: decision kinds a meeting can put to a vote, with the words the notice and minutes use
KIND_LABELS: dict[str, str] = {
    "ordinary": "Ordinary resolution",
    "special": "Special resolution",
    "statutory_special": "Statutory special resolution (first meeting)",
    "statutory_confirmation": "Confirmation of a statutory special resolution (second meeting)",
    "audit_exemption": "Resolution not to have the accounts audited (section 84 of the 2014 Act)",
    "entrenched": "Change to an entrenched clause (every member must agree)",
}
KINDS = tuple(KIND_LABELS)
#: decision kinds about one member, or electing directors: put on the agenda with their own form
MEMBER_KIND_LABELS: dict[str, str] = {
    "expulsion": "Expulsion of a member",
    "admission": "Admission of a member",
    "election": "Election of directors",
}
#: every kind a meeting item may have, with its label
ALL_KIND_LABELS: dict[str, str] = {**KIND_LABELS, **MEMBER_KIND_LABELS}
#: the rules' deadline for standing for election: in writing at least this many days before the meeting
NOMINATION_DAYS = 7
#: what a statutory special resolution may be for (ss.109-113 of the 2014 Act)
STATUTORY_PURPOSES = {
    "amalgamation": "amalgamation with another society",
    "transfer": "transfer of engagements",
    "conversion": "conversion into a company",
}
#: days after the first meeting the confirming meeting may be held, at the earliest
CONFIRM_AFTER_DAYS = 14
#: at an adjourned meeting that is again inquorate, those present form a quorum if at least this many
ADJOURNED_MINIMUM = 2
#: the rules adjourn an inquorate meeting to the same day and time this many days later
ADJOURN_DAYS = 7
#: the directors must call a requisitioned meeting within this many days (society rules; a company: 21)
CALL_WITHIN_DAYS = {"society": 28, "company": 21}


@dataclass(frozen=True)
class MeetingRules:
    """What the rules in force say about general meetings (read from the co-op's parameters)."""

    legal_form: str = "society"
    notice_clear_days: int = 14
    short_notice_percent: int = 90
    quorum_min_members: int = 2
    quorum_percent: int = 50
    electronic_meetings: bool = True
    proxies: bool = False
    #: most appointments one holder may have (None: no limit in the rules)
    proxy_limit: int | None = None
    proxy_deadline_hours: int = 48
    ordinary: tuple[int, str] = (50, "cast")
    special: tuple[int, str] = (75, "cast")
    management: str = "collective"

    @classmethod
    def from_parameters(cls, params: dict[str, Any], legal_form: str | None) -> MeetingRules:
        form = legal_form or params.get("legal_form") or "society"
        company = form == "company"
        proxies = True if company else bool(params.get("proxies"))  # a company's members have the right by law
        return cls(
            legal_form=form,
            notice_clear_days=int(params.get("notice_clear_days") or 14),
            short_notice_percent=int(params.get("short_notice_percent") or 90),
            quorum_min_members=int(params.get("quorum_min_members") or 2),
            quorum_percent=int(params.get("quorum_percent") or 0),
            electronic_meetings=bool(params.get("electronic_meetings")),
            proxies=proxies,
            proxy_limit=None if company or not proxies else int(params.get("proxy_limit") or 1),
            proxy_deadline_hours=48 if company else int(params.get("proxy_deadline_hours") or 0),
            ordinary=(int(params.get("ordinary_threshold_percent") or 50), params.get("ordinary_basis") or "cast"),
            special=(int(params.get("special_threshold_percent") or 75), params.get("special_basis") or "cast"),
            management=params.get("management") or "collective",
        )

    def requisition_needed(self, members: int) -> int:
        """Members who must sign a requisition: the society rules' greater of two (or the quorum
        minimum when higher) and one tenth; a company's 5% of the voting rights (at least one)."""
        if self.legal_form == "company":
            return max(1, -(-members * 5 // 100))
        return max(max(2, self.quorum_min_members), -(-members // 10))


# --- notice ---------------------------------------------------------------------------------------

def clear_days(sent_on: date, meeting_on: date) -> int:
    """Whole days between sending and the meeting, counting neither of the two."""
    return (meeting_on - sent_on).days - 1


def earliest_meeting_day(sent_on: date, notice_clear_days: int) -> date:
    """The first day a meeting may be held when notice is sent on ``sent_on``."""
    return sent_on + timedelta(days=notice_clear_days + 1)


def consents_needed(entitled: int, percent: int) -> int:
    """Members whose agreement allows short notice: ``percent`` of those entitled, rounded up."""
    return -(-entitled * percent // 100)


def quorum_needed(eligible: int, rules: MeetingRules, *, adjourned_again: bool = False) -> int:
    """The quorum for a meeting with ``eligible`` voting members. At a meeting that was adjourned
    for want of a quorum, the members present form a quorum provided there are at least two."""
    if adjourned_again:
        return ADJOURNED_MINIMUM
    return tally.quorum_needed(eligible, rules.quorum_min_members, rules.quorum_percent)


def add_month(day: date) -> date:
    """The same day a calendar month later (the month's last day when it has no such day)."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def confirmation_window(first_meeting_on: date) -> tuple[date, date]:
    """The days on which a statutory special resolution may be confirmed: from 14 days to one
    month after the meeting that passed it."""
    return first_meeting_on + timedelta(days=CONFIRM_AFTER_DAYS), add_month(first_meeting_on)


# --- counting a vote at a meeting -----------------------------------------------------------------

@dataclass(frozen=True)
class Count:
    """The counts of one vote at a meeting."""

    votes_for: int
    against: int
    abstain: int = 0

    def __post_init__(self):
        if min(self.votes_for, self.against, self.abstain) < 0:
            raise ValueError("counts cannot be negative")

    @property
    def cast(self) -> int:
        """Votes cast: for and against (an abstention is not a vote cast)."""
        return self.votes_for + self.against

    @property
    def total(self) -> int:
        return self.votes_for + self.against + self.abstain


@dataclass(frozen=True)
class MeetingResult:
    kind: str
    count: Count
    passed: bool
    #: one plain sentence: why it passed or failed
    reason: str
    #: the rule it was counted by, in words ("at least 75% of votes cast, and more than half")
    rule: str
    needed: int | None = None

    @property
    def outcome(self) -> str:
        return "passed" if self.passed else "failed"


@dataclass(frozen=True)
class Counting:
    """How one kind is counted at a meeting: read from the rules' decision kind
    (coopkit.rules.decisions.DecisionKind), so the engine and the rules' text agree."""

    kind: str
    #: percent of the basis that must vote for (a Fraction for two thirds); more than half always applies
    threshold: int | Fraction = 50
    basis: str = "cast"
    #: the audit exemption's two tests: fewer than these percentages against
    against_cast_below: int | None = None
    against_all_below: int | None = None

    @property
    def rule(self) -> str:
        """The rule in words: "at least 75% of votes cast, and more than half"."""
        whom = "votes cast" if self.basis == "cast" else "all members entitled to vote"
        if self.threshold == Fraction(200, 3):
            words = f"at least two thirds of the {whom}"
        elif self.threshold == 50:
            words = f"more than half of the {whom}"
        else:
            words = f"at least {self.threshold}% of {whom}, and more than half"
        if self.against_cast_below is not None:
            words += (f"; and fewer than {self.against_cast_below}% of the votes cast and fewer than "
                      f"{self.against_all_below}% of all members against")
        return words


def _ballots(count: Count) -> list[str]:
    return ["for"] * count.votes_for + ["against"] * count.against + ["abstain"] * count.abstain


def count_vote(counting: Counting, count: Count, *, members: int) -> MeetingResult:
    """Whether a resolution counted by ``counting`` passes on ``count`` at a meeting of a co-op
    with ``members`` voting members (through the one tally). Raises ValueError when more votes
    are counted than there are members."""
    if count.total > members:
        raise ValueError(f"{count.total} votes counted but only {members} members may vote")
    spec = tally.Spec(method="resolution", eligible=members, quorum=0, threshold_percent=counting.threshold,
                      basis=counting.basis)
    result = tally.tally(spec, _ballots(count))
    passed, reason = result.passed, result.reason
    if counting.against_cast_below is not None and passed:
        if count.against * 100 >= counting.against_cast_below * count.cast:
            passed = False
            reason = (f"{count.against} against out of {count.cast} votes cast: fewer than "
                      f"{counting.against_cast_below}% of the votes cast may be against.")
        elif count.against * 100 >= counting.against_all_below * members:
            passed = False
            reason = (f"{count.against} against out of {members} members: fewer than "
                      f"{counting.against_all_below}% of all members may be against.")
        else:
            reason += (f" Against: {count.against}, under {counting.against_cast_below}% of votes cast and under "
                       f"{counting.against_all_below}% of all {members} members.")
    elif counting.threshold == Fraction(200, 3):
        reason = reason.replace(f"{result.needed} needed", f"two thirds ({result.needed}) needed")
    return MeetingResult(counting.kind, count, passed, reason, counting.rule, result.needed)
