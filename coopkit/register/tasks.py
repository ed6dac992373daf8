"""Jobs of the registers: the register of members as a PDF, rendered by the job queue when
it is large (see coopkit.jobs.documents)."""

from __future__ import annotations

from datetime import date

from coopkit.coops.models import Coop
from coopkit.documents.pipeline import render_to_cache
from coopkit.extensions import db
from coopkit.jobs.documents import document_kind

#: above this many entries (current and former), the register's PDF is prepared by a job
#: with a progress page instead of while the secretary waits on the request
LARGE_REGISTER_ROWS = 300


def is_large(counts: dict) -> bool:
    return counts["current"] + counts["ceased"] + counts["applicant"] > LARGE_REGISTER_ROWS


@document_kind("register.members")
def render_register_of_members(coop_id: int, params: dict) -> str:
    from coopkit.register.documents import LANDSCAPE, members_html

    coop = db.session.get(Coop, coop_id)
    as_at = date.fromisoformat(params["as_at"])
    html, _ = members_html(coop, as_at)
    return render_to_cache(html, stylesheets=(LANDSCAPE,))
