"""Which clause of the co-op's own rules governs a step of a meeting, as "Rule 19.1".

Clause numbers change with the founding choices (optional clauses drop out), so they
are read from the governing rules version, rendered again with its own parameters.
"""

from __future__ import annotations

import json

from flask import g, has_request_context

from coopkit.rules import render
from coopkit.rules.queries import governing_version
from coopkit.rules.ruleset import RuleSetError, load_ruleset

#: what a meeting cites -> (clause id#label, in words)
MEETING_CLAUSES = {
    "agm": ("general-meetings#agm", "annual general meeting"),
    "call": ("general-meetings#special", "calling a general meeting"),
    "call_company": ("general-meetings#call", "calling a general meeting"),
    "notice": ("notice#length", "notice of general meetings"),
    "short_notice": ("notice#short", "short notice"),
    "quorum": ("quorum#size", "quorum"),
    "adjourn": ("quorum#adjourn", "adjournment without a quorum"),
    "electronic": ("electronic-meetings#meetings", "taking part electronically"),
    "proxy": ("voting#proxy", "proxies"),
    "method": ("voting#method", "counting votes at a meeting"),
    "ordinary": ("voting#ordinary", "ordinary resolution"),
    "special": ("voting#special", "special resolution"),
    "audit": ("accounts#audit", "audit"),
}
def _numbers(coop) -> tuple[str, dict[str, str]]:
    """('Rule' or 'Article', {clause id or id#label: number}) for the rules in force."""
    cache = g.setdefault("_meeting_clause_numbers", {}) if has_request_context() else {}
    if coop.id in cache:
        return cache[coop.id]
    version = governing_version(coop)
    word, numbers = ("Article" if coop.legal_form == "company" else "Rule"), {}
    if version is not None:
        try:
            ruleset = load_ruleset(version.ruleset_id)
            document = render.render_document(ruleset, json.loads(version.parameters))
        except (RuleSetError, render.RenderError, OSError, ValueError):
            document = None
        if document is not None:
            word = "Article" if document.legal_form == "company" else "Rule"
            for clause in document.clauses:
                numbers[clause.id] = str(clause.number)
                for para in clause.paragraphs:
                    if para.label:
                        numbers[f"{clause.id}#{para.label}"] = para.number or str(clause.number)
    cache[coop.id] = (word, numbers)
    return word, numbers


def cite(coop, key: str) -> str:
    """e.g. "Rule 19.1: notice of general meetings"; the words alone when the rules lack the clause."""
    target, words = MEETING_CLAUSES[key]
    word, numbers = _numbers(coop)
    number = numbers.get(target) or numbers.get(target.split("#", 1)[0])
    return f"{word} {number}: {words}" if number else f"The rules: {words}"
