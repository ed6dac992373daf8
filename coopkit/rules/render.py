"""Answers -> Markdown -> sanitised HTML. Pure: no Flask or database import.

Clause templates run in a sandboxed Jinja environment with StrictUndefined.
Every value a person typed is escaped for Markdown before it enters a
template, so a name like ``*Evil* [link](http://x) <script>`` prints literally.
Clause and sub-clause numbers are given after optional clauses drop out, and
``ref('clause-id')`` / ``ref('clause-id#label')`` resolve to the final numbers.
"""

from __future__ import annotations

import functools
import hashlib
import html
import json
import re
from dataclasses import dataclass, field
from typing import Any

import markdown
import nh3
from jinja2 import FileSystemLoader, StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from coopkit.contentcache import RenderCache
from coopkit.money import format_pounds
from coopkit.rules.ruleset import TEXT_TYPES, RuleSet
from coopkit.rules.values import Values, blank, resolve_values

#: characters that are Markdown syntax anywhere in a line (``<``, ``>`` and ``&`` become entities instead)
_MD_ESCAPABLE = set("\\`*_{}[]")
#: syntax only at the start of a line: headings, lists, numbered lists, quotes
_LINE_START = re.compile(r"^([#+-]|\d+[.)])")
_MARK_OPEN, _MARK_CLOSE = "\u27e6", "\u27e7"  # ⟦ ⟧ delimit our own markers; never allowed from users
GAP_RE = re.compile(_MARK_OPEN + r"gap:([a-z0-9-]+)" + _MARK_CLOSE)
REF_RE = re.compile(_MARK_OPEN + r"ref:([a-z0-9-]+)(?:#([a-z0-9-]+))?" + _MARK_CLOSE)
LABEL_RE = re.compile(r"^\[#([a-z0-9-]+)\]\s*")
HEADING_RE = re.compile(r"^## (\d+)\. (.*?) \{#c-([a-z0-9-]+)\}\s*$")
SUBNUM_RE = re.compile(r"^\*\*(\d+\.\d+)\*\*\s*")
ITEM_ATTR = "{: .item }"


class RenderError(ValueError):
    """A template is wrong (a bug in the rule set, not in the answers)."""


def escape_md(value: Any) -> str:
    """Make a typed value print literally in Markdown (and never form one of our markers)."""
    text = str(value).replace(_MARK_OPEN, "[").replace(_MARK_CLOSE, "]")
    lines = [line.strip() for line in text.replace("\r", "").split("\n") if line.strip()]
    joined = ""
    for line in lines:
        if joined:
            joined += " " if joined[-1] in ",;:." else ", "
        joined += line
    out = []
    for char in joined:
        if char in _MD_ESCAPABLE:
            out.append("\\" + char)
        elif char == "&":
            out.append("&amp;")
        elif char == "<":
            out.append("&lt;")
        elif char == ">":
            out.append("&gt;")
        elif ord(char) < 32:
            out.append(" ")
        else:
            out.append(char)
    escaped = "".join(out)
    match = _LINE_START.match(escaped)
    if match:
        escaped = escaped[: match.end() - 1] + "\\" + escaped[match.end() - 1:]
    return escaped


def sentence(text: Any) -> str:
    """End a typed value with a full stop unless it already ends a sentence."""
    text = str(text).rstrip()
    return text if not text or text[-1] in ".!?" or _MARK_CLOSE in text[-1:] else text + "."


_THE_COOP = re.compile(r"\b[Tt]he co-op\b(?!erative)")
_COOPS = re.compile(r"\b([Cc])o-op(s?)\b(?!erative)")
#: defined terms a person may type in lower case; the rules always capitalise them
_DEFINED = re.compile(r"(?<!register of )\b(members?|directors?)\b")
_FIRST_WORD = re.compile(r"^(\W*)([A-Z])([a-z][\w'-]*)")


