"""A proposal's decision kind, read from the co-op's rules (coopkit.rules.decisions), and the
protections each kind carries: where it may be decided, who may vote, the notice and reply of
the member concerned, entrenched clauses and the legal check of an amendment.

Reads only; raises ProposalError with a message for the person acting.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from coopkit.coops.models import Member
from coopkit.extensions import db
from coopkit.proposals.errors import ProposalError
from coopkit.rules.decisions import DecisionKind, touches_entrenched

#: (method, preset) of a proposal made before it chose a kind -> the kind it means, by venue
_WRITTEN = {"ordinary": "written_ordinary", "special": "written_special"}


def kinds_of(coop) -> dict[str, DecisionKind]:
    from coopkit.rules.queries import decision_kinds

    return decision_kinds(coop)


def key_for(method: str, preset: str | None, changes: dict, venue: str) -> str:
    """The kind a draft means when it names a method (and resolution type) rather than a kind."""
    if method == "resolution":
        level = "special" if preset == "special" or (preset == "custom" and changes) else "ordinary"
        return _WRITTEN[level] if venue == "writing" else level
    if method == "unanimity":
        return "entrenched"
    if method == "instrument":
        return "dissolution"
    return method


def resolve(coop, key: str, venue: str) -> DecisionKind:
    """The kind ``key`` of the co-op's rules, if it may be decided at ``venue``; else ProposalError."""
    kinds = kinds_of(coop)
    kind = kinds.get(key)
    if kind is None:
        if key.startswith("written_") and "written_ordinary" not in kinds:
            raise ProposalError("Your rules do not allow written resolutions, so a resolution can only be passed "
                                "at a general meeting.")
        raise ProposalError(f"Your rules do not provide for that kind of decision ({key.replace('_', ' ')}). "
                            "Choose one of the kinds listed.")
    if venue == "writing" and not kind.in_writing:
        raise ProposalError(f"{kind.citation}: it can only be decided at a general meeting, never by a vote "
                            "outside a meeting.")
    if venue == "meeting" and not kind.at_meeting:
        raise ProposalError(f"{kind.citation}: it is not decided at a meeting.")
    return kind


def available(coop, venue: str = "writing") -> list[DecisionKind]:
    """The kinds a proposal may use at ``venue``, in the rules' order."""
    wanted = "in_writing" if venue == "writing" else "at_meeting"
    return [k for k in kinds_of(coop).values() if getattr(k, wanted)]


def counting(kind: DecisionKind, custom_threshold: int | None, custom_basis: str | None):
    """(threshold percent, exact threshold or None, basis) for a kind; a custom threshold may be
    stricter than the kind's, never weaker (and never counted on votes cast for a kind counted on
    all members)."""
    exact = str(kind.threshold) if not isinstance(kind.threshold, int) else None
    if custom_threshold is None or kind.method != "resolution":
        return kind.threshold_percent, exact, kind.basis
    basis = custom_basis or kind.basis
    if not 50 <= custom_threshold <= 100 or basis not in ("cast", "eligible"):
        raise ProposalError("A threshold is a percentage between 50 and 100.")
    if custom_threshold < kind.threshold or (kind.basis == "eligible" and basis == "cast"):
        raise ProposalError(f"{kind.citation}: a custom threshold can be stricter, never weaker.")
    return custom_threshold, None, basis


def check_amendment(coop, kind: DecisionKind, changes: dict) -> None:
    """An amendment may be put to this kind of decision: it changes the rules, touches an entrenched
    clause only under the entrenched kind, and the amended rules pass the legal check."""
    if not changes:
        return
    if not kind.amends_rules:
        raise ProposalError(f"Changing the rules needs a special resolution; {kind.citation} does not change them.")
    from coopkit.rules.queries import amendment

    planned = amendment(coop, changes)
    kinds = kinds_of(coop)
    touched = touches_entrenched(kinds, planned.current, planned.proposed)
    entrenched = kinds.get("entrenched")
    if touched and kind.key != "entrenched":
        numbers = ", ".join(sorted({_number(planned.current, t) for t in touched}))
        how = entrenched.citation if entrenched else "the rules do not allow it to change"
        raise ProposalError(f"This amendment changes an entrenched part of your rules ({numbers}). It can only be "
                            f"made as {how}, not by {kind.name}.")
    if not planned.report.passed:
        reasons = "; ".join(f"{i.label}: {i.detail}" if i.detail else i.label for i in planned.report.failures)
        raise ProposalError("The amended rules would fail the legal check, so they can't be put to a vote: "
                            + reasons)


