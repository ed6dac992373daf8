"""The shared vocabulary of a co-op's choices: one name for one thing.

The founding journey stores its answers under these keys; rule-set manifests
declare parameters with these names; the voting engine reads thresholds and
quorum from them. Pure data, no Flask or database import. It sits in coops, below
every feature that uses it (founding, rules, proposals).

Threshold semantics (used everywhere): a resolution with threshold X% passes
when the votes for are at least X% of the basis AND more than half of it, so a
tie always fails and 50 means "a simple majority". The rule is implemented once, in
:func:`coopkit.proposals.tally.resolution_passes` (and :func:`~coopkit.proposals.tally.quorum_needed`).
"""

from __future__ import annotations

from typing import Any

#: key -> (type, default, description). Types: str, text, int, bool, percent, pence, choice:<a|b|c>, date
PARAMETERS: dict[str, tuple[str, Any, str]] = {
    # purpose and name
    "coop_name": ("str", "", "The registered name"),
    "objects": ("text", "", "The co-op's objects, in plain words"),
    "registered_office": ("text", "", "Registered office address"),
    "welsh_office": ("bool", False, "Registered office is in Wales"),
    # legal form
    "legal_form": ("choice:society|company", "society", "Co-operative society or company limited by guarantee"),
    # membership
    "membership_eligibility": ("text", "Anyone employed by the co-op who supports its objects",
                               "Who may become a member"),
    "probation": ("choice:none|period|hours", "none", "Probation before membership"),
    "probation_months": ("int", 6, "Probation length in months (when probation is period)"),
    "probation_hours": ("int", 500, "Probation length in hours worked (when probation is hours)"),
    "share_value_pence": ("pence", 100, "Value of one membership share"),
    "max_holding_pence": ("pence", 100, "Largest shareholding one member may hold"),
    "leaving_notice_days": ("int", 28, "Written notice a member gives to leave"),
    "leave_on_employment_end": ("bool", True, "Membership ends when employment ends"),
    "admission_by": ("choice:directors|members", "directors",
                     "Who admits new members: the directors, or the members by ordinary resolution"),
    "expulsion_notice_days": ("int", 14, "Written notice of a proposed expulsion (with a right to reply)"),
    "non_voting_class": ("bool", False, "Rules allow a non-voting (investor or supporter) class"),
    "guarantee_pence": ("pence", 100, "Amount each member guarantees if the company is wound up (company)"),
    # decision-making
    "quorum_min_members": ("int", 2, "Quorum: at least this many members"),
    "quorum_percent": ("percent", 50, "Quorum: at least this percentage of members (the greater applies)"),
    "notice_clear_days": ("int", 14, "Clear days' notice of a general meeting"),
    "short_notice_percent": ("percent", 90, "Members' consent needed to hold a meeting at short notice"),
    "ordinary_threshold_percent": ("percent", 50, "Ordinary resolution threshold"),
    "ordinary_basis": ("choice:cast|eligible", "cast", "Ordinary resolution counted on votes cast or all eligible"),
    "special_threshold_percent": ("percent", 75, "Special resolution threshold"),
    "special_basis": ("choice:cast|eligible", "cast", "Special resolution counted on votes cast or all eligible"),
    "everyday_method": ("choice:majority|consent|consensus", "consent", "Everyday decision method"),
    "fallback_vote": ("bool", True, "If consent or consensus fails, fall back to a vote"),
    "consent_min_days": ("int", 7, "A consent proposal stays open at least this many days"),
    "written_resolutions": ("bool", True, "Members may pass written resolutions"),
    "written_resolution_days": ("int", 28, "Days a written resolution stays open"),
    "electronic_voting": ("bool", True, "Secure authenticated online voting counts"),
    "electronic_meetings": ("bool", True, "Meetings may be held online or hybrid"),
    "proxies": ("bool", False, "Members may appoint a proxy to vote for them at a general meeting"),
    "proxy_limit": ("int", 2, "Most proxies one person may hold at a general meeting"),
    "proxy_deadline_hours": ("int", 48, "A proxy appointment reaches the secretary this many hours before the meeting"),
    "secondary_rules": ("bool", True, "Members may make secondary rules (standing orders) by ordinary resolution"),
    # management
    "management": ("choice:collective|board", "collective", "Every member a director, or an elected board"),
    "board_size": ("int", 5, "Number of directors (elected board)"),
    "board_term_years": ("int", 3, "Term of office in years (elected board)"),
    "board_rotation": ("choice:none|third", "third", "One third retire each year (elected board)"),
    "min_directors": ("int", 2, "Minimum number of directors"),
    "secretary_member_id": ("int", None, "Register row of the founding secretary"),
    #: an amendment may move the rules to the rule set's newer version (its changelog says what changes)
    "ruleset_version": ("str", "", "Version of the rule set the rules are drawn from"),
    # money
    "surplus_reserves_percent": ("percent", 40, "Share of surplus to reserves"),
    "surplus_common_good_percent": ("percent", 10, "Share of surplus to a common-good fund"),
    "surplus_bonus_percent": ("percent", 50, "Share of surplus to members' bonus"),
    "bonus_basis": ("choice:hours|equal", "hours", "Bonus shared by hours worked or equally"),
    "dissolution": ("choice:asset_lock|co_ownership", "asset_lock", "What happens to assets on dissolution"),
    "asset_lock_recipient": ("text", "another co-operative or a co-operative body chosen by the members",
                             "Who receives remaining assets under the asset lock"),
    "borrowing_limit_pence": ("pence", 25_000_000, "Most the co-op may borrow in total"),
    "financial_year_end": ("str", "31-03", "Financial year end (DD-MM)"),
    # registration details (the FCA application)
    "business_description": ("text", "", "The business to be carried out"),
    "member_benefit": ("text", "", "How members will benefit"),
    "member_participation": ("text", "", "How members participate"),
    "member_control": ("text", "", "How members control the society"),
    "profit_use": ("text", "", "How profits are used"),
    "funding": ("text", "", "How the co-op is funded"),
    "bona_fide_explanation": ("text", "", "Why the society is a bona fide co-operative (the founders' own words)"),
    "main_contact": ("str", "", "Main contact (name, email, phone)"),
    "finance_contact": ("str", "", "Finance contact (name, email, phone)"),
}


