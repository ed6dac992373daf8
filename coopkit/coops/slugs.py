"""A co-op's web address (its slug): suggested from the name and checked before use."""

from __future__ import annotations

import re
import unicodedata

import sqlalchemy as sa

from coopkit.coops.models import Coop
from coopkit.extensions import db

SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{1,58}[a-z0-9])$")
RESERVED_SLUGS = {"new", "admin", "static", "api", "login", "signup"}


class CoopError(ValueError):
    """A clear message for the person filling in the form."""


def suggest_slug(name: str) -> str:
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    for word in (" limited", " ltd", " cyfyngedig"):
        if text.endswith(word):
            text = text[: -len(word)]
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:60].strip("-")
    return slug or "co-op"


def check_slug(slug: str) -> None:
    if not SLUG_RE.match(slug):
        raise CoopError("Use 3 to 60 lower-case letters, digits and hyphens, starting and ending with a letter or digit.")
    if slug in RESERVED_SLUGS:
        raise CoopError("That address is reserved. Choose another.")
    if db.session.execute(sa.select(Coop.id).where(Coop.slug == slug)).first():
        raise CoopError("Another co-op already uses this address. Choose another.")
