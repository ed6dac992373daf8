"""The register's pages. Routes live in views_members (the register of members and the
flows that change entries), views_officers (the officers' particulars form) and views_records (shares,
officers, PDFs, import and export)."""

from coopkit.register import views_members, views_officers, views_records  # noqa: F401  (they add the routes)
from coopkit.register.blueprint import bp

__all__ = ["bp"]
