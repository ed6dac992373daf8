"""Reads for public profiles and buyer packs: the facts, computed from the co-op's records."""

from __future__ import annotations

import json
import re
from datetime import date
from functools import lru_cache

import sqlalchemy as sa

from coopkit.accounts.models import User
from coopkit.audit.models import AuditChainHead
from coopkit.audit.services import chain_name
from coopkit.calendar.models import ObligationDone
from coopkit.coops.models import Coop, Member
from coopkit.directory import facts as factlib
from coopkit.directory.models import BuyerPack, PublicProfile
from coopkit.extensions import db
from coopkit.meetings import queries as meetings_queries
from coopkit.register import queries as register_queries
from coopkit.rules import queries as rules_queries
from coopkit.rules import render
from coopkit.rules.ruleset import RuleSetError, load_ruleset

#: evidence key -> the (clause id, sub-clause label) that says it, tried in order
EVIDENCE = {
    "worker_membership": [("membership", "who")],
    "one_member_one_vote": [("voting", "one")],
    "asset_lock": [("dissolution", "lock"), ("winding-up", "lock")],
    "management": [("collective-management", "all"), ("board", "size")],
}

_PARAGRAPH = re.compile(r"^\*\*(\d+(?:\.\d+)?)\*\*\s+(.*)$")


def profile_of(coop) -> PublicProfile | None:
    return db.session.execute(
        sa.select(PublicProfile).where(PublicProfile.coop_id == coop.id)).scalar_one_or_none()


def published_profile(slug: str) -> tuple[Coop, PublicProfile] | None:
    """The co-op and its profile when it is registered and published; else None."""
    row = db.session.execute(
        sa.select(Coop, PublicProfile).join(PublicProfile, PublicProfile.coop_id == Coop.id)
        .where(Coop.slug == slug, PublicProfile.published.is_(True), Coop.stage == "registered")
    ).first()
    return (row[0], row[1]) if row else None


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def directory(service: str = "", area: str = "") -> list[tuple[Coop, PublicProfile]]:
    """Published profiles of registered co-ops, by name, filtered by words in their services
    and areas (case-insensitive); one statement."""
    query = (sa.select(Coop, PublicProfile).join(PublicProfile, PublicProfile.coop_id == Coop.id)
             .where(PublicProfile.published.is_(True), Coop.stage == "registered"))
    for column, words in ((PublicProfile.services, service), (PublicProfile.areas, area)):
        for word in words.split()[:5]:
            query = query.where(sa.func.lower(column).like(f"%{_escape_like(word.lower())}%", escape="\\"))
    return [(c, p) for c, p in db.session.execute(query.order_by(Coop.name)).all()]


def _paragraphs(body: str) -> list[tuple[str, str]]:
    """(number, text) of each numbered sub-clause in a stored clause body."""
    found = []
    for block in body.split("\n\n"):
        match = _PARAGRAPH.match(block.strip())
        if match:
            found.append((match.group(1), match.group(2).strip()))
    return found


@lru_cache(maxsize=128)
def _quoted(ruleset_id: str, parameters: str, text: str) -> dict[str, factlib.Quoted]:
    """The evidence sub-clauses, quoted from the stored (adopted) text. Which sub-clause says
    what is found by rendering the rule set for the same parameters (labels are not stored);
    the words and numbers quoted are always the stored ones. Cached by its inputs."""
    try:
        document = render.render_document(load_ruleset(ruleset_id), json.loads(parameters))
    except (RuleSetError, render.RenderError, ValueError):
        return {}
    stored = {entry.id: entry for entry in render.outline(text)}
    found: dict[str, factlib.Quoted] = {}
    for key, places in EVIDENCE.items():
        for clause_id, label in places:
            clause = next((c for c in document.clauses if c.id == clause_id), None)
            entry = stored.get(clause_id)
            if clause is None or entry is None:
                continue
            position = next((i for i, p in enumerate(clause.paragraphs) if p.label == label), None)
            paragraphs = _paragraphs(entry.body)
            if position is None or position >= len(paragraphs):
                continue
            number, words = paragraphs[position]
            found[key] = factlib.Quoted(number, entry.title, render.unescape_md(words).replace("**", ""))
            break
    return found


def evidence_clauses(coop) -> tuple[dict[str, factlib.Quoted], object | None, dict]:
    """The quoted evidence, the governing rules version and its parameters."""
    version = rules_queries.governing_version(coop)
    if version is None:
        return {}, None, {}
    return _quoted(version.ruleset_id, version.parameters, version.text), version, json.loads(version.parameters)


