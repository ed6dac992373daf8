"""The security baseline every page has: headers, cookies, error pages in the site's style."""

from __future__ import annotations

import pytest

from coopkit import create_app
from coopkit.config import Settings
from coopkit.extensions import db
from tests.conftest import TEST_SECRET
from tests.factories import PASSWORD


def csp_directives(response) -> dict[str, list[str]]:
    policy = response.headers["Content-Security-Policy"]
    directives = {}
    for part in policy.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


@pytest.mark.parametrize("path", ["/", "/login", "/c/no-such-coop/"])
def test_security_headers(client, path):
    response = client.get(path)
    csp = csp_directives(response)
    assert csp["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in csp["script-src"] and "'unsafe-eval'" not in csp["script-src"]
    assert "'unsafe-inline'" not in csp["style-src"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["form-action"] == ["'self'"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response.headers  # http base URL in tests


def test_pages_have_no_inline_script_or_style(client):
    for path in ("/", "/login", "/signup", "/reset"):
        html = client.get(path).text
        assert "<script>" not in html and "<script " not in html.replace('<script src=', '')
        assert ' style="' not in html and "<style" not in html


def test_session_cookie_is_httponly_lax_and_renewed_at_login(client, make):
    user = make.user()
    client.get("/login")
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    [cookie] = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"] == f"{user.id}:{user.session_version}"


def test_logged_in_pages_are_not_cached(client, make, login):
    login(client, make.user())
    assert client.get("/c/").headers["Cache-Control"] == "private, no-store"


def _is_site_page(html: str) -> bool:
    return 'class="site-header"' in html and "coopkit.css" in html and 'class="site-footer"' in html


def test_404_page_is_in_the_site_style(client):
    response = client.get("/nothing/here")
    assert response.status_code == 404
    assert _is_site_page(response.text)
    assert "Page not found" in response.text


def test_403_page_is_in_the_site_style(client, make, login):
    login(client, make.user())
    response = client.get("/admin/")
    assert response.status_code == 403
    assert _is_site_page(response.text)
    assert "You can&#39;t see this page" in response.text


def test_anonymous_is_sent_to_log_in_with_a_way_back(client, make):
    coop = make.coop()
    response = client.get(f"/c/{coop.slug}/")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/login?next=/c/{coop.slug}/"


def test_open_redirects_are_refused_after_log_in(client, make):
    user = make.user()
    response = client.post("/login?next=//evil.example/", data={"email": user.email, "password": PASSWORD})
    assert response.headers["Location"] == "/c/"


def test_500_page_is_in_the_site_style_and_saves_nothing(tmp_path, caplog):
    settings = Settings(env="production", secret_key=TEST_SECRET)
    app = create_app({"SETTINGS": settings, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'e.db'}"})
    assert not app.testing
    with app.app_context():
        db.create_all()

    @app.route("/boom")
    def boom():
        from coopkit.accounts.models import User

        db.session.add(User(email="half@example.org", name="Half", password_hash="x", session_version=0))
        db.session.flush()
        raise RuntimeError("simulated failure with secret detail")

    boom.required_action = "public"
    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert _is_site_page(response.text)
    assert "Something went wrong" in response.text and "Nothing was saved" in response.text
    assert "secret detail" not in response.text and "Traceback" not in response.text
    with app.app_context():
        from coopkit.accounts.models import User

        assert db.session.query(User).count() == 0
        db.session.remove()
        db.engine.dispose()
    assert "Unhandled error on GET /boom" in caplog.text


def test_static_files_are_served_without_touching_the_database(app, client, make, login):
    """A stylesheet request for a logged-in person neither loads the user nor goes uncached."""
    import sqlalchemy as sa

    login(client, make.user())
    statements = []
    with app.app_context():
        engine = db.engine
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    sa.event.listen(engine, "before_cursor_execute", listener)
    try:
        with client.get("/static/coopkit.css") as response:
            assert response.status_code == 200
            assert "no-store" not in response.headers.get("Cache-Control", "")
            assert response.headers["X-Content-Type-Options"] == "nosniff"
    finally:
        sa.event.remove(engine, "before_cursor_execute", listener)
    assert statements == []


def test_a_form_shown_again_after_a_post_keeps_nothing(tmp_path):
    """A POST answered with a page (its errors) rolls back what a service flushed before
    refusing; a view that shows a one-time result calls keep_changes() and commits."""
    from flask import render_template_string

    from coopkit.web import keep_changes

    settings = Settings(env="production", secret_key=TEST_SECRET)
    app = create_app({"SETTINGS": settings, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'f.db'}",
                      "WTF_CSRF_ENABLED": False})
    with app.app_context():
        db.create_all()

    def add_user(email):
        from coopkit.accounts.models import User

        db.session.add(User(email=email, name="Half", password_hash="x", session_version=0))
        db.session.flush()

    @app.route("/refused", methods=["POST"])
    def refused():
        add_user("half@example.org")  # a service wrote, then refused
        return render_template_string("<p>That didn't work</p>")

    @app.route("/shown-once", methods=["POST"])
    def shown_once():
        add_user("kept@example.org")
        keep_changes()
        return render_template_string("<p>Your link</p>")

    refused.required_action = shown_once.required_action = "public"
    client = app.test_client()
    assert client.post("/refused").status_code == 200
    assert client.post("/shown-once").status_code == 200
    with app.app_context():
        from coopkit.accounts.models import User

        assert [u.email for u in db.session.query(User)] == ["kept@example.org"]
        db.session.remove()
        db.engine.dispose()
