"""The facts a buyer relies on, as plain data: pure functions, no Flask or database.

:func:`build_facts` turns what the queries gathered into one dictionary (the profile, the
JSON and the buyer pack all show this one dictionary); :func:`facts_hash` fingerprints it
for verification; :func:`changed_facts` says which facts moved since a pack was issued;
:func:`to_party` shapes it as an Open Contracting (OCDS) party; :func:`eligibility` answers a
worker co-op network's usual membership conditions from it."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import date

#: schema version of the facts and of /p/<slug>.json (docs/directory-format.md)
FORMAT_VERSION = "1.0"

#: UK postcode at the end of an address line ("Preston PR1 2UR" -> "Preston")
_POSTCODE = re.compile(r"\s*\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Quoted:
    """A sub-clause of the adopted rules quoted as evidence."""
    number: str  # "20.1"
    title: str   # "Voting and resolutions"
    text: str    # the sub-clause's words (Markdown emphasis removed)


def office_town(registered_office: str | None) -> str | None:
    """The town of a registered office address: its last part without the postcode.
    Only the town is published, never the street."""
    if not registered_office:
        return None
    parts = [p.strip() for p in re.split(r"[,\n]", registered_office) if p.strip()]
    if not parts:
        return None
    town = _POSTCODE.sub("", parts[-1]).strip()
    if not town and len(parts) > 1:  # the postcode had a line of its own
        town = _POSTCODE.sub("", parts[-2]).strip()
    return town or None


def identifier(legal_form: str | None, registration_number: str | None) -> dict | None:
    """The org-id.guide identifier: GB-MPR for a society on the Mutuals Public Register,
    GB-COH for a company at Companies House."""
    if not registration_number:
        return None
    scheme = "GB-COH" if legal_form == "company" else "GB-MPR"
    return {"scheme": scheme, "id": registration_number.strip()}


def worker_share_percent(members: int, workers: int | None) -> int | None:
    """Of the workers the co-op employs, the percentage who are members (at most 100)."""
    if not workers:
        return None
    return min(100, round(100 * members / workers))


_EVIDENCE_ORDER = ["worker_membership", "one_member_one_vote", "management", "asset_lock"]


def build_facts(*, coop_name: str, slug: str, legal_form: str | None, registration_number: str | None,
                registered_on: date | None, registered_office: str | None, members: int,
                workers: int | None, workers_as_at: date | None, params: dict,
                clauses: dict[str, Quoted], officers: list[tuple[str, str]],
                rules_version: int | None, rules_registered_on: date | None,
                last_agm: date | None, last_annual_return: date | None) -> dict:
    """One dictionary of every fact a buyer sees, with only JSON types in it."""
    def day(value: date | None) -> str | None:
        return value.isoformat() if value else None

    def clause(key: str) -> str | None:
        quoted = clauses.get(key)
        return quoted.number if quoted else None

    asset_lock = params.get("dissolution") == "asset_lock"
    return {
        "format": FORMAT_VERSION,
        "slug": slug,
        "name": coop_name,
        "legal_form": legal_form,
        "identifier": identifier(legal_form, registration_number),
        "registered_on": day(registered_on),
        "registered_office_town": office_town(registered_office),
        "members": members,
        "workers": workers,
        "workers_as_at": day(workers_as_at),
        "workers_who_are_members_percent": worker_share_percent(members, workers),
        "membership_for_workers": {"holds": "worker_membership" in clauses, "clause": clause("worker_membership")},
        "one_member_one_vote": {"holds": "one_member_one_vote" in clauses, "clause": clause("one_member_one_vote")},
        "asset_lock": {"holds": asset_lock and "asset_lock" in clauses,
                       "clause": clause("asset_lock") if asset_lock else None},
        "control_by_members": {"management": params.get("management"), "clause": clause("management")},
        "officers": [{"name": name, "office": office} for name, office in officers],
        # in the order a buyer reads them: who may join, how they vote, who runs it, the lock

        "evidence": [{"about": key, "clause": q.number, "title": q.title, "text": q.text}
                     for key, q in sorted(clauses.items(), key=lambda kv: _EVIDENCE_ORDER.index(kv[0]))],
        "rules_version": rules_version,
        "rules_registered_on": day(rules_registered_on),
        "last_agm": day(last_agm),
        "last_annual_return": day(last_annual_return),
    }


def canonical(facts: dict) -> str:
    return json.dumps(facts, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def facts_hash(facts: dict) -> str:
    return hashlib.sha256(canonical(facts).encode()).hexdigest()


#: the facts a buyer would care about changing, with the words to say so
FACT_LABELS = {
    "name": "registered name",
    "legal_form": "legal form",
    "identifier": "registration number",
    "registered_on": "registration date",
    "registered_office_town": "registered office town",
    "members": "number of members",
    "workers": "number of workers employed",
    "workers_as_at": "date of the workers figure",
    "workers_who_are_members_percent": "share of workers who are members",
    "membership_for_workers": "the rules on membership for workers",
    "one_member_one_vote": "one member one vote in the rules",
    "asset_lock": "the asset lock in the rules",
    "control_by_members": "how the members control the co-op",
    "officers": "officers",
    "evidence": "the words of the rules quoted",
    "rules_version": "version of the rules",
    "rules_registered_on": "date the rules were registered",
    "last_agm": "date of the last AGM",
    "last_annual_return": "date of the last annual return filed",
}


def changed_facts(issued: dict, current: dict) -> list[tuple[str, object, object]]:
    """(label, value in the pack, value now) for every fact that differs, in a fixed order."""
    changes = []
    for key, label in FACT_LABELS.items():
        if issued.get(key) != current.get(key):
            changes.append((label, issued.get(key), current.get(key)))
    return changes


def to_party(facts: dict, profile: dict, url: str) -> dict:
    """The facts as an Open Contracting party (id, name, identifier, address, contactPoint,
    roles, details), with coopkit's worker-ownership facts under ``details``."""
    ident = facts["identifier"]
    party = {
        "id": f"{ident['scheme']}-{ident['id']}" if ident else f"coopkit-{facts['slug']}",
        "name": facts["name"],
        "roles": ["supplier"],
        "address": {"locality": facts["registered_office_town"], "countryName": "United Kingdom"},
        "details": {
            "format": facts["format"],
            "url": url,
            "legalForm": facts["legal_form"],
            "registeredOn": facts["registered_on"],
            "description": profile.get("description") or "",
            "services": profile.get("services") or [],
            "areas": profile.get("areas") or [],
            "workerOwnership": {
                "members": facts["members"],
                "workers": facts["workers"],
                "workersAsAt": facts["workers_as_at"],
                "workersWhoAreMembersPercent": facts["workers_who_are_members_percent"],
                "membershipForWorkers": facts["membership_for_workers"],
                "oneMemberOneVote": facts["one_member_one_vote"],
                "assetLock": facts["asset_lock"],
                "controlByMembers": facts["control_by_members"],
            },
            "officers": facts["officers"],
            "evidence": facts["evidence"],
            "rulesVersion": facts["rules_version"],
            "rulesRegisteredOn": facts["rules_registered_on"],
            "lastAgm": facts["last_agm"],
            "lastAnnualReturn": facts["last_annual_return"],
        },
    }
    if ident:
        party["identifier"] = {"scheme": ident["scheme"], "id": ident["id"], "legalName": facts["name"]}
    contact = {k: v for k, v in (("name", profile.get("contact_name")), ("email", profile.get("contact_email")),
                                 ("url", profile.get("website"))) if v}
    if contact:
        party["contactPoint"] = contact
    return party


