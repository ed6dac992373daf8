"""The public "How co-ops work" guides: Markdown files in ``coopkit/founding/guides/``,
rendered with the markdown package and sanitised with nh3, linked from the steps."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import markdown
import nh3
from flask import Blueprint, abort, render_template
from markupsafe import Markup

from coopkit.coops.policy import requires

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
    return render_template("guides/index.html", guides=list(all_guides().values()))


@bp.route("/<slug>")
@requires("public")
def show(slug: str):
    found = guide(slug)
    if found is None:
        abort(404)
    guides = list(all_guides().values())
    position = guides.index(found)
    return render_template("guides/guide.html", guide=found, guides=guides,
                           previous=guides[position - 1] if position else None,
                           following=guides[position + 1] if position + 1 < len(guides) else None)
