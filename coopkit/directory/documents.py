"""The buyer pack as a PDF, through the one documents pipeline. It prints the facts as they
were when the pack was issued (stored with the pack), so a copy printed later says the same."""

from __future__ import annotations

import json

from flask import render_template

from coopkit.directory.models import BuyerPack
from coopkit.documents.pipeline import render_pdf
from coopkit.register import queries as register_queries

OFFICE_LABELS = {"secretary": "Secretary", "chair": "Chair", "treasurer": "Treasurer", "director": "Director",
                 "manager": "Manager"}


def pack_html(coop, pack: BuyerPack, verify_url: str) -> str:
    facts = json.loads(pack.facts)
    counts = register_queries.counts(coop, pack.issued_at.date())
    return render_template("documents/buyer_pack.html", coop=coop, pack=pack, facts=facts, counts=counts,
                           verify_url=verify_url, office_labels=OFFICE_LABELS)


def pack_pdf(coop, pack: BuyerPack, verify_url: str) -> bytes:
    """The pack: the facts, the rules' clauses that show worker control (quoted with their
    numbers), a register summary (counts only), the secretary's statement and the code."""
    return render_pdf(pack_html(coop, pack, verify_url))