@dataclass(frozen=True)
class Condition:
    key: str
    question: str
    met: bool | None  # None: the records cannot answer it yet
    evidence: str


def eligibility(facts: dict, *, registered: bool, non_voting_class: bool) -> list[Condition]:
    """A worker co-op network's usual membership conditions, each answered from the facts."""
    conditions = []
    clause = facts["membership_for_workers"]["clause"]
    share = facts["workers_who_are_members_percent"]
    conditions.append(Condition(
        "registered", "Is the co-op registered as a legal body?", registered,
        f"Registration number {facts['identifier']['id']} ({facts['identifier']['scheme']}), "
        f"registered on {facts['registered_on']}." if registered and facts["identifier"]
        else "Not registered yet."))
    conditions.append(Condition(
        "worker_owned", "Is it owned by the people who work in it?", bool(clause),
        (f"Rule {clause} makes membership open to the workers. " if clause else
         "The adopted rules have no clause that limits membership to workers. ")
        + (f"{facts['members']} members out of {facts['workers']} workers employed "
           f"({share}% of workers are members, figure of {facts['workers_as_at']})."
           if share is not None else "The number of workers employed has not been entered.")))
    omov = facts["one_member_one_vote"]
    conditions.append(Condition(
        "one_member_one_vote", "Does every member have one vote, whatever their shares?",
        omov["holds"], f"Rule {omov['clause']}." if omov["clause"] else "No such clause in the adopted rules."))
    control = facts["control_by_members"]
    management = {"collective": "every member is a director (collective management)",
                  "board": "the members elect the board"}.get(control["management"] or "", "not stated")
    conditions.append(Condition(
        "controlled_by_workers", "Do the worker members control it?",
        control["management"] in ("collective", "board") and not non_voting_class
        if control["clause"] else False,
        f"Rule {control['clause']}: {management}." + (
            " Supporter (non-voting) members exist but do not vote." if non_voting_class else "")
        if control["clause"] else "The adopted rules say nothing about management."))
    lock = facts["asset_lock"]
    conditions.append(Condition(
        "asset_lock", "Are its assets locked for co-operative purposes, not shared out on dissolution?",
        lock["holds"], f"Rule {lock['clause']}." if lock["clause"]
        else "The rules share remaining assets among the members on dissolution (no asset lock)."))
    return conditions
