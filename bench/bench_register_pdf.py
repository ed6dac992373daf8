"""How fast is the register-of-members PDF, next to raw WeasyPrint on the same HTML (issue 14, item 3)?

    .venv/bin/python bench/bench_register_pdf.py [--sizes 50 1000 10000] [--repeat 2]

For each size it makes a fresh temporary SQLite database with one registered society
whose members each hold a £1 share (a tenth of them with a loan, a twentieth of them
ceased) and times, in this process's CPU seconds (steady on a busy machine; wall time too):

- coopkit: the register of members as at today through the real pipeline
  (``coopkit.register.documents.members_pdf`` with the cache off: the queries, the template,
  coopkit's print CSS and tagged PDF output);
- raw WeasyPrint: ``weasyprint.HTML(string=html).write_pdf()`` on the same HTML, nothing else.

It prints both, the ratio coopkit : raw (target at most 1.2), and checks the targets: 50
members under 1 s of CPU, 1,000 under 5 s, 10,000 at most 11x the 1,000 figure (linear).
The best of --repeat runs is kept; sizes of 5,000 and more run once. The load average is printed.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

RATIO_TARGET = 1.2
#: members -> CPU seconds the coopkit rendering must stay under
CPU_TARGETS = {50: 1.0, 1000: 5.0}
LINEAR_TARGET = 11


def build(app, size: int):
    import sqlalchemy as sa

    from coopkit.accounts.services import create_user
    from coopkit.coops.models import Member
    from coopkit.extensions import db
    from coopkit.register.models import MemberProperty, ShareTransaction
    from coopkit.workspace.services import create_coop

    with app.app_context():
        db.create_all()
        user = create_user("bench@example.org", "Bench Secretary", "bench-password-123")
        coop = create_coop(user, "Bench Co-operative Limited", "bench-coop")
        coop.stage, coop.legal_form, coop.registration_number = "registered", "society", "99999R"
        coop.registered_office = "1 Bench Street, Preston PR1 1AA"
        db.session.flush()
        start = date(2020, 1, 1)
        rows = []
        for i in range(size):
            admitted = start + timedelta(days=i % 1500)
            ceased = admitted + timedelta(days=200) if i % 20 == 0 else None
            rows.append({"coop_id": coop.id, "full_name": f"Member Number {i:05d}",
                         "postal_address": f"{i} Long Road, Preston PR{i % 9 + 1} {i % 9}AB",
                         "email": f"member{i}@example.org", "consents_to_electronic": i % 3 != 0,
                         "status": "ceased" if ceased else "member", "member_class": "voting",
                         "admitted_on": admitted, "ceased_on": ceased,
                         "ceased_reason": "resigned" if ceased else None})
        db.session.execute(sa.insert(Member), rows)
        members = db.session.execute(sa.select(Member.id, Member.admitted_on, Member.ceased_on)
                                     .where(Member.coop_id == coop.id, Member.full_name.like("Member Number %"))
                                     ).all()
        shares, loans = [], []
        for member_id, admitted, ceased in members:
            shares.append({"coop_id": coop.id, "member_id": member_id, "kind": "issue", "amount_pence": 100,
                           "paid_pence": 100, "on": admitted, "note": ""})
            if ceased:
                shares.append({"coop_id": coop.id, "member_id": member_id, "kind": "withdrawal",
                               "amount_pence": -100, "paid_pence": -100, "on": ceased, "note": ""})
            if member_id % 10 == 0:
                loans.append({"coop_id": coop.id, "member_id": member_id, "kind": "loan", "amount_pence": 50_000,
                              "on": admitted, "note": "3% a year"})
        for model, rows in ((ShareTransaction, shares), (MemberProperty, loans)):
            if rows:  # an empty list would insert one row of defaults
                db.session.execute(sa.insert(model), rows)
        db.session.commit()
        return coop.id


def _best(fn, repeat: int) -> tuple[float, float, bytes]:
    best_cpu, best_wall, out = float("inf"), float("inf"), b""
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        out = fn()
        best_cpu = min(best_cpu, time.process_time() - cpu)
        best_wall = min(best_wall, time.perf_counter() - wall)
    return best_cpu, best_wall, out


def measure(size: int, repeat: int = 2) -> dict:
    """Build a register of ``size`` members and time coopkit's PDF and raw WeasyPrint's on its HTML."""
    import weasyprint
    from pypdf import PdfReader

    from coopkit import create_app
    from coopkit.config import Settings
    from coopkit.coops.models import Coop
    from coopkit.extensions import db
    from coopkit.register.documents import members_html, members_pdf

    repeat = 1 if size >= 5000 else repeat
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({
            "SETTINGS": Settings(env="testing", secret_key="bench-secret-key-not-for-production",
                                 base_url="http://localhost", log_level="WARNING"),
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(tmp) / 'bench.db'}",
            "SERVER_NAME": "localhost",
        })
        coop_id = build(app, size)
        today = date.today()
        with app.test_request_context():
            coop = db.session.get(Coop, coop_id)
            weasyprint.HTML(string="<p>warm-up</p>").write_pdf()  # fonts found once per process
            cpu, wall, pdf = _best(lambda: members_pdf(coop, today, use_cache=False)[0], repeat)
            html, _ = members_html(coop, today)
            raw_cpu, raw_wall, raw = _best(lambda: weasyprint.HTML(string=html).write_pdf(), repeat)
            db.session.remove()
            db.engine.dispose()
    return {"size": size, "cpu": cpu, "wall": wall, "raw_cpu": raw_cpu, "raw_wall": raw_wall,
            "pages": len(PdfReader(io.BytesIO(pdf)).pages), "raw_pages": len(PdfReader(io.BytesIO(raw)).pages),
            "kib": len(pdf) / 1024, "repeat": repeat}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 1000, 10000])
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()

    results = {}
    print(f"{'members':>8}{'coopkit CPU s':>15}{'wall s':>9}{'pages':>7}{'raw CPU s':>11}{'wall s':>9}{'pages':>7}"
          f"{'ratio':>8}  targets")
    for size in args.sizes:
        r = results[size] = measure(size, args.repeat)
        ratio = r["cpu"] / r["raw_cpu"]
        checks = [f"ratio <= {RATIO_TARGET}: {'yes' if ratio <= RATIO_TARGET else 'NO'}"]
        if size in CPU_TARGETS:
            checks.append(f"under {CPU_TARGETS[size]:.0f} s: {'yes' if r['cpu'] < CPU_TARGETS[size] else 'NO'}")
        print(f"{size:>8,}{r['cpu']:>15.2f}{r['wall']:>9.2f}{r['pages']:>7}{r['raw_cpu']:>11.2f}{r['raw_wall']:>9.2f}"
              f"{r['raw_pages']:>7}{ratio:>7.2f}x  {'; '.join(checks)} (best of {r['repeat']})", flush=True)
    if 1000 in results and 10000 in results:
        linear = results[10000]["cpu"] / results[1000]["cpu"]
        print(f"10,000 : 1,000 members = {linear:.1f}x (target <= {LINEAR_TARGET}x): "
              f"{'yes' if linear <= LINEAR_TARGET else 'NO'}")
    one, five, _ = os.getloadavg()
    print(f"load average {one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} CPUs; raw = "
          f"weasyprint.HTML(string=html).write_pdf() on coopkit's HTML (no print CSS, no PDF tags)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