def _number(document, target: str) -> str:
    clause_id, _, label = target.partition("#")
    clause = document.clause(clause_id)
    if clause is None:
        return target
    para = next((p for p in clause.paragraphs if p.label == label), None) if label else None
    word = "article" if document.legal_form == "company" else "rule"
    return f"{word} {para.number if para and para.number else clause.number}"


def check_subject(coop, kind: DecisionKind, member_id: int | None) -> Member | None:
    """The member an admission or expulsion is about: required for those kinds, refused for others."""
    if kind.subject != "member":
        if member_id:
            raise ProposalError(f"{kind.citation}: it is not about one member; leave the member empty.")
        return None
    member = db.session.get(Member, member_id) if member_id else None
    if member is None or member.coop_id != coop.id:
        raise ProposalError("Choose the member this decision is about.")
    if kind.voters == "members_except_subject" and not member.is_current:
        raise ProposalError(f"{member.full_name} is not a current member, so cannot be expelled.")
    if kind.key.endswith("admission") and member.status != "applicant":
        raise ProposalError(f"{member.full_name} is not an applicant for membership.")
    return member


def clear_days_after(notified: datetime, days: int) -> datetime:
    """The first moment an event may happen after ``days`` clear days' notice given at ``notified``:
    neither the day of notice nor the day of the event counts."""
    return datetime.combine(notified.date() + timedelta(days=days + 1), datetime.min.time())


def check_subject_ready(proposal, kind: DecisionKind, now: datetime) -> None:
    """Before the vote opens: the member concerned had their notice period and their reply (or the
    record that they gave none) is attached."""
    if kind.subject_notice_days is not None:
        if proposal.subject_notified_at is None:
            raise ProposalError(f"{kind.citation}: record when the member was given written notice first "
                                f"(at least {kind.subject_notice_days} clear days before the vote).")
        ready = clear_days_after(proposal.subject_notified_at, kind.subject_notice_days)
        if now < ready:
            raise ProposalError(f"The member's notice period ({kind.subject_notice_days} clear days) ends on "
                                f"{(ready - timedelta(days=1)):%d %B %Y}: the vote can open from {ready:%d %B %Y}.")
    if kind.reply_required and proposal.subject_reply_at is None:
        raise ProposalError("Attach the member's reply, or record that they gave none, before the vote opens.")


def roll_without_subject(kind: DecisionKind, roll: list[Member], subject_id: int | None) -> list[Member]:
    """The voter roll for this kind: the member concerned does not vote on their own expulsion."""
    if kind.voters == "members_except_subject":
        return [m for m in roll if m.id != subject_id]
    return roll


def subject_name(proposal) -> str | None:
    if proposal.subject_member_id is None:
        return None
    return db.session.execute(sa.select(Member.full_name).where(Member.id == proposal.subject_member_id)).scalar()


def fallback_for(coop, proposal) -> tuple[DecisionKind, DecisionKind | None] | None:
    """For a consent or consensus decision that was not agreed: (its kind, the written kind it may
    fall back to, or None when the fallback needs a meeting); None when the rules give no fallback."""
    if proposal.state != "closed" or proposal.outcome != "failed" or proposal.venue == "legacy" \
            or proposal.method not in ("consent", "consensus"):
        return None
    all_kinds = kinds_of(coop)
    kind = all_kinds.get(proposal.kind)
    if kind is None or not kind.fallback:
        return None
    written = all_kinds.get(f"written_{kind.fallback}")
    return kind, written
