"""Links in mail and on pages start with the address the app is actually served on."""

from __future__ import annotations

import re

from coopkit import create_app
from coopkit.config import Settings
from coopkit.extensions import db
from coopkit.web import SERVED_URL_KEY, external_url
from tests.conftest import TEST_SECRET


def _app(tmp_path, **settings):
    settings = Settings(env="testing", secret_key=TEST_SECRET, **settings)
    app = create_app({"SETTINGS": settings, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'l.db'}",
                      "WTF_CSRF_ENABLED": False})
    with app.app_context():
        db.create_all()
    return app


def test_without_a_base_url_a_link_uses_the_address_of_the_request(tmp_path):
    app = _app(tmp_path)
    with app.test_request_context("/", base_url="http://127.0.0.1:5101"):
        assert external_url("accounts.login") == "http://127.0.0.1:5101/login"


def test_a_configured_base_url_wins_over_the_request(tmp_path):
    app = _app(tmp_path, base_url="https://coopkit.example.org/")
    with app.test_request_context("/", base_url="http://10.0.0.5:8000"):
        assert external_url("accounts.login") == "https://coopkit.example.org/login"


def test_outside_a_request_a_link_uses_where_the_demo_serves(tmp_path):
    app = _app(tmp_path)
    app.config[SERVED_URL_KEY] = "http://127.0.0.1:5101"
    with app.app_context():
        assert external_url("accounts.login") == "http://127.0.0.1:5101/login"


def test_an_invitation_link_made_on_port_5101_points_at_port_5101(tmp_path):
    app = _app(tmp_path)
    from coopkit.accounts.services import create_user
    from coopkit.workspace.services import create_coop

    with app.app_context():
        user = create_user("asha@example.org", "Asha Patel", "a long enough password")
        create_coop(user, "Northern Pixels", "northern-pixels")
        db.session.commit()
    client = app.test_client()
    client.post("http://127.0.0.1:5101/login",
                data={"email": "asha@example.org", "password": "a long enough password"})
    page = client.post("http://127.0.0.1:5101/c/northern-pixels/people/invite", data={"kind": "link"})
    links = re.findall(r"https?://[^\s\"<]+/invite/[^\s\"<]+", page.get_data(as_text=True))
    assert links, page.get_data(as_text=True)[:2000]
    assert all(link.startswith("http://127.0.0.1:5101/") for link in links)


def test_the_favicon_is_served_where_browsers_ask_for_it(client):
    with client.get("/favicon.ico") as response:
        assert response.status_code == 200
        assert response.mimetype == "image/vnd.microsoft.icon"
        assert response.data[:4] == b"\x00\x00\x01\x00"  # an ICO file's header
