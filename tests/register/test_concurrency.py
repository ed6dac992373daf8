"""Two secretaries approving the same application at the same moment give one member,
one membership share and one directorship: threads against the real database
(SQLite here, PostgreSQL when COOPKIT_TEST_DATABASE_URL points at it)."""

from __future__ import annotations

import threading
from datetime import date

import sqlalchemy as sa

from coopkit.audit.models import AuditEvent
from coopkit.coops.models import Member, Officer
from coopkit.extensions import db
from coopkit.register import services
from coopkit.register.models import ShareTransaction


def test_two_secretaries_approve_at_once(app, make, society, in_app):
    # a second secretary: the chair acting for the secretary, with register rights for the test
    applicant_id = in_app(lambda c: services.add_applicant(
        c.coop(society.coop.id), full_name="Gil Green", postal_address="1 Applicant Road, Preston", actor=c.user(society.secretary.id),
        applied_on=date(2024, 2, 1)).id)
    other = make.user(name="Second Secretary")
    with app.app_context():
        sqlite = db.engine.dialect.name == "sqlite"
    barrier = threading.Barrier(2, timeout=20)
    outcomes: list[str] = []
    lock = threading.Lock()

    def approve(user_id: int):
        with app.app_context():
            try:
                from coopkit.accounts.models import User

                if sqlite:
                    # Every SQLite transaction begins IMMEDIATE, so a reader already holds the write
                    # lock: start together and let the database queue the two approvals.
                    barrier.wait()
                actor = db.session.get(User, user_id)
                member = db.session.get(Member, applicant_id)
                if not sqlite:
                    assert member.status == "applicant"  # both hold an applicant: a true race
                    barrier.wait()
                try:
                    services.admit_member(member, date(2024, 3, 1), actor)
                    db.session.commit()
                    result = "admitted"
                except services.RegisterError as exc:
                    db.session.rollback()
                    result = f"refused: {exc}"
            except Exception as exc:  # noqa: BLE001 - reported below
                db.session.rollback()
                result = f"error: {exc!r}"
            finally:
                db.session.remove()
            with lock:
                outcomes.append(result)

    for _ in range(3):  # several rounds make a lucky ordering unlikely to hide a race
        outcomes.clear()
        threads = [threading.Thread(target=approve, args=(uid,)) for uid in (society.secretary.id, other.id)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert sorted(o.split(":")[0] for o in outcomes) == ["admitted", "refused"], outcomes
        assert "already" in next(o for o in outcomes if o.startswith("refused"))

        def check(ctx, applicant_id=applicant_id):
            member = ctx.member(applicant_id)
            assert (member.status, member.admitted_on) == ("member", date(2024, 3, 1))
            shares = db.session.execute(sa.select(ShareTransaction.amount_pence)
                                        .where(ShareTransaction.member_id == applicant_id)).scalars().all()
            assert shares == [100]
            offices = db.session.execute(sa.select(Officer.office).where(Officer.member_id == applicant_id)
                                         ).scalars().all()
            assert offices == ["director"]
            admitted = db.session.execute(sa.select(sa.func.count()).select_from(AuditEvent).where(
                AuditEvent.action == "member.admitted", AuditEvent.subject_id == str(applicant_id))).scalar_one()
            assert admitted == 1
            # back to an applicant for the next round, as a fresh application would be
            new = services.add_applicant(ctx.coop(society.coop.id), full_name="Gil Green", postal_address="1 Applicant Road, Preston",
                                         actor=ctx.user(society.secretary.id), applied_on=date(2024, 2, 1))
            return new.id

        applicant_id = in_app(check)


def test_two_withdrawals_at_once_never_go_below_nothing(app, society, in_app):
    """Two secretaries withdrawing the member's only share at once: one succeeds."""
    in_app(lambda c: services.issue_shares(c.member(society.member.id), 100, on=date(2024, 1, 1),
                                           actor=c.user(society.secretary.id)))
    barrier = threading.Barrier(2, timeout=20)
    outcomes = []
    with app.app_context():
        sqlite = db.engine.dialect.name == "sqlite"

    def withdraw():
        with app.app_context():
            from coopkit.accounts.models import User

            if sqlite:
                barrier.wait()  # see above: SQLite queues whole transactions
            member = db.session.get(Member, society.member.id)
            actor = db.session.get(User, society.secretary.id)
            if not sqlite:
                barrier.wait()
            try:
                services.withdraw_shares(member, 100, on=date(2024, 2, 1), actor=actor)
                db.session.commit()
                outcomes.append("ok")
            except services.RegisterError:
                db.session.rollback()
                outcomes.append("refused")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=withdraw) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes) == ["ok", "refused"]
    total = in_app(lambda c: db.session.execute(sa.select(sa.func.sum(ShareTransaction.amount_pence))
                                                .where(ShareTransaction.member_id == society.member.id)).scalar_one())
    assert total == 0
