"""The rules as documents: the rules PDF, the registration pack and the amendment PDF.

Every PDF goes through coopkit.documents.pipeline.render_pdf. Our extra print styles
(templates/documents/rules_print.css) travel as a stylesheet string, so they are part
of the cache key. A pack with anti-money-laundering details is never cached.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from flask import render_template

from coopkit.documents.pipeline import render_pdf
from coopkit.rules import diff, queries, render
from coopkit.rules.models import RulesVersion
from coopkit.rules.queries import AmlPerson
from coopkit.rules.ruleset import RuleSet, load_ruleset

RULES_CSS_PATH = Path(__file__).resolve().parent.parent / "templates" / "documents" / "rules_print.css"
#: Rules documents are PDF/A-3b (archival: fonts embedded, sRGB output intent, XMP metadata)
#: as well as tagged. WeasyPrint 70 makes it cleanly with our DejaVu fonts; tests/rules/test_pdf.py
#: checks those parts, and bench/bench_rules_pdf.py measures its cost.
PDF_VARIANT: str | None = "pdf/a-3b"


class DocumentBlocked(ValueError):
    """The document can't be made yet: the message says what to finish first."""


def rules_css() -> str:
    return RULES_CSS_PATH.read_text(encoding="utf-8")


def document_title(ruleset: RuleSet, name: str) -> str:
    kind = "Articles of association" if ruleset.legal_form == "company" else ruleset.document_kind
    return f"{kind} of {name}"


def coop_name_of(coop, version: RulesVersion) -> str:
    return json.loads(version.parameters).get("coop_name") or coop.name


@dataclass(frozen=True)
class RulesText:
    """What a template needs to print one version's text."""

    title: str
    name: str
    ruleset: RuleSet
    version: RulesVersion
    toc: list
    body: str
    params: dict


def version_text(version: RulesVersion, redact=()) -> str:
    """The version's text, with the answers named in ``redact`` withheld."""
    if not redact:
        return version.text
    return render.redact_text(version.text, json.loads(version.parameters), redact)


def rules_text(coop, version: RulesVersion, *, redact=(), gap_href=None) -> RulesText:
    ruleset = load_ruleset(version.ruleset_id)
    name = coop_name_of(coop, version)
    params = json.loads(version.parameters)
    text = version_text(version, redact)
    return RulesText(document_title(ruleset, name), name, ruleset, version, render.outline(text),
                     render.to_html(text, queries.gap_message, gap_href),
                     render.redact_values(params, redact) if redact else params)


def blocking_message(version: RulesVersion) -> str | None:
    """Why this version can't be printed for signing (missing answers), naming the steps."""
    gaps = render.gaps_in(version.text)
    if not gaps:
        return None
    steps: list[str] = []
    for key in gaps:
        step = queries.step_for(key)
        title = step[1] if step else "the founding journey"
        if title not in steps:
            steps.append(title)
    missing = ", ".join(queries.gap_message(k).removeprefix("to be decided: ").split(" — ")[0] for k in gaps)
    where = "; ".join(f'finish step "{s}"' if s != "the founding journey" else "finish the founding journey"
                      for s in steps)
    return f"The rules can't be printed yet: {missing} still to be decided. To fill the gaps, {where}, " \
           f"then save a new draft."


def rules_html(coop, version: RulesVersion, redact=()) -> str:
    text = rules_text(coop, version, redact=redact)
    return render_template("documents/rules.html", doc=text, coop=coop)


def rules_pdf(coop, version: RulesVersion, redact=()) -> bytes:
    """The rules for signing: cover, contents, numbered clauses, signature page. ``redact``
    names private answers to withhold (a mentor's read-only copy)."""
    problem = blocking_message(version)
    if problem:
        raise DocumentBlocked(problem)
    return render_pdf(rules_html(coop, version, redact), stylesheets=(rules_css(),), pdf_variant=PDF_VARIANT)


def amendment_html(coop, old_version: RulesVersion | None, new_version: RulesVersion, redact=()) -> str:
    old_text = rules_text(coop, old_version, redact=redact) if old_version is not None else None
    new_text = rules_text(coop, new_version, redact=redact)
    changes = diff.clause_diff(version_text(old_version, redact) if old_version is not None else "",
                               version_text(new_version, redact))
    return render_template(
        "documents/rules_amendment.html", coop=coop, old=old_text, new=new_text, changes=changes,
        parameter_changes=diff.parameter_changes(old_text.params, new_text.params) if old_text else [],
        changed_count=sum(1 for c in changes if c.status != "unchanged"),
    )


def amendment_pdf(coop, old_version: RulesVersion | None, new_version: RulesVersion, redact=()) -> bytes:
    """The amendment for filing: the changes in plain words, the rules marked up clause by clause,
    and a signature page for three members and the secretary. With no ``old_version`` on record
    every clause shows as new."""
    problem = blocking_message(new_version)
    if problem:
        raise DocumentBlocked(problem)
    return render_pdf(amendment_html(coop, old_version, new_version, redact), stylesheets=(rules_css(),),
                      pdf_variant=PDF_VARIANT)


