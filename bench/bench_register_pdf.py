"""How does the register-of-members PDF scale? Time it for 1,000 and 2,000 members.

    .venv/bin/python bench/bench_register_pdf.py [--sizes 1000 2000] [--repeat 3]

For each size it makes a fresh temporary SQLite database with one registered society
whose members each hold a £1 share (a tenth of them with a loan, a twentieth of them
ceased), then renders the register of members as at today through the real pipeline
(``coopkit.register.documents.members_pdf`` with the cache off), ``--repeat`` times,
and prints the best time: CPU time of the process (what the rendering costs, steady
on a busy machine) and wall-clock time. The last line is the ratio of the largest to
the smallest size's CPU time; for 1,000 -> 2,000 members the target is at most 2.2 (roughly linear).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET = 2.2


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
        db.session.execute(sa.insert(ShareTransaction), shares)
        db.session.execute(sa.insert(MemberProperty), loans)
        db.session.commit()
        return coop.id


def time_pdf(app, coop_id: int, repeat: int) -> tuple[float, float, int, int]:
    from pypdf import PdfReader

    from coopkit.coops.models import Coop
    from coopkit.extensions import db
    from coopkit.register.documents import members_pdf

    best_cpu, best_wall, pdf = float("inf"), float("inf"), b""
    with app.test_request_context():
        coop = db.session.get(Coop, coop_id)
        for _ in range(repeat):
            wall, cpu = time.perf_counter(), time.process_time()
            pdf, _ = members_pdf(coop, date.today(), use_cache=False)
            best_cpu = min(best_cpu, time.process_time() - cpu)
            best_wall = min(best_wall, time.perf_counter() - wall)
    import io

    return best_cpu, best_wall, len(pdf), len(PdfReader(io.BytesIO(pdf)).pages)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 2000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from coopkit import create_app
    from coopkit.config import Settings

    times = {}
    for size in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            app = create_app({
                "SETTINGS": Settings(env="testing", secret_key="bench-secret-key-not-for-production",
                                     base_url="http://localhost"),
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(tmp) / 'bench.db'}",
                "SERVER_NAME": "localhost",
            })
            coop_id = build(app, size)
            seconds, wall, size_bytes, pages = time_pdf(app, coop_id, args.repeat)
            with app.app_context():
                from coopkit.extensions import db

                db.engine.dispose()
        times[size] = seconds
        print(f"register of members PDF, {size:>6,} members: {seconds:7.3f} s CPU, {wall:7.3f} s wall  "
              f"({pages} pages, {size_bytes / 1024:,.0f} KiB; best of {args.repeat})")
    small, large = min(times), max(times)
    if small != large:
        ratio = times[large] / times[small]
        verdict = "ok" if ratio <= TARGET * large / small / 2 else "ABOVE TARGET"
        print(f"ratio {large:,} : {small:,} members = {ratio:.2f} (target <= {TARGET * large / small / 2:.1f}): "
              f"{verdict}")
        return 0 if verdict == "ok" else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
