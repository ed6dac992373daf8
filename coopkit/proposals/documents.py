"""The minutes/resolution PDF of a closed proposal, and the amendment PDF (from the rules feature)."""

from __future__ import annotations

from flask import render_template

from coopkit.database import utcnow
from coopkit.documents.pipeline import render_pdf
from coopkit.extensions import db
from coopkit.proposals import kinds, queries
from coopkit.proposals.text import render_markdown
from coopkit.rules.documents import DocumentBlocked
from coopkit.rules.documents import amendment_pdf as rules_amendment_pdf
from coopkit.rules.models import RulesVersion


def minutes_html(coop, proposal) -> str:
    result = proposal.result
    return render_template(
        "documents/minutes.html", coop=coop, proposal=proposal, result=result,
        body=render_markdown(proposal.body), record=queries.open_ballot_record(proposal),
        generated_on=utcnow().date(), subject=kinds.subject_name(proposal),
    )


def minutes_pdf(coop, proposal) -> bytes:
    """Title, text, method, threshold and basis, quorum, counts, turnout, outcome and dates.
    A secret ballot shows totals only."""
    return render_pdf(minutes_html(coop, proposal))


def amendment_pdf(coop, proposal) -> bytes:
    new = db.session.get(RulesVersion, proposal.amended_rules_version_id)
    old = db.session.get(RulesVersion, proposal.base_rules_version_id) if proposal.base_rules_version_id else None
    if old is None:
        raise DocumentBlocked("There are no earlier rules to compare with, so no amendment can be printed: "
                              "print the new rules in full from the rules pages.")
    return rules_amendment_pdf(coop, old, new)