def woven(text: Any, entity: str = "Society") -> str:
    """A typed answer made ready to sit inside one of our sentences (it is already escaped):
    its first word in lower case unless it is a name or an abbreviation, "the co-op" as the
    defined "the Society" (or "the Company"), any other "co-op" spelt out, and "members" or
    "directors" capitalised as the defined terms they are. A gap stays a gap."""
    text = str(text).strip()
    if not text or GAP_RE.fullmatch(text):
        return text
    text = _THE_COOP.sub(f"the {entity}", text)
    text = _COOPS.sub(lambda m: f"{m.group(1)}o-operative{m.group(2)}", text)
    text = _DEFINED.sub(lambda m: m.group(1).capitalize(), text)
    first = text.split(" ", 1)[0]
    if first not in ("I",) and first.rstrip(",;:.") not in (entity,):
        text = _FIRST_WORD.sub(lambda m: m.group(1) + m.group(2).lower() + m.group(3), text, count=1)
    return text


def unescape_md(text: str) -> str:
    """Our Markdown back to plain words (for diffs and search)."""
    text = text.replace(ITEM_ATTR, "")
    text = re.sub(r"\\(.)", r"\1", text)
    return html.unescape(text)


def gap_marker(key: str) -> str:
    return f"{_MARK_OPEN}gap:{key.replace('_', '-')}{_MARK_CLOSE}"


def gaps_in(text: str) -> list[str]:
    """Parameter keys whose answer is missing from a rendered text, in order of first appearance."""
    seen: list[str] = []
    for match in GAP_RE.finditer(text):
        key = match.group(1).replace("-", "_")
        if key not in seen:
            seen.append(key)
    return seen


_WORDS = "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen " \
         "sixteen seventeen eighteen nineteen twenty".split()


def number_word(n: Any) -> str:
    n = int(n)
    return _WORDS[n] if 0 <= n < len(_WORDS) else f"{n:,}"


def template_context(ruleset: RuleSet, values: Values) -> dict[str, Any]:
    context: dict[str, Any] = {}
    for key, spec in ruleset.parameters.items():
        value = values.raw[key]
        if value is None:
            context[key] = gap_marker(key)
        elif spec.type in TEXT_TYPES:
            context[key] = escape_md(value)
        else:
            context[key] = value
    entity = "Company" if ruleset.legal_form == "company" else "Society"
    context.update(
        ref=lambda target: f"{_MARK_OPEN}ref:{target}{_MARK_CLOSE}",
        money=format_pounds, number_word=number_word, sentence=sentence,
        woven=lambda text: woven(text, entity),
    )
    return context


# --- the document -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Paragraph:
    number: str           # "7.2", or "" when the clause has a single paragraph
    label: str | None     # the template's [#label], for ref('clause#label')
    text: str
    items: tuple[str, ...] = ()


@dataclass(frozen=True)
class Clause:
    id: str
    number: int
    title: str
    paragraphs: tuple[Paragraph, ...]

    @property
    def anchor(self) -> str:
        return f"c-{self.id}"


@dataclass(frozen=True)
class Document:
    ruleset_id: str
    ruleset_version: str
    legal_form: str
    clauses: tuple[Clause, ...]
    values: Values
    markdown: str = ""
    gaps: tuple[str, ...] = field(default=())

    @property
    def content_hash(self) -> str:
        return hashlib.sha256(self.markdown.encode("utf-8")).hexdigest()

    def clause(self, clause_id: str) -> Clause | None:
        return next((c for c in self.clauses if c.id == clause_id), None)


@functools.cache
def _environment(directory: str) -> SandboxedEnvironment:
    return SandboxedEnvironment(loader=FileSystemLoader(directory), undefined=StrictUndefined,
                                autoescape=False, trim_blocks=False, lstrip_blocks=True, keep_trailing_newline=True)


