"""The benchmark scripts in bench/ still run: each one's core at a tiny size (a few seconds in all).

They measure and print outside the test run; a bench that crashes after a change to the models or
the services is a defect all the same. Nothing here looks at a time.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa

from bench import _harness as h
from bench import bench_register_pdf, bench_tally, bench_votes
from coopkit.extensions import db

ROOT = Path(__file__).resolve().parent.parent


def test_the_tally_bench_counts_every_method():
    figures = bench_tally.run(n=40, repeat=1)
    names = [name for name, _, _ in figures]
    assert any("STV" in name for name in names) and any("consent" in name for name in names)
    assert all(ms >= 0 for _, ms, _ in figures)


def test_the_register_pdf_bench_renders_both_ways():
    figures = bench_register_pdf.measure(3, repeat=1)
    assert figures["pages"] >= 1 and figures["raw_pages"] >= 1
    assert figures["cpu"] > 0 and figures["raw_cpu"] > 0


def test_the_open_proposal_bench_runs(tmp_path):
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "bench_open_proposal.py"), "--members", "3",
                          "--runs", "1", "--database-url", "sqlite"], capture_output=True, text=True, cwd=ROOT,
                         timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert re.search(r"queued: \d+ delivery job\(s\) holding 6 message\(s\)", out.stdout), out.stdout


def test_the_one_query_page_renders_50_rows_from_one_select(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'minimal.db'}"
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE audit_events (id INTEGER PRIMARY KEY, action TEXT, created_at TEXT)")
        conn.exec_driver_sql("INSERT INTO audit_events (action, created_at) VALUES "
                             + ", ".join(f"('event.{i}', '2026-01-01')" for i in range(60)))
    engine.dispose()
    monkeypatch.setenv("COOPKIT_DATABASE_URL", url)
    page = h.minimal_app().test_client().get("/one-query")
    assert page.status_code == 200 and h.MINIMAL_EXPECT in page.data
    assert page.data.count(b"<tr><td>") == 50


def test_the_votes_bench_prepares_voters_who_can_vote(app):
    setup = bench_votes.prepare_voters(app, db, 3)
    client = app.test_client()
    client.set_cookie("session", setup["cookies"][1].split("=", 1)[1])
    path = setup["proposals"]["secret"]["path"]
    form = client.get(path)
    assert form.status_code == 200
    answer = client.post(path, data={"choice": "for", "seen": "0"})  # the test app checks no CSRF token
    assert answer.status_code == 200 and b"secret ballot is in" in answer.data
    with app.app_context():
        proposal_id = setup["proposals"]["secret"]["id"]
        counts = {table: db.session.execute(sa.text(f"SELECT count(*) FROM {table} WHERE proposal_id = :p"),
                                            {"p": proposal_id}).scalar() for table in ("participations", "ballot_box")}
    assert counts == {"participations": 1, "ballot_box": 1}
