"""Jobs of the rules: the registration pack as a PDF (summary, founding members, checklist and
the whole rules), rendered by the job queue into the PDF cache (see coopkit.jobs.documents)."""

from __future__ import annotations

from coopkit.coops.models import Coop
from coopkit.documents.pipeline import render_to_cache
from coopkit.extensions import db
from coopkit.jobs.documents import document_kind
from coopkit.rules import documents, queries


@document_kind("rules.pack")
def render_registration_pack(coop_id: int, params: dict) -> str:
    """The pack without anti-money-laundering details (those are never cached). A pack that can
    no longer be made (a step was reopened meanwhile) fails the job with DocumentBlocked."""
    coop = db.session.get(Coop, coop_id)
    version = queries.version_by_number(coop, int(params["version"]))
    html, options = documents.pack_source(coop, version, show_addresses=bool(params["show_addresses"]))
    return render_to_cache(html, **options)