def private_emails(coop) -> set[str]:
    """Every email address of the co-op's people (register and accounts), lower-cased: none
    of them may become the public contact."""
    register = db.session.execute(sa.select(Member.email).where(Member.coop_id == coop.id)).scalars()
    accounts = db.session.execute(
        sa.select(User.email).join(Member, Member.user_id == User.id).where(Member.coop_id == coop.id)).scalars()
    return {e.strip().lower() for e in [*register, *accounts] if e}


def current_officers(coop) -> list[tuple[str, str]]:
    """(name, office) of every officer in post, secretary first; names only."""
    rows = register_queries.officers(coop, include_ceased=False)
    return [(getattr(member, "full_name", None) or getattr(officer, "name", ""), officer.office)
            for officer, member in rows]


def filings(coop) -> tuple[date | None, date | None]:
    """(date of the last AGM, date the last annual return was filed): the latest AGM held in
    coopkit or recorded as held on the statutory calendar, and the latest annual return
    (a company: confirmation statement) recorded as filed there. One statement, plus one
    for meetings."""
    return_kind = "confirmation" if coop.legal_form == "company" else "annual_return"
    done = dict(db.session.execute(
        sa.select(ObligationDone.kind, sa.func.max(ObligationDone.done_on))
        .where(ObligationDone.coop_id == coop.id, ObligationDone.kind.in_(("agm", return_kind)))
        .group_by(ObligationDone.kind)).all())
    agms = [d for d in (done.get("agm"), meetings_queries.last_agm_on(coop)) if d]
    return (max(agms) if agms else None), done.get(return_kind)


def compute_facts(coop, profile: PublicProfile | None) -> dict:
    """Every fact a buyer sees, computed now from the records."""
    counts = register_queries.counts(coop)
    clauses, version, params = evidence_clauses(coop)
    last_agm, last_return = filings(coop)
    return factlib.build_facts(
        coop_name=coop.name, slug=coop.slug, legal_form=coop.legal_form,
        registration_number=coop.registration_number, registered_on=coop.registered_on,
        registered_office=coop.registered_office, members=counts["current"],
        workers=profile.workers if profile else None, workers_as_at=profile.workers_as_at if profile else None,
        params=params, clauses=clauses, officers=current_officers(coop),
        rules_version=version.number if version else None,
        rules_registered_on=version.registered_on if version else None,
        last_agm=last_agm, last_annual_return=last_return)


def audit_head(coop) -> tuple[int, str]:
    """The co-op's audit chain head now: (sequence, hash)."""
    head = db.session.get(AuditChainHead, chain_name(coop.id))
    return (head.seq, head.hash) if head else (0, "")


def pack_by_code(code: str) -> tuple[BuyerPack, Coop] | None:
    normalised = normalise_code(code)
    if normalised is None:
        return None
    row = db.session.execute(
        sa.select(BuyerPack, Coop).join(Coop, Coop.id == BuyerPack.coop_id).where(BuyerPack.code == normalised)
    ).first()
    return (row[0], row[1]) if row else None


CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L
_CODE_RE = re.compile(rf"^[{CODE_ALPHABET}]{{4}}-[{CODE_ALPHABET}]{{4}}-[{CODE_ALPHABET}]{{4}}$")


def normalise_code(code: str) -> str | None:
    """A typed verification code in its canonical form (upper case, dashes), or None when it
    cannot be one."""
    compact = re.sub(r"[\s-]", "", (code or "").upper())[:40]
    if len(compact) != 12:
        return None
    candidate = f"{compact[0:4]}-{compact[4:8]}-{compact[8:12]}"
    return candidate if _CODE_RE.match(candidate) else None


def pack_in_coop(coop, pack_id: int) -> BuyerPack | None:
    pack = db.session.get(BuyerPack, pack_id)
    return pack if pack is not None and pack.coop_id == coop.id else None


def packs(coop, limit: int = 20) -> list[BuyerPack]:
    return list(db.session.execute(
        sa.select(BuyerPack).where(BuyerPack.coop_id == coop.id).order_by(BuyerPack.issued_at.desc())
        .limit(limit)).scalars())


def pack_status(pack: BuyerPack, coop: Coop) -> dict:
    """Whether a pack's facts are still true: 'current', 'changed' (with the changes) or
    'withdrawn' (the co-op no longer publishes a profile)."""
    profile = profile_of(coop)
    issued = json.loads(pack.facts)
    current = compute_facts(coop, profile)
    changes = factlib.changed_facts(issued, current)
    published = profile is not None and profile.published and coop.stage == "registered"
    state = "withdrawn" if not published else ("changed" if changes else "current")
    return {"state": state, "changes": changes, "issued": issued, "current": current}