#: key -> (lowest, highest): the one range of a number that the founding journey, every rule set
#: and the compliance check accept. A rule-set manifest or the journey's catalogue may not set its
#: own; floors the law or good practice set are here (14 clear days' notice, 90% for short notice,
#: 75% for a special resolution, 14 days' notice of an expulsion).
RANGES: dict[str, tuple[int, int]] = {
    "probation_months": (1, 24),
    "probation_hours": (1, 4000),
    "leaving_notice_days": (0, 365),
    "expulsion_notice_days": (14, 90),
    "guarantee_pence": (1, 10000),
    "quorum_min_members": (2, 500),
    "quorum_percent": (0, 100),
    "notice_clear_days": (14, 90),
    "short_notice_percent": (90, 100),
    "ordinary_threshold_percent": (50, 100),
    "special_threshold_percent": (75, 100),
    "consent_min_days": (1, 60),
    "written_resolution_days": (1, 90),
    "board_size": (2, 15),
    "board_term_years": (1, 5),
    "min_directors": (2, 15),
    "surplus_reserves_percent": (0, 100),
    "surplus_common_good_percent": (0, 100),
    "surplus_bonus_percent": (0, 100),
}
#: narrower ranges for one legal form (a private company's articles may ask 90% to 95% for
#: short notice, Companies Act 2006 s.307)
FORM_RANGES: dict[str, dict[str, tuple[int, int]]] = {
    "company": {"short_notice_percent": (90, 95)},
}
#: with more members than this, two members alone may never make a quorum
QUORUM_TWO_ALONE_UP_TO = 4


def bounds(key: str, legal_form: str | None = None) -> tuple[int, int] | None:
    """The range a number answer must lie in (for ``legal_form`` when it narrows it), or None."""
    return FORM_RANGES.get(legal_form or "", {}).get(key) or RANGES.get(key)


def quorum_two_alone(min_members: int, percent: int) -> bool:
    """Whether two members could make the quorum alone in a co-op of more than
    :data:`QUORUM_TWO_ALONE_UP_TO` members (checked at the smallest such size: the percentage
    part only grows with the membership)."""
    members = QUORUM_TWO_ALONE_UP_TO + 1
    return max(int(min_members), -(-int(percent) * members // 100)) <= 2


def defaults() -> dict[str, Any]:
    return {key: spec[1] for key, spec in PARAMETERS.items()}

