"""The commit rule (coopkit.web.request_commits) and keep_changes, through real requests."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import redirect

from coopkit.audit.models import AuditEvent
from coopkit.audit.services import record
from coopkit.extensions import db
from coopkit.web import keep_changes, request_commits


@pytest.mark.parametrize(("method", "status", "mimetype", "kept", "commits"), [
    ("POST", 302, "text/html", False, True),    # a successful form: redirect
    ("POST", 200, "text/html", False, False),   # the form shown again: nothing kept
    ("POST", 200, "text/html", True, True),     # a receipt shown once: keep_changes()
    ("POST", 200, "application/pdf", False, True),
    ("POST", 422, "text/html", True, False),    # a refusal never commits, even if kept
    ("GET", 200, "text/html", False, True),
    ("GET", 404, "text/html", False, False),
    ("POST", 500, "text/html", False, False),
])
def test_request_commits(method, status, mimetype, kept, commits):
    assert request_commits(method, status, mimetype, kept) is commits


def _answer(app, action: str, body, *, keep: bool = False) -> None:
    """A POST that writes an audit event and answers with ``body``, through the app's real
    after-request hooks (the commit rule among them)."""
    with app.test_request_context("/probe", method="POST"):
        record(action, data={"probe": True})
        db.session.flush()
        if keep:
            keep_changes()
        app.process_response(app.make_response(body))
        db.session.remove()


def test_the_rule_decides_what_a_request_keeps(app):
    _answer(app, "probe.redirect", redirect("/"))
    _answer(app, "probe.page", "<p>the form shown again</p>")
    _answer(app, "probe.receipt", "<p>your link, shown once</p>", keep=True)
    _answer(app, "probe.refused", ("<p>refused</p>", 422), keep=True)
    with app.app_context():
        kept = set(db.session.execute(
            sa.select(AuditEvent.action).where(AuditEvent.action.like("probe.%"))).scalars())
    assert kept == {"probe.redirect", "probe.receipt"}
