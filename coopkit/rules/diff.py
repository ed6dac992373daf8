"""What changed between two versions of the rules: parameters in plain words, and the
text clause by clause with changed words marked (<ins>/<del>). Pure."""

from __future__ import annotations

import difflib
import html
import re
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from coopkit.coops.parameters import PARAMETERS
from coopkit.money import format_pounds
from coopkit.rules.render import OutlineEntry, outline, unescape_md

CHOICE_WORDS = {
    "society": "a co-operative society", "company": "a company limited by guarantee",
    "none": "none", "period": "a period of time", "hours": "hours worked",
    "cast": "votes cast", "eligible": "all eligible members",
    "majority": "majority vote", "consent": "consent (no blocking objection)", "consensus": "consensus",
    "collective": "every member is a director", "board": "an elected board",
    "third": "one third retire each year", "equal": "equally",
    "asset_lock": "an asset lock (common ownership)", "co_ownership": "shared among members (co-ownership)",
}


def describe_value(key: str, value: Any) -> str:
    kind = PARAMETERS.get(key, ("str",))[0]
    if value is None or value == "":
        return "not set"
    if kind == "pence":
        return format_pounds(value)
    if kind == "percent":
        return f"{value}%"
    if kind == "bool":
        return "yes" if value else "no"
    if kind.startswith("choice:"):
        return CHOICE_WORDS.get(str(value), str(value))
    if kind in ("str", "text"):
        return f"“{value}”"
    return str(value)


def parameter_changes(old_params: dict[str, Any], new_params: dict[str, Any]) -> list[str]:
    """One plain-language line per changed choice, in the vocabulary's order."""
    lines = []
    keys = list(PARAMETERS) + sorted(k for k in set(old_params) | set(new_params) if k not in PARAMETERS)
    for key in keys:
        if key not in old_params and key not in new_params:
            continue
        old, new = old_params.get(key), new_params.get(key)
        if old == new:
            continue
        label = PARAMETERS[key][2] if key in PARAMETERS else key.replace("_", " ").capitalize()
        if key not in old_params:
            lines.append(f"{label}: set to {describe_value(key, new)}.")
        elif key not in new_params:
            lines.append(f"{label}: no longer set (was {describe_value(key, old)}).")
        else:
            lines.append(f"{label}: from {describe_value(key, old)} to {describe_value(key, new)}.")
    return lines


@dataclass(frozen=True)
class ClauseChange:
    status: str              # unchanged, changed, added, removed
    old_number: int | None
    new_number: int | None
    title: str               # the new title (or the old one for a removed clause)
    old_title: str | None
    html: Markup             # the clause text with <ins>/<del> marks
    #: changed only in numbers (cross-references to clauses that moved), not in wording
    numbers_only: bool = False

    @property
    def renumbered(self) -> bool:
        return self.old_number is not None and self.new_number is not None and self.old_number != self.new_number


#: stands for the clause's own number in its sub-clause numbers while comparing, so a clause
#: that only moved (7.2 -> 8.2) does not show every sub-clause number as changed
_OWN = "\x00"


def plain_body(body: str, *, relative: bool = False) -> str:
    text = re.sub(r"^\*\*(\d+)\.(\d+)\*\*", (_OWN + r".\2") if relative else r"\1.\2", body, flags=re.M)
    text = unescape_md(text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


_DIGITS = re.compile(r"\d+")
#: a cross-reference in our clause wording: "clause 7", "clauses 7.2, 9 and 12", "rule 4 to 6"
_REFERENCE = re.compile(r"\b(?:[Cc]lauses?|[Rr]ules?|[Ss]ub-clauses?|[Pp]aragraphs?)\s+\d+(?:\.\d+)?"
                        r"(?:(?:,\s*|\s+(?:and|or|to)\s+)\d+(?:\.\d+)?)*")


def _without_references(text: str) -> str:
    return _REFERENCE.sub(lambda m: _DIGITS.sub("#", m.group(0)), text)


_STRONG = re.compile(r"\*\*(.+?)\*\*|__(.+?)__", re.S)
_EM = re.compile(r"(?<![\w*])\*(?!\s)([^*\n]+?)(?<!\s)\*(?![\w*])")


def emphasis(marked: str) -> Markup:
    """The Markdown emphasis left in clause text (``**the Act**``) as HTML, in escaped and
    marked-up text: bold or italic where the pair sits inside one run, plain words where a
    <del>/<ins> cuts through it (so the tags stay well nested)."""
    def strong(m: re.Match) -> str:
        inner = m.group(1) or m.group(2)
        return inner if "<" in inner else f"<strong>{inner}</strong>"

    def em(m: re.Match) -> str:
        return m.group(1) if "<" in m.group(1) else f"<em>{m.group(1)}</em>"

    return Markup(_EM.sub(em, _STRONG.sub(strong, str(marked))))


def _compare(o: OutlineEntry, n: OutlineEntry) -> tuple[bool, Markup, bool]:
    """(unchanged, marked-up text, changed only in numbers)."""
    old_plain, new_plain = plain_body(o.body, relative=True), plain_body(n.body, relative=True)
    same = old_plain == new_plain and o.title == n.title
    body = Markup(html.escape(new_plain)) if same else word_diff(old_plain, new_plain)
    numbers_only = not same and o.title == n.title and _without_references(old_plain) == _without_references(new_plain)
    return same, emphasis(str(body).replace(_OWN, str(n.number))), numbers_only


_TOKEN = re.compile(r"\s+|[^\s]+")


def word_diff(old: str, new: str) -> Markup:
    """Mark the words that differ: deleted in <del>, inserted in <ins>; everything escaped."""
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    out: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(html.escape("".join(a[i1:i2])))
            continue
        if op in ("delete", "replace"):
            out.append(f"<del>{html.escape(''.join(a[i1:i2]))}</del>")
        if op in ("insert", "replace"):
            out.append(f"<ins>{html.escape(''.join(b[j1:j2]))}</ins>")
    return Markup("".join(out))


def _whole(entry: OutlineEntry, tag: str) -> Markup:
    return emphasis(f"<{tag}>{html.escape(plain_body(entry.body))}</{tag}>")


def clause_diff(old_text: str, new_text: str) -> list[ClauseChange]:
    """Clause-by-clause comparison of two rendered texts, matched by clause id, in document order."""
    old, new = outline(old_text), outline(new_text)
    old_ids, new_ids = [e.id for e in old], [e.id for e in new]
    by_old = {e.id: e for e in old}
    by_new = {e.id: e for e in new}
    changes: list[ClauseChange] = []
    matcher = difflib.SequenceMatcher(None, old_ids, new_ids, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            for cid in old_ids[i1:i2]:
                o, n = by_old[cid], by_new[cid]
                same, body, numbers_only = _compare(o, n)
                changes.append(ClauseChange("unchanged" if same else "changed", o.number, n.number,
                                            n.title, o.title, body, numbers_only))
            continue
        for cid in old_ids[i1:i2]:
            if cid in by_new:
                continue  # moved: reported where it now stands
            o = by_old[cid]
            changes.append(ClauseChange("removed", o.number, None, o.title, o.title, _whole(o, "del")))
        for cid in new_ids[j1:j2]:
            n = by_new[cid]
            if cid in by_old:
                o = by_old[cid]
                same, body, numbers_only = _compare(o, n)
                changes.append(ClauseChange("unchanged" if same else "changed", o.number, n.number, n.title,
                                            o.title, body, numbers_only))
            else:
                changes.append(ClauseChange("added", None, n.number, n.title, None, _whole(n, "ins")))
    return changes
