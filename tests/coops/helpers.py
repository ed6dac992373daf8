"""Small helpers for the co-op tests."""

from __future__ import annotations

import sqlalchemy as sa

from coopkit.extensions import db


def counts(app, *models) -> tuple[int, ...]:
    with app.app_context():
        result = tuple(db.session.execute(sa.select(sa.func.count()).select_from(m)).scalar_one() for m in models)
        db.session.remove()
        return result
