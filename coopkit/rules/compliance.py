"""The legal compliance check: rendered document + parameters + facts -> a checklist.

Pure: no Flask or database import. The wording is ours, summarising DOMAIN.md:
Schedule 1 of the Co-operative and Community Benefit Societies Act 2014 (what a
society's rules must provide for), the FCA's bona fide co-operative conditions
read with the co-operative principles, and sanity checks on the numbers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from coopkit.coops.parameters import PARAMETERS, QUORUM_TWO_ALONE_UP_TO, bounds, quorum_two_alone
from coopkit.money import format_pounds

#: Schedule 1 of the 2014 Act: what a society's rules must provide for
SCHEDULE_1: tuple[tuple[str, str], ...] = (
    ("sch1.name", "The name of the society"),
    ("sch1.objects", "The objects of the society"),
    ("sch1.office", "The registered office, where notices are sent"),
    ("sch1.admission", "How members are admitted"),
    ("sch1.meetings", "General meetings, voting at them, and making, changing or revoking the rules"),
    ("sch1.officers", "Appointment and removal of the committee, managers and officers; their powers and pay"),
    ("sch1.max_holding", "The largest shareholding any one member may hold"),
    ("sch1.borrowing", "Whether and how the society may borrow or take deposits, security and limit"),
    ("sch1.share_transfer", "Whether shares may be transferred, and how"),
    ("sch1.share_withdrawal", "Whether shares may be withdrawn, and how withdrawn capital is paid"),
    ("sch1.audit", "Audit of the accounts"),
    ("sch1.leaving", "Leaving; claims by a deceased or bankrupt member's representatives; nominees"),
    ("sch1.profits", "How profits are applied"),
    ("sch1.seal", "Custody and use of a common seal, if there is one"),
    ("sch1.investment", "Whether and how funds may be invested"),
)

#: what the FCA looks for in a bona fide co-operative, read with the ICA principles
BONA_FIDE: tuple[tuple[str, str], ...] = (
    ("bf.common_interest", "A common interest shared by all members"),
    ("bf.mutual_benefit", "Business run for members' mutual benefit through their participation"),
    ("bf.one_member_one_vote", "One member, one vote (democratic member control)"),
    ("bf.interest_on_capital", "Interest on capital no more than needed to raise it"),
    ("bf.surplus_by_participation", "Surplus shared by participation, not by capital"),
    ("bf.open_membership", "Voluntary membership, open and not artificially restricted"),
    ("bf.autonomy", "Autonomy and independence"),
    ("bf.education", "Education, training and information"),
    ("bf.cooperation", "Co-operation among co-operatives"),
    ("bf.community", "Concern for community"),
)

#: what the articles of a co-operative company limited by guarantee provide for
COMPANY: tuple[tuple[str, str], ...] = (
    ("co.name", "The company's name"),
    ("co.objects", "The company's objects"),
    ("co.liability", "Members' liability limited by guarantee, and the amount"),
    ("co.admission", "How members are admitted"),
    ("co.leaving", "How members leave or are removed"),
    ("co.directors", "Appointment, removal and powers of the directors"),
    ("co.meetings", "General meetings: notice, quorum and voting"),
    ("co.amendment", "How the articles are changed"),
    ("co.profits", "How profits are applied"),
    ("co.dissolution", "What happens to remaining assets on winding up"),
)

REQUIREMENT_LABELS = dict(SCHEDULE_1 + BONA_FIDE + COMPANY)
STATUTORY_MAX_HOLDING_PENCE = 100_000 * 100


class ClauseLike(Protocol):
    id: str
    number: int
    title: str


@dataclass(frozen=True)
class Facts:
    legal_form: str
    founder_count: int
    name: str
    welsh_office: bool = False


@dataclass(frozen=True)
class CheckItem:
    group: str        # "Schedule 1", "Bona fide co-operative", "Articles", "Answers"
    id: str
    label: str
    status: str       # ok, fail, warn
    detail: str = ""
    clause_number: int | None = None
    clause_title: str | None = None
    #: the covering clause's id (its anchor in the text is ``c-<id>``)
    clause_id: str | None = None

    @property
    def ok(self) -> bool:
        return self.status != "fail"


@dataclass(frozen=True)
class Report:
    items: tuple[CheckItem, ...]

    @property
    def failures(self) -> tuple[CheckItem, ...]:
        return tuple(i for i in self.items if i.status == "fail")

    @property
    def warnings(self) -> tuple[CheckItem, ...]:
        return tuple(i for i in self.items if i.status == "warn")

    @property
    def passed(self) -> bool:
        return not self.failures

    def groups(self) -> list[tuple[str, list[CheckItem]]]:
        out: dict[str, list[CheckItem]] = {}
        for item in self.items:
            out.setdefault(item.group, []).append(item)
        return list(out.items())

    def item(self, item_id: str) -> CheckItem:
        return next(i for i in self.items if i.id == item_id)


def _coverage_items(group: str, requirements, clauses: dict[str, ClauseLike],
                    coverage: dict[str, Iterable[str]]) -> list[CheckItem]:
    items = []
    for req_id, label in requirements:
        wanted = tuple(coverage.get(req_id, ()))
        found = next((clauses[c] for c in wanted if c in clauses), None)
        if found is not None:
            items.append(CheckItem(group, req_id, label, "ok", f"Clause {found.number}: {found.title}",
                                   found.number, found.title, found.id))
        elif not wanted:
            items.append(CheckItem(group, req_id, label, "fail",
                                   "The rule set does not say which clause covers this."))
        else:
            items.append(CheckItem(group, req_id, label, "fail",
                                   "No clause in the text covers this (expected: " + ", ".join(wanted) + ")."))
    return items


def _ok(item_id: str, label: str, detail: str = "") -> CheckItem:
    return CheckItem("Answers", item_id, label, "ok", detail)


def _bad(item_id: str, label: str, detail: str, status: str = "fail") -> CheckItem:
    return CheckItem("Answers", item_id, label, status, detail)


def _parameter_items(p: dict[str, Any], facts: Facts, gaps: Iterable[str],
                     problems: Iterable[tuple[str, str]]) -> list[CheckItem]:
    items: list[CheckItem] = []
    society = facts.legal_form == "society"
    gaps = list(gaps)
    label = "Every answer the rules need is given"
    items.append(_ok("p.gaps", label) if not gaps else
                 _bad("p.gaps", label, "Still to decide: " + ", ".join(g.replace("_", " ") for g in gaps) + "."))
    problems = list(problems)
    for key, message in problems:
        items.append(_bad(f"p.valid.{key}", "Answer out of range", message))

    need = 3 if society else 1
    label = f"At least {need} founding member{'s' if need > 1 else ''}"
    if facts.founder_count >= need:
        if not society and facts.founder_count < 3:
            items.append(_bad("p.founders", label, f"{facts.founder_count} founder(s): the law allows it, "
                              "but a co-op usually starts with 3 or more.", "warn"))
        else:
            items.append(_ok("p.founders", label, f"{facts.founder_count} founders."))
    else:
        detail = (f"A society needs at least 3 founding members to register; you have {facts.founder_count}."
                  if society else "A company needs at least one subscriber.")
        items.append(_bad("p.founders", label, detail))

    name = (facts.name or "").strip()
    lower = name.lower()
    label = 'The name ends with "Limited"' + (' (or "Cyfyngedig")' if facts.welsh_office else "")
    endings = ("limited", "cyfyngedig") if facts.welsh_office else ("limited",)
    if not society:
        endings += ("ltd", "cyf") if facts.welsh_office else ("ltd",)
    if not name:
        items.append(_bad("p.name", label, "The co-op has no name yet."))
    elif lower.split()[-1].rstrip(".") in endings:
        items.append(_ok("p.name", label, name))
    elif lower.endswith("cyfyngedig"):
        items.append(_bad("p.name", label, '"Cyfyngedig" is for a registered office in Wales; '
                          'use "Limited" or record that the office is in Wales.'))
    else:
        why = ("A society's name must end with Limited (Cyfyngedig in Wales)." if society else
               "A company's name normally ends with Limited; a charitable or exempt company may apply "
               "to leave it out.")
        items.append(_bad("p.name", label, f"{name!r}: {why}", "fail" if society else "warn"))

    holding, share = int(p.get("max_holding_pence") or 0), int(p.get("share_value_pence") or 0)
    label = "Largest holding at most £100,000"
    if society:
        if holding > STATUTORY_MAX_HOLDING_PENCE:
            items.append(_bad("p.max_holding", label, f"{format_pounds(holding)} is above the £100,000 limit "
                              "for withdrawable shares."))
        elif holding < share:
            items.append(_bad("p.max_holding", label, f"The largest holding ({format_pounds(holding)}) is smaller "
                              f"than one share ({format_pounds(share)})."))
        else:
            items.append(_ok("p.max_holding", label, format_pounds(holding)))

    quorum, percent = int(p.get("quorum_min_members") or 0), int(p.get("quorum_percent") or 0)
    label = f"Quorum: never two members alone once there are more than {QUORUM_TWO_ALONE_UP_TO}"
    if quorum < 2:
        items.append(_bad("p.quorum", label, f"A quorum of {quorum} would let one person hold a meeting alone."))
    elif quorum_two_alone(quorum, percent):
        items.append(_bad("p.quorum", label, f"{quorum} members or {percent}%: with {QUORUM_TWO_ALONE_UP_TO + 1} "
                          "or more members, two could still hold a general meeting alone. Raise the minimum "
                          "to 3 or the percentage above 40%."))
    else:
        items.append(_ok("p.quorum", label, f"{quorum} members or {percent}%, whichever is greater"))

    for key, name_, floor in (("ordinary_threshold_percent", "ordinary", 50),
                              ("special_threshold_percent", "special", 75)):
        value = int(p.get(key) or 0)
        label = (f"The {name_} resolution threshold is above half and at most 100%" if floor == 50 else
                 f"The {name_} resolution threshold is at least {floor}% and at most 100%")
        if floor <= value <= 100:
            detail = ("a simple majority (a tie fails)" if value == 50 else f"{value}%") + \
                     f" of {'votes cast' if p.get(name_ + '_basis', 'cast') == 'cast' else 'all eligible members'}"
            items.append(_ok(f"p.{name_}_threshold", label, detail))
        elif floor == 50:
            items.append(_bad(f"p.{name_}_threshold", label, f"{value}% is not allowed: a resolution always "
                              "needs more than half, and at most 100%."))
        else:
            items.append(_bad(f"p.{name_}_threshold", label, f"{value}% is not allowed: a special resolution "
                              f"(changing the rules, expelling a member) needs at least {floor}%, and at most 100%."))
    if int(p.get("special_threshold_percent") or 0) < int(p.get("ordinary_threshold_percent") or 0):
        items.append(_bad("p.special_vs_ordinary", "A special resolution needs at least an ordinary majority",
                          "The special threshold is lower than the ordinary one."))

    total = sum(int(p.get(k) or 0) for k in ("surplus_reserves_percent", "surplus_common_good_percent",
                                              "surplus_bonus_percent"))
    label = "Surplus shares add up to 100%"
    items.append(_ok("p.surplus", label) if total == 100 else
                 _bad("p.surplus", label, f"Reserves, common-good fund and bonus add up to {total}%."))

    directors = int(p.get("min_directors") or 0)
    label = "At least 2 directors"
    if directors < 2:
        items.append(_bad("p.directors", label, f"The rules allow as few as {directors}."))
    elif p.get("management") == "board" and int(p.get("board_size") or 0) < directors:
        items.append(_bad("p.directors", label, "The board is smaller than the minimum number of directors."))
    else:
        items.append(_ok("p.directors", label))

    notice = int(p.get("notice_clear_days") or 0)
    label = "At least 14 clear days' notice of general meetings"
    if notice >= 14:
        items.append(_ok("p.notice", label, f"{notice} clear days"))
    else:
        items.append(_bad("p.notice", label, f"{notice} clear days is too short: every member must have at "
                          "least 14 clear days to arrange to attend."))

    short = int(p.get("short_notice_percent") or 0)
    low, high = bounds("short_notice_percent", facts.legal_form) or (90, 100)
    label = f"Short notice needs the consent of at least {low}% of the members"
    if low <= short <= high:
        items.append(_ok("p.short_notice", label, f"{short}%"))
    else:
        items.append(_bad("p.short_notice", label, f"{short}% is not allowed: a meeting at short notice needs "
                          f"the consent of {low}% to {high}% of the members."))

    if "expulsion_notice_days" in p:
        days = int(p.get("expulsion_notice_days") or 0)
        label = "At least 14 days' written notice of a proposed expulsion"
        items.append(_ok("p.expulsion_notice", label, f"{days} clear days") if days >= 14 else
                     _bad("p.expulsion_notice", label, f"{days} days is too short for the member to prepare "
                          "a reply: give at least 14."))

    probation = p.get("probation")
    if probation in ("period", "hours"):
        key = "probation_months" if probation == "period" else "probation_hours"
        low, high = bounds(key) or (1, 0)
        value = int(p.get(key) or 0)
        unit = "months" if probation == "period" else "hours"
        label = "The probation length is within the range every rule set accepts"
        items.append(_ok("p.probation", label, f"{value} {unit}") if low <= value <= high else
                     _bad("p.probation", label, f"{value} {unit} is outside {low} to {high} {unit}."))

    flagged = {key for key, _ in problems}
    for key in sorted(p):
        shared = bounds(key, facts.legal_form)
        value = p.get(key)
        if shared is None or key in flagged or isinstance(value, bool) or not isinstance(value, int):
            continue
        if not shared[0] <= value <= shared[1]:
            items.append(_bad(f"p.valid.{key}", "Answer out of range",
                              f"{PARAMETERS[key][2]}: {value} is outside {shared[0]} to {shared[1]}."))
    return items


def check(clauses: Iterable[ClauseLike], coverage: dict[str, Iterable[str]], parameters: dict[str, Any],
          facts: Facts, *, gaps: Iterable[str] = (), problems: Iterable[tuple[str, str]] = ()) -> Report:
    """The checklist for one rendered document."""
    present = {c.id: c for c in clauses}
    items: list[CheckItem] = []
    if facts.legal_form == "society":
        items += _coverage_items("Schedule 1 of the 2014 Act", SCHEDULE_1, present, coverage)
    else:
        items += _coverage_items("What the articles provide for", COMPANY, present, coverage)
    items += _coverage_items("Bona fide co-operative", BONA_FIDE, present, coverage)
    items += _parameter_items(parameters, facts, gaps, problems)
    return Report(tuple(items))
