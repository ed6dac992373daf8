"""SQL statements a page runs, counted in-process (bench/bench_pages.py prints them per page)."""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
from collections.abc import Iterator

from bench._harness import ROOT

# --- SQL statements, counted in-process ---------------------------------------------

@contextlib.contextmanager
def recorded_statements(engine) -> Iterator[list[str]]:
    """Every SQL statement ``engine`` runs inside the block, in order."""
    seen: list[str] = []

    def listen(conn, cursor, statement, *args):
        seen.append(statement)

    import sqlalchemy as sa

    sa.event.listen(engine, "before_cursor_execute", listen)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", listen)


COUNT_CHILD = """
import json, sys
import sqlalchemy as sa
from bench._statements import recorded_statements
from coopkit import create_app
from coopkit.accounts.models import User
from coopkit.extensions import db

visits = json.loads(sys.stdin.read())
app = create_app()
with app.app_context():
    engine = db.engine
    users = {u.email: f"{u.id}:{u.session_version}" for u in db.session.execute(
        sa.select(User).where(User.email.in_({v[1] for v in visits}))).scalars()}
counts = {}
for name, email, path in visits:
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"], session["_fresh"] = users[email], True
    client.get(path)  # the first visit fills the caches a worker keeps
    with recorded_statements(engine) as seen:
        response = client.get(path)
    if response.status_code != 200:
        raise SystemExit(f"{path} answered {response.status_code}")
    counts[name] = len(seen)
print(json.dumps(counts))
"""


def statements_per_page(env: dict[str, str], visits: list[tuple[str, str, str]]) -> dict[str, int]:
    """SQL statements each page runs on a second visit, counted in a child process with the bench's
    settings. ``visits``: (name, the email of the user logged in, path)."""
    out = subprocess.run([sys.executable, "-c", COUNT_CHILD], input=json.dumps(visits), env=env, cwd=ROOT,
                         capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(f"counting statements failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])
