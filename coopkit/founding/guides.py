"""The public "How co-ops work" guides: Markdown files in ``coopkit/founding/guides/``,
rendered with the markdown package and sanitised with nh3, linked from the steps."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import markdown
import nh3
import sqlalchemy as sa
from flask import Blueprint, abort, render_template, request
from flask_login import current_user
from markupsafe import Markup

from coopkit.coops import policy
from coopkit.coops.models import Coop
from coopkit.coops.policy import requires
from coopkit.extensions import db
from coopkit.founding import catalogue

GUIDES_DIR = Path(__file__).with_name("guides")
#: the order the guides are listed in
ORDER = ("principles", "legal-forms", "worker-co-ops", "registration")

bp = Blueprint("guides", __name__, url_prefix="/guides")


@dataclass(frozen=True)
class Guide:
    slug: str
    title: str
    summary: str
    html: Markup


def render_markdown(text: str) -> Markup:
    """Markdown to HTML, sanitised (our own files, but the same path as anything users write)."""
    html = markdown.markdown(text, extensions=["tables", "sane_lists"], output_format="html")
    return Markup(nh3.clean(html))


def _load(path: Path) -> Guide:
    text = path.read_text(encoding="utf-8")
    lines = text.strip().splitlines()
    title = lines[0].lstrip("# ").strip()
    body = "\n".join(lines[1:]).strip()
    summary = body.split("\n\n", 1)[0].replace("\n", " ")
    return Guide(slug=path.stem, title=title, summary=summary, html=render_markdown(body))


@cache
def all_guides() -> dict[str, Guide]:
    """Every guide, read and rendered once per process, in reading order."""
    found = {p.stem: _load(p) for p in sorted(GUIDES_DIR.glob("*.md"))}
    ordered = {slug: found.pop(slug) for slug in ORDER if slug in found}
    ordered.update(found)
    return ordered


def guide(slug: str) -> Guide | None:
    return all_guides().get(slug)


@bp.app_template_filter("markdown")
def markdown_filter(text: str) -> Markup:
    return render_markdown(text or "")


@bp.app_template_global()
def guide_link(slug: str) -> Guide | None:
    return guide(slug)


@bp.route("/")
@requires("public")
def index():
    return render_template("guides/index.html", guides=list(all_guides().values()), came_from=_came_from())


@bp.route("/tour")
@requires("public")
def tour():
    """A short tour for a new founding group: what happens, in what order, how long, what it costs."""
    return render_template("guides/tour.html", steps=catalogue.steps(), came_from=_came_from())


@bp.route("/<slug>")
@requires("public")
def show(slug: str):
    found = guide(slug)
    if found is None:
        abort(404)
    guides = list(all_guides().values())
    position = guides.index(found)
    return render_template("guides/guide.html", guide=found, guides=guides, came_from=_came_from(),
                           previous=guides[position - 1] if position else None,
                           following=guides[position + 1] if position + 1 < len(guides) else None)


@dataclass(frozen=True)
class CameFrom:
    """The founding step a guide was opened from (``?coop=<slug>&from=<step key>``)."""
    coop_slug: str
    coop_name: str
    step: catalogue.Step

    @property
    def query(self) -> dict[str, str]:
        return {"coop": self.coop_slug, "from": self.step.key}


def _came_from() -> CameFrom | None:
    """The step named in the query string, only when it exists and the user may see that
    co-op's journey: anything else is ignored (the guide is public, the journey is not)."""
    step = catalogue.get_step(request.args.get("from", ""))
    slug = request.args.get("coop", "")
    if step is None or not slug or not current_user.is_authenticated:
        return None
    coop = db.session.execute(sa.select(Coop).where(Coop.slug == slug)).scalar_one_or_none()
    if coop is None or not policy.can(current_user, "founding.view", coop):
        return None
    return CameFrom(coop_slug=coop.slug, coop_name=coop.name, step=step)
