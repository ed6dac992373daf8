"""Versions: the lifecycle, amendments (the API the proposals feature calls) and the demo."""

from __future__ import annotations

import json
from datetime import date

import pytest
import sqlalchemy as sa

from coopkit.extensions import db
from tests.founding.helpers import COMPLETE_ANSWERS
from tests.rules.helpers import ready_coop, save_answers


def _rows(coop_id):
    from coopkit.rules.models import RulesVersion

    return {v.number: v for v in db.session.execute(
        sa.select(RulesVersion).where(RulesVersion.coop_id == coop_id)).scalars()}


def _actions(coop_id):
    from coopkit.audit.models import AuditEvent

    return [a for (a,) in db.session.execute(sa.select(AuditEvent.action).where(AuditEvent.coop_id == coop_id)
                                             .order_by(AuditEvent.seq)).all() if a.startswith("rules.")]


@pytest.fixture()
def setup(app, make):
    coop, users = ready_coop(app, make)
    return app, coop, users


def _objects(app, coop, users):
    from coopkit.accounts.models import User
    from coopkit.coops.models import Coop

    return db.session.get(Coop, coop.id), db.session.get(User, users[0].id)


def test_lifecycle_supersedes_what_it_replaces(setup):
    from coopkit.rules import queries, services

    app, coop, users = setup
    with app.app_context():
        coop_row, actor = _objects(app, coop, users)
        first, created = services.generate_draft(coop_row, actor)
        assert created and first.number == 1 and first.status == "draft"
        assert services.generate_draft(coop_row, actor) == (first, False)
        services.adopt_version(first, on=date(2026, 1, 5), actor=actor)
        db.session.commit()
    save_answers(app, coop, users[0], {"decisions": dict(COMPLETE_ANSWERS["decisions"], notice_clear_days="21")})
    with app.app_context():
        coop_row, actor = _objects(app, coop, users)
        second, _ = services.generate_draft(coop_row, actor)
        assert second.number == 2
        services.adopt_version(second, on=date(2026, 1, 6), actor=actor)
        rows = _rows(coop.id)
        assert rows[1].status == "superseded"  # adopted, never registered, replaced
        assert queries.governing_version(coop_row).number == 2
        with pytest.raises(services.RulesError, match="only a draft can be adopted"):
            services.adopt_version(second, on=date(2026, 1, 6), actor=actor)
        with pytest.raises(services.RulesError, match="can't be before"):
            services.register_version(second, date(2026, 1, 1), actor, "RS1")
        services.register_version(second, date(2026, 2, 1), actor, "RS1")
        db.session.commit()
        assert _actions(coop.id) == ["rules.draft_saved", "rules.adopted", "rules.draft_saved",
                                     "rules.superseded", "rules.adopted", "rules.registered"]


def test_amendment_api_used_by_proposals(setup):
    """create_amended_version(coop, new_parameters, actor, proposal_id), register_version(version, on,
    actor), diff.parameter_changes(old, new), diff.clause_diff(old_text, new_text) and
    documents.amendment_pdf(coop, old, new): the signatures coopkit.proposals relies on."""
    from coopkit.rules import diff, queries, services

    app, coop, users = setup
    with app.app_context():
        coop_row, actor = _objects(app, coop, users)
        base, _ = services.generate_draft(coop_row, actor)
        services.adopt_version(base, on=date(2026, 1, 5), actor=actor)
        services.register_version(base, date(2026, 1, 20), actor, "RS1")
        amended = services.create_amended_version(coop_row, {"quorum_min_members": 3}, actor, 42)
        assert amended.status == "adopted" and amended.adopted_by_proposal_id == 42
        assert json.loads(amended.parameters)["quorum_min_members"] == 3
        # the registered rules stay in force until the amendment is registered
        assert queries.governing_version(coop_row).number == base.number
        assert queries.current_parameters(coop_row)["quorum_min_members"] == 2
        lines = diff.parameter_changes(json.loads(base.parameters), json.loads(amended.parameters))
        assert lines == ["Quorum: at least this many members: from 2 to 3."]
        changed = [c for c in diff.clause_diff(base.text, amended.text) if c.status == "changed"]
        assert any("<del>2</del><ins>3</ins>" in c.html or "<ins>3</ins>" in c.html for c in changed)
        services.register_version(amended, date.today(), actor, "RS1")
        assert queries.governing_version(coop_row).number == amended.number
        assert queries.current_parameters(coop_row)["quorum_min_members"] == 3
        assert _rows(coop.id)[base.number].status == "superseded"
        with app.test_request_context():
            from coopkit.rules.documents import amendment_pdf

            assert amendment_pdf(coop_row, base, amended).startswith(b"%PDF")
        db.session.commit()


@pytest.mark.parametrize(("changes", "message"), [
    ({"no_such_setting": 1}, "no setting called no_such_setting"),
    ({"quorum_percent": 140}, "must be between"),
    ({"coop_name": ""}, "would have gaps"),
])
def test_bad_amendments_are_refused_and_write_nothing(setup, changes, message):
    from coopkit.rules import services

    app, coop, users = setup
    with app.app_context():
        coop_row, actor = _objects(app, coop, users)
        base, _ = services.generate_draft(coop_row, actor)
        db.session.commit()
        with pytest.raises(services.RulesError, match=message):
            services.create_amended_version(coop_row, changes, actor, 7)
        db.session.rollback()
        assert list(_rows(coop.id)) == [base.number]


def test_demo_rules(app):
    from coopkit import demo
    from coopkit.coops.models import Coop
    from coopkit.rules import queries

    with app.app_context():
        demo.seed()
        db.session.commit()
        preston = db.session.execute(sa.select(Coop).where(Coop.slug == "preston-digital")).scalar_one()
        northern = db.session.execute(sa.select(Coop).where(Coop.slug == "northern-pixels")).scalar_one()
        versions = queries.versions(preston)
        first = queries.version_by_number(preston, 1)
        assert first.number == 1 and first.status in ("registered", "superseded")
        assert first.adopted_on == date(2024, 2, 20) and first.registered_on == date(2024, 3, 1)
        assert queries.check_version(preston, first).passed
        assert any(v.status == "registered" for v in versions)
        drafts = queries.versions(northern)
        assert [v.status for v in drafts] == ["draft"]
        report = queries.check_version(northern, queries.version_by_number(northern, drafts[0].number))
        assert len(report.failures) == 1 and report.failures[0].id == "p.gaps"
        assert "registered office" in report.failures[0].detail
