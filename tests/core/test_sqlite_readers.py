"""SQLite: a reader is not blocked by a writer holding a transaction open (two processes).

A request with a safe method begins a deferred transaction (WAL: it reads a snapshot);
anything that may write begins IMMEDIATE and queues for the one write lock. See
coopkit/database.py."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

COMMON = """
import json, sys, time
from pathlib import Path
import coopkit.database
coopkit.database.SQLITE_BUSY_TIMEOUT_MS = 3000  # a blocked reader fails fast instead of waiting 30 s
from coopkit import create_app
from coopkit.config import Settings
from coopkit.extensions import db

work = Path(sys.argv[1])
app = create_app({"SETTINGS": Settings(env="testing", secret_key="two-processes", base_url="http://localhost"),
                  "SQLALCHEMY_DATABASE_URI": f"sqlite:///{work / 'rw.db'}", "SERVER_NAME": "localhost",
                  "WTF_CSRF_ENABLED": False})

def wait_for(name, seconds=90):
    deadline = time.monotonic() + seconds
    while not (work / name).exists():
        if time.monotonic() > deadline:
            sys.exit(f"gave up waiting for {name}")
        time.sleep(0.05)
"""

WRITER = COMMON + """
from coopkit.accounts.services import create_user
from coopkit.coops.models import Coop
from coopkit.workspace.services import create_coop, create_invitation

with app.app_context():
    db.create_all()
    user = create_user("writer@example.org", "Wendy Writer", "a long enough password 1")
    coop = create_coop(user, "Before Co-op", "before-coop")
    _, token = create_invitation(coop, user, None)
    db.session.commit()
    (work / "token").write_text(token)
    # A write transaction, held open: on SQLite it holds the write lock.
    coop = db.session.get(Coop, coop.id)
    coop.name = "After Co-op"
    db.session.flush()
    (work / "writer-holding").touch()
    wait_for("reader-done")
    still_open = db.session().in_transaction() and db.session.get(Coop, coop.id).name == "After Co-op"
    db.session.commit()
    print(json.dumps({"held_until_reader_done": still_open}))
"""

READER = COMMON + """
import sqlalchemy as sa
from coopkit.coops.models import Coop

wait_for("writer-holding")
token = (work / "token").read_text()
result = {}
client = app.test_client()
response = client.get(f"/invite/{token}")
result["get_status"] = response.status_code
result["get_shows"] = [n for n in ("Before Co-op", "After Co-op") if n in response.text]
# A unit that may write (a POST) queues for the lock, so it cannot start while the writer holds it.
with app.test_request_context("/", method="POST"):
    try:
        db.session.execute(sa.select(Coop.name)).all()
        result["post_began"] = True
    except sa.exc.OperationalError as exc:
        result["post_began"] = False
        result["post_error"] = str(exc.orig)
    finally:
        db.session.rollback()
        db.session.remove()
(work / "reader-done").touch()
print(json.dumps(result))
"""


def _run(script: str, work: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COOPKIT_")}
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(script), str(work)], cwd=work, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.slow
def test_a_reader_is_not_blocked_by_a_writer_holding_a_transaction(tmp_path):
    if os.environ.get("COOPKIT_TEST_DATABASE_URL"):
        pytest.skip("SQLite locking (PostgreSQL readers never wait for writers)")
    writer = _run(WRITER, tmp_path)
    reader = _run(READER, tmp_path)
    reader_out, reader_err = reader.communicate(timeout=180)
    writer_out, writer_err = writer.communicate(timeout=180)
    assert reader.returncode == 0, reader_err
    assert writer.returncode == 0, writer_err
    read = json.loads(reader_out.strip().splitlines()[-1])
    wrote = json.loads(writer_out.strip().splitlines()[-1])
    # The GET was answered while the writer still held its transaction open ...
    assert wrote == {"held_until_reader_done": True}
    assert read["get_status"] == 200
    # ... from the last committed state (the uncommitted rename is not visible).
    assert read["get_shows"] == ["Before Co-op"]
    # The write lock really was held: a unit that may write could not begin meanwhile.
    assert read["post_began"] is False
    assert "locked" in read["post_error"]