# --- the registration pack -----------------------------------------------------------------

SOCIETY_SUMMARY = (
    ("coop_name", "Name of the society"),
    ("registered_office", "Registered office"),
    ("objects", "Objects"),
    ("business_description", "The business the society will carry out"),
    ("member_benefit", "How the members will benefit"),
    ("member_participation", "How the members take part in the business"),
    ("member_control", "How the members control the society"),
    ("profit_use", "How any profits are used"),
    ("funding", "How the society is funded"),
    ("financial_year_end", "Financial year end"),
    ("main_contact", "Main contact"),
    ("finance_contact", "Finance contact"),
)
COMPANY_SUMMARY = (
    ("coop_name", "Name of the company"),
    ("registered_office", "Registered office"),
    ("objects", "Objects"),
    ("business_description", "The business the company will carry out"),
    ("member_control", "How the members control the company"),
    ("profit_use", "How any profits are used"),
    ("funding", "How the company is funded"),
    ("financial_year_end", "Financial year end (accounting reference date)"),
    ("main_contact", "Main contact"),
)


def pack_summary(coop, version: RulesVersion) -> tuple[list[tuple[str, str, str | None]], list[str]]:
    """The application summary: (key, label, answer or None) rows, and the keys still missing."""
    answers = queries.answers_for(coop)
    params = json.loads(version.parameters)
    ruleset = load_ruleset(version.ruleset_id)
    rows, missing = [], []
    for key, label in (COMPANY_SUMMARY if ruleset.legal_form == "company" else SOCIETY_SUMMARY):
        value = params.get(key) if key in params and params.get(key) not in (None, "") else answers.get(key)
        if key == "financial_year_end" and value:
            value = _year_end_words(str(value))
        if value in (None, ""):
            missing.append(key)
            value = None
        rows.append((key, label, str(value) if value is not None else None))
    return rows, missing


def _year_end_words(value: str) -> str:
    months = ("January February March April May June July August September October November December").split()
    try:
        day, month = (int(x) for x in value.split("-"))
        return f"{day} {months[month - 1]}"
    except (ValueError, IndexError):
        return value


def pack_blocking_message(coop, version: RulesVersion) -> str | None:
    problem = blocking_message(version)
    if problem:
        return problem
    _, missing = pack_summary(coop, version)
    if missing:
        steps: list[str] = []
        for key in missing:
            step = queries.step_for(key)
            steps.append(f'"{step[1]}"' if step else "the founding journey")
        labels = ", ".join(queries.gap_message(k).removeprefix("to be decided: ").split(" — ")[0] for k in missing)
        return (f"The application summary is not complete: {labels} still to be answered. "
                f"Finish step{'s' if len(set(steps)) > 1 else ''} {', '.join(dict.fromkeys(steps))} first.")
    return None


def registration_pack_html(coop, version: RulesVersion, *, show_addresses: bool,
                           aml: list[AmlPerson] | None = None) -> str:
    text = rules_text(coop, version)
    rows, _ = pack_summary(coop, version)
    report = queries.check_version(coop, version)
    return render_template(
        "documents/registration_pack.html", coop=coop, doc=text, summary=rows,
        members=queries.founding_members(coop), show_addresses=show_addresses, aml=aml or [],
        checklist=queries.registration_checklist(coop), report=report,
    )


def pack_source(coop, version: RulesVersion, *, show_addresses: bool,
                aml: list[AmlPerson] | None = None) -> tuple[str, dict]:
    """The registration pack's HTML and its rendering options (for ``render_pdf`` and the PDF
    cache), or DocumentBlocked while something it needs is missing. Reads only."""
    problem = pack_blocking_message(coop, version)
    if problem:
        raise DocumentBlocked(problem)
    html = registration_pack_html(coop, version, show_addresses=show_addresses, aml=aml)
    return html, {"stylesheets": (rules_css(),), "pdf_variant": PDF_VARIANT}


def registration_pack_pdf(coop, version: RulesVersion, *, show_addresses: bool,
                          aml: list[AmlPerson] | None = None) -> bytes:
    """The registration pack: summary, founding members, optional AML details, checklist, rules.
    Rendered while the request waits: the pack with AML details (never cached). Without them it
    goes through the job queue (:mod:`coopkit.rules.tasks`)."""
    html, options = pack_source(coop, version, show_addresses=show_addresses, aml=aml)
    # Anti-money-laundering details never enter the shared cache. Founders' addresses may: they
    # are in the same database already (the register), and a cached pack is only found again by
    # someone whose request makes exactly the same input.
    return render_pdf(html, **options, use_cache=not aml)