def _parse_clause(clause_id: str, text: str) -> tuple[str, list[tuple[str | None, str, list[str]]]] | None:
    lines = [line.rstrip() for line in text.strip().splitlines()]
    if not lines or not any(lines[1:]):
        return None  # everything in it was conditional and dropped out
    if not lines[0].startswith("# "):
        raise RenderError(f"clause {clause_id!r}: the first line must be '# Title'")
    title = lines[0][2:].strip()
    paragraphs: list[tuple[str | None, str, list[str]]] = []
    blocks: list[list[str]] = [[]]
    for line in lines[1:]:
        if line.strip():
            blocks[-1].append(line.strip() if not line.startswith("  ") else "  " + line.strip())
        elif blocks[-1]:
            blocks.append([])
    for block in filter(None, blocks):
        text_lines: list[str] = []
        items: list[str] = []
        for line in block:
            if line.startswith("- "):
                items.append(line[2:].strip())
            elif line.startswith("  ") and items:
                items[-1] += " " + line.strip()
            elif items:
                raise RenderError(f"clause {clause_id!r}: text after a list needs a blank line before it")
            else:
                text_lines.append(line.strip())
        if text_lines:
            body = " ".join(text_lines)
            match = LABEL_RE.match(body)
            label = match.group(1) if match else None
            paragraphs.append((label, body[match.end():] if match else body, items))
        elif paragraphs:
            paragraphs[-1][2].extend(items)
        else:
            raise RenderError(f"clause {clause_id!r}: a list must follow a paragraph")
    return title, paragraphs


#: rendered documents, keyed by :func:`document_key`
DOCUMENTS = RenderCache(128)
#: sanitised HTML of a Markdown text, keyed by the text's hash (gap links are put in afterwards)
HTML = RenderCache(256)


