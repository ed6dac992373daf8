"""Counting the SQL statements a page costs (the no-N+1 tests)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import sqlalchemy as sa

from coopkit.extensions import db


@contextlib.contextmanager
def recorded_statements(app) -> Iterator[list[str]]:
    """Every SQL statement the app's engine runs inside the block, in order."""
    seen: list[str] = []

    def listen(conn, cursor, statement, *args):
        seen.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", listen)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", listen)


def count_statements(app, client, url) -> tuple[int, str]:
    """GET ``url`` (it must answer 200): how many statements it ran, and the page's text."""
    with recorded_statements(app) as seen:
        response = client.get(url)
    assert response.status_code == 200, f"{url} answered {response.status_code}"
    return len(seen), response.get_data(as_text=True)
