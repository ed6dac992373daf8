"""Log-out ends a session for good: a copy of the session cookie or of the remember-me
cookie taken before log-out (or before "log out everywhere", or a password reset) reads
nothing afterwards. The session generation (User.session_version) makes it so."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

ADDRESS = "12 Private Lane, Preston"


@pytest.fixture()
def member(make):
    user = make.user()
    coop = make.coop(founder=user, stage="registered")
    other = make.member(coop, address=ADDRESS, name="Private Person")
    return user, coop, other


def _register_page(coop):
    return f"/c/{coop.slug}/register/"


def _log_in(client, user, remember=False):
    data = {"email": user.email, "password": user.password}
    if remember:
        data["remember"] = "y"
    response = client.post("/login", data=data)
    assert response.status_code == 302
    return response


def _copy(app, cookie_name, source):
    """A function giving a new client that holds only a copy of ``source``'s cookie, as
    taken now (as a thief would)."""
    cookie = source.get_cookie(cookie_name)
    assert cookie is not None, f"no {cookie_name} cookie to copy"
    value = cookie.value

    def thief():
        client = app.test_client()
        client.set_cookie(cookie_name, value, domain="localhost")
        return client

    return thief


def _reads_register(client, coop) -> bool:
    response = client.get(_register_page(coop))
    return response.status_code == 200 and "Private Person" in response.text


def test_a_copied_session_cookie_is_dead_after_log_out(app, member):
    user, coop, _ = member
    client = app.test_client()
    _log_in(client, user)
    thief = _copy(app, "session", client)
    assert _reads_register(thief(), coop)  # the copy works while the session lives
    assert client.post("/logout").status_code == 302
    response = thief().get(_register_page(coop))
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_copied_remember_me_cookie_is_dead_after_log_out(app, member):
    user, coop, _ = member
    client = app.test_client()
    _log_in(client, user, remember=True)
    thief = _copy(app, "remember_token", client)
    assert _reads_register(thief(), coop)  # the remember-me cookie alone logs in
    assert client.post("/logout").status_code == 302
    response = thief().get(_register_page(coop))
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_log_out_everywhere_ends_other_devices_and_remember_me(app, member):
    user, coop, _ = member
    laptop, phone = app.test_client(), app.test_client()
    _log_in(laptop, user, remember=True)
    _log_in(phone, user)
    remembered = _copy(app, "remember_token", laptop)
    page = phone.get("/account")
    assert "Log out everywhere" in page.text
    response = phone.post("/account/logout-everywhere")
    assert response.status_code == 302 and urlsplit(response.headers["Location"]).path == "/"
    for client in (laptop, phone, remembered()):
        assert not _reads_register(client, coop)
    # and the password still works
    _log_in(phone, user)
    assert _reads_register(phone, coop)


def test_a_password_reset_ends_copied_cookies(app, member, mailbox):
    user, coop, _ = member
    client = app.test_client()
    _log_in(client, user, remember=True)
    session_copy = _copy(app, "session", client)
    remember_copy = _copy(app, "remember_token", client)
    assert _reads_register(session_copy(), coop) and _reads_register(remember_copy(), coop)
    other = app.test_client()
    other.post("/reset", data={"email": user.email})
    [message] = mailbox.to(user.email)
    path = re.search(r"http://localhost(/reset/\S+)", mailbox.body(message)).group(1)
    assert other.post(path, data={"password": "the new password!", "confirm": "the new password!"}).status_code == 302
    for copy in (session_copy, remember_copy):
        assert not _reads_register(copy(), coop)


def test_log_out_and_log_out_everywhere_are_in_the_audit_log(app, member):
    import sqlalchemy as sa

    from coopkit.audit.models import AuditEvent
    from coopkit.extensions import db

    user, _, _ = member
    client = app.test_client()
    _log_in(client, user)
    client.post("/logout")
    _log_in(client, user)
    client.post("/account/logout-everywhere")
    with app.app_context():
        actions = db.session.execute(
            sa.select(AuditEvent.action).where(AuditEvent.actor_id == user.id).order_by(AuditEvent.id)
        ).scalars().all()
    assert actions[-2:] == ["account.logged_out", "account.logged_out_everywhere"]