def document_key(ruleset: RuleSet, answers: dict[str, Any]) -> str:
    """The content hash a rendering of ``answers`` by this rule set version is kept under (a rule
    set is known by its id, its version and the folder it was loaded from: an adviser's edited
    copy elsewhere is another key)."""
    canonical = json.dumps([ruleset.id, ruleset.version, str(ruleset.directory), answers], sort_keys=True,
                           default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@functools.lru_cache(maxsize=512)
def _condition(env: SandboxedEnvironment, expression: str):
    return env.compile_expression(expression)


def render_document(ruleset: RuleSet, answers: dict[str, Any]) -> Document:
    """Render the rule set for these answers (keys from coopkit.coops.parameters); the same
    rule set version and answers give the same document, so it comes from :data:`DOCUMENTS`
    after the first time."""
    return DOCUMENTS.get(document_key(ruleset, answers), lambda: _render_document(ruleset, answers))


def _render_document(ruleset: RuleSet, answers: dict[str, Any]) -> Document:
    values = resolve_values(ruleset, answers)
    context = template_context(ruleset, values)
    env = _environment(str(ruleset.directory))
    parsed = []
    for spec in ruleset.clauses:
        try:
            if spec.when and not _condition(env, spec.when)(**context):
                continue
            text = env.get_template(spec.file).render(**context)
        except TemplateError as exc:
            raise RenderError(f"{ruleset.id}/{spec.file}: {exc}") from exc
        result = _parse_clause(spec.id, text)
        if result is not None:
            parsed.append((spec.id, *result))
    numbers: dict[str, str] = {}
    for index, (clause_id, _title, paragraphs) in enumerate(parsed, start=1):
        numbers[clause_id] = str(index)
        for sub, (label, _text, _items) in enumerate(paragraphs, start=1):
            if label:
                numbers[f"{clause_id}#{label}"] = f"{index}.{sub}" if len(paragraphs) > 1 else str(index)

    def resolve(text: str) -> str:
        def one(match: re.Match) -> str:
            target = match.group(1) + (f"#{match.group(2)}" if match.group(2) else "")
            if target not in numbers:
                raise RenderError(f"{ruleset.id}: ref({target!r}) points at a clause or label that is not "
                                  f"in the document for these answers")
            return numbers[target]
        return REF_RE.sub(one, text)

    clauses = []
    for index, (clause_id, title, paragraphs) in enumerate(parsed, start=1):
        clauses.append(Clause(clause_id, index, resolve(title), tuple(
            Paragraph(f"{index}.{sub}" if len(paragraphs) > 1 else "", label, resolve(text),
                      tuple(resolve(i) for i in items))
            for sub, (label, text, items) in enumerate(paragraphs, start=1))))
    text = to_markdown(clauses)
    return Document(ruleset.id, ruleset.version, ruleset.legal_form, tuple(clauses), values, text,
                    tuple(gaps_in(text)))


def to_markdown(clauses) -> str:
    out: list[str] = []
    for clause in clauses:
        out.append(f"## {clause.number}. {clause.title} {{#{clause.anchor}}}")
        out.append("")
        for para in clause.paragraphs:
            out.append(f"**{para.number}** {para.text}" if para.number else para.text)
            out.append("")
            for letter, item in zip("abcdefghijklmnopqrstuvwxyz", para.items, strict=False):
                out.append(f"({letter}) {item}")
                out.append(ITEM_ATTR)
                out.append("")
    return "\n".join(out).rstrip() + "\n"


# --- stored text ------------------------------------------------------------------------------

@dataclass(frozen=True)
class OutlineEntry:
    id: str
    number: int
    title: str
    body: str  # the clause's Markdown below its heading

    @property
    def anchor(self) -> str:
        return f"c-{self.id}"


#: outlines of stored texts by the text's hash (pages that cite a clause read them on every visit)
OUTLINES = RenderCache(128)


def outline(text: str) -> list[OutlineEntry]:
    """The clauses of a stored rendered text (a RulesVersion's Markdown); kept in :data:`OUTLINES`
    under the text's hash (a new list each call: the entries themselves are frozen)."""
    key = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return list(OUTLINES.get(key, lambda: tuple(_outline(text))))


def outline_of(version) -> list[OutlineEntry]:
    """The clauses of a stored version (a RulesVersion): by its ``content_hash`` (the SHA-256 of
    its text), so a cached outline needs neither the text nor its hash worked out again."""
    return list(OUTLINES.get(version.content_hash, lambda: tuple(_outline(version.text))))


def _outline(text: str) -> list[OutlineEntry]:
    entries: list[OutlineEntry] = []
    current: tuple[str, int, str] | None = None
    body: list[str] = []
    for line in text.splitlines():
        match = HEADING_RE.match(line)
        if match:
            if current:
                entries.append(OutlineEntry(current[0], current[1], current[2], "\n".join(body).strip()))
            current, body = (match.group(3), int(match.group(1)), match.group(2)), []
        elif current:
            body.append(line)
    if current:
        entries.append(OutlineEntry(current[0], current[1], current[2], "\n".join(body).strip()))
    return entries


# --- HTML ---------------------------------------------------------------------------------------

_TAGS = {"h2", "h3", "h4", "p", "strong", "em", "ul", "ol", "li", "br", "mark", "span", "blockquote"}
_ATTRIBUTES = {"h2": {"id"}, "h3": {"id"}, "p": {"class"}, "mark": {"class"}, "span": {"class"}}


def to_html(text: str, gap_label=None, gap_href=None) -> str:
    """Our Markdown -> sanitised HTML. ``gap_label(key)`` words a missing answer;
    ``gap_href(key)``, when given, is a URL (or None) to the place where it is answered.
    The Markdown conversion is kept in :data:`HTML` under the text's hash."""
    key = hashlib.sha256(text.encode("utf-8")).hexdigest()
    body = HTML.get(key, lambda: nh3.clean(markdown.markdown(text, extensions=["attr_list"], output_format="html"),
                                           tags=_TAGS, attributes=_ATTRIBUTES, link_rel=None))

    def gap(match: re.Match) -> str:
        key = match.group(1).replace("-", "_")
        label = html.escape(gap_label(key) if gap_label else f"to be decided: {key}")
        href = gap_href(key) if gap_href else None
        if href:
            label = f'<a href="{html.escape(href)}">{label}</a>'
        return f'<mark class="gap">{label}</mark>'

    return GAP_RE.sub(gap, body)


# --- private answers ------------------------------------------------------------------------

#: what a reader who may not see private answers (a mentor) reads in their place
WITHHELD = "[private: not shown to mentors]"


def redact_values(params: dict[str, Any], keys) -> dict[str, Any]:
    """The parameters with each private answer replaced by :data:`WITHHELD`."""
    return {k: (WITHHELD if k in keys and not blank(v) else v) for k, v in params.items()}


def redact_text(text: str, params: dict[str, Any], keys) -> str:
    """A rendered text with every private answer (as it was escaped into it) replaced."""
    for key in keys:
        value = params.get(key)
        if not blank(value):
            text = text.replace(escape_md(value), escape_md(WITHHELD))
    return text
