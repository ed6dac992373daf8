from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from coopkit.accounts.models import User
from coopkit.extensions import db


def _signup_link(mailbox, email):
    [message] = mailbox.to(email)
    return re.search(r"http://localhost(/signup/\S+)", mailbox.body(message)).group(1)


def test_signup_emails_a_link_that_creates_the_account_and_logs_in(client, app, mailbox):
    response = client.post("/signup", data={"name": "Asha Patel", "email": "Asha@Example.org"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/signup/sent")
    assert "Check your email" in client.get("/signup/sent").text
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count(User.id))).scalar() == 0  # not before the link
    path = _signup_link(mailbox, "asha@example.org")
    assert "Asha Patel" in client.get(path).text
    response = client.post(path, data={"password": "a long enough password", "confirm": "a long enough password"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/c/")
    page = client.get("/c/")
    assert "Asha Patel" in page.text
    with app.app_context():
        user = db.session.execute(sa.select(User)).scalar_one()
        assert user.email == "asha@example.org"
        assert user.password_hash.startswith("scrypt:")
        assert "a long enough password" not in user.password_hash
    # the link is spent: the address has an account now
    client.post("/logout")
    again = client.post(path, data={"password": "another password!!", "confirm": "another password!!"})
    assert again.status_code == 302 and again.headers["Location"].endswith("/login")


def test_signup_bad_input_keeps_values_and_writes_nothing(client, app, mailbox):
    response = client.post("/signup", data={"name": "Ben", "email": "not-an-email"})
    assert response.status_code == 200
    assert 'value="not-an-email"' in response.text
    assert 'value="Ben"' in response.text
    assert mailbox.messages == []
    path = None
    client.post("/signup", data={"name": "Ben", "email": "ben@example.org"})
    path = _signup_link(mailbox, "ben@example.org")
    response = client.post(path, data={"password": "short", "confirm": "different"})
    assert response.status_code == 200
    assert "Use at least 10 characters" in response.text
    assert "The two passwords differ." in response.text
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count(User.id))).scalar() == 0


def test_signup_answers_the_same_for_a_known_address_and_emails_it(app, make, mailbox):
    user = make.user(email="taken@example.org")
    pages = []
    for email in ("taken@example.org", "fresh@example.org"):
        client = app.test_client()
        response = client.post("/signup", data={"name": "Someone", "email": email})
        assert response.status_code == 302
        pages.append((response.headers["Location"], client.get(response.headers["Location"]).text.replace(email, "EMAIL")))
    assert pages[0] == pages[1]
    assert "already" not in pages[0][1]
    [known] = mailbox.to(user.email)
    assert known["Subject"] == "Someone tried to sign up with your address"
    body = mailbox.body(known)
    assert "http://localhost/login" in body and "http://localhost/reset" in body and "/signup/" not in body
    [fresh] = mailbox.to("fresh@example.org")
    assert "/signup/" in mailbox.body(fresh)
    with app.app_context():
        assert db.session.get(User, user.id).check_password(user.password)  # nothing changed


def test_tampered_and_expired_signup_links_are_refused(client, app, mailbox, monkeypatch):
    client.post("/signup", data={"name": "Asha", "email": "asha@example.org"})
    path = _signup_link(mailbox, "asha@example.org")
    tampered = path[:-2] + ("AA" if not path.endswith("AA") else "BB")
    response = client.get(tampered)
    assert response.status_code == 302 and response.headers["Location"].endswith("/signup")
    import itsdangerous.timed

    real_now = itsdangerous.timed.TimestampSigner.get_timestamp
    monkeypatch.setattr(itsdangerous.timed.TimestampSigner, "get_timestamp", lambda self: real_now(self) + 25 * 3600)
    response = client.post(path, data={"password": "a long enough password", "confirm": "a long enough password"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/signup")
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count(User.id))).scalar() == 0


def test_login_answer_is_the_same_for_unknown_email_and_wrong_password(client, make):
    user = make.user()
    wrong = client.post("/login", data={"email": user.email, "password": "not the password"})
    unknown = client.post("/login", data={"email": "nobody@example.org", "password": "not the password"})
    assert wrong.status_code == unknown.status_code == 200
    message = "That email and password don&#39;t match an account."
    assert message in wrong.text and message in unknown.text


def test_login_renews_session_and_logout(client, make):
    user = make.user()
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    response = client.post("/login", data={"email": user.email, "password": user.password})
    assert response.status_code == 302
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"].startswith(f"{user.id}:")
    assert client.get("/c/").status_code == 200
    assert client.post("/logout").status_code == 302
    assert client.get("/c/").status_code == 302


def test_sixth_failed_login_in_a_minute_is_rate_limited(client, make):
    user = make.user()
    codes = [client.post("/login", data={"email": user.email, "password": "wrong password"}).status_code
             for _ in range(6)]
    assert codes == [200, 200, 200, 200, 200, 429]
    assert "Too many attempts" in client.post("/login", data={"email": user.email, "password": "x"}).text


def test_successful_logins_do_not_count_towards_the_limit(client, make):
    user = make.user()
    for _ in range(7):
        assert client.post("/login", data={"email": user.email, "password": user.password}).status_code == 302
        client.post("/logout")


def test_change_password_logs_out_other_sessions(app, make, login):
    user = make.user()
    device_a, device_b = app.test_client(), app.test_client()
    login(device_a, user)
    login(device_b, user)
    response = device_a.post("/account/password", data={
        "current": user.password, "password": "a brand new password", "confirm": "a brand new password"})
    assert response.status_code == 302
    assert device_a.get("/account").status_code == 200
    assert device_b.get("/account").status_code == 302  # its session is for the old password
    assert device_a.post("/login", data={"email": user.email, "password": "a brand new password"}).status_code == 302


def test_change_password_with_wrong_current_changes_nothing(client, make, login, app):
    user = make.user()
    login(client, user)
    response = client.post("/account/password", data={
        "current": "wrong", "password": "a brand new password", "confirm": "a brand new password"})
    assert response.status_code == 200
    assert "Your current password is not right." in response.text
    with app.app_context():
        assert db.session.get(User, user.id).check_password(user.password)


def _reset_link(mailbox, email):
    [message] = mailbox.to(email)
    return re.search(r"http://localhost(/reset/\S+)", mailbox.body(message)).group(1)


def test_password_reset_by_email_is_single_use(client, make, mailbox):
    user = make.user()
    response = client.post("/reset", data={"email": user.email})
    assert response.status_code == 302
    path = _reset_link(mailbox, user.email)
    assert client.get(path).status_code == 200
    done = client.post(path, data={"password": "the new password!", "confirm": "the new password!"})
    assert done.status_code == 302
    client.post("/logout")
    again = client.post(path, data={"password": "another password!", "confirm": "another password!"})
    assert again.status_code == 302 and "/reset" in again.headers["Location"]
    assert client.post("/login", data={"email": user.email, "password": "the new password!"}).status_code == 302


def test_password_reset_answer_is_the_same_for_unknown_email(client, make, mailbox):
    user = make.user()
    known = client.post("/reset", data={"email": user.email}, follow_redirects=True)
    unknown = client.post("/reset", data={"email": "nobody@example.org"}, follow_redirects=True)
    assert known.status_code == unknown.status_code == 200
    assert "If an account uses that address" in known.text
    assert "If an account uses that address" in unknown.text
    assert len(mailbox.messages) == 1


def test_expired_and_tampered_reset_tokens_are_refused(client, make, app, monkeypatch):
    from coopkit.accounts import services

    user = make.user()
    with app.test_request_context():
        from coopkit.accounts.models import User as U
        token = services.make_reset_token(db.session.get(U, user.id))
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert "/reset" in client.get(f"/reset/{tampered}").headers["Location"]
    import itsdangerous.timed

    real_now = itsdangerous.timed.TimestampSigner.get_timestamp
    monkeypatch.setattr(itsdangerous.timed.TimestampSigner, "get_timestamp", lambda self: real_now(self) + 3601)
    response = client.get(f"/reset/{token}")
    assert response.status_code == 302 and response.headers["Location"].endswith("/reset")


def test_open_redirect_is_refused(client, make):
    user = make.user()
    response = client.post("/login?next=https://evil.example/", data={"email": user.email, "password": user.password})
    assert response.headers["Location"].endswith("/c/")


def test_unknown_emails_are_rate_limited_the_same_way(client, make):
    """Failed log-ins count whether or not the address has an account, so the limit
    itself tells nobody which addresses are registered."""
    user = make.user()
    emails = ["nobody@example.org", user.email, "nobody2@example.org", user.email, "nobody3@example.org"]
    codes = [client.post("/login", data={"email": e, "password": "wrong password"}).status_code for e in emails]
    assert codes == [200] * 5
    sixth = client.post("/login", data={"email": "nobody4@example.org", "password": "wrong password"})
    assert sixth.status_code == 429
    # even the right password waits out the minute: the limit is on this client, not this account
    assert client.post("/login", data={"email": user.email, "password": user.password}).status_code == 429


def test_the_limit_is_per_client_address(app, make):
    user = make.user()
    first, second = app.test_client(), app.test_client()
    for _ in range(6):
        first.post("/login", data={"email": user.email, "password": "wrong password"},
                   environ_base={"REMOTE_ADDR": "192.0.2.1"})
    assert first.post("/login", data={"email": user.email, "password": "x"},
                      environ_base={"REMOTE_ADDR": "192.0.2.1"}).status_code == 429
    # Another address is not held back by the first one's limit (another account here: this
    # one's own count now asks for a wait, see tests/accounts/test_throttle.py).
    other = make.user()
    response = second.post("/login", data={"email": other.email, "password": other.password},
                           environ_base={"REMOTE_ADDR": "192.0.2.2"})
    assert response.status_code == 302


def test_failed_login_pages_are_identical_for_known_and_unknown_emails(client, make):
    user = make.user(email="known@example.org")
    wrong = client.post("/login", data={"email": user.email, "password": "not the password"})
    unknown = client.post("/login", data={"email": "other@example.org", "password": "not the password"})
    assert wrong.status_code == unknown.status_code == 200
    assert wrong.text.replace(user.email, "EMAIL") == unknown.text.replace("other@example.org", "EMAIL")


def test_reset_answers_are_identical_for_known_and_unknown_emails(app, make, mailbox):
    user = make.user(email="known@example.org")
    pages = []
    for email in (user.email, "other@example.org"):
        client = app.test_client()
        response = client.post("/reset", data={"email": email})
        assert response.status_code == 302
        pages.append((response.headers["Location"], client.get(response.headers["Location"]).text))
    assert pages[0] == pages[1]
    assert "If an account uses that address" in pages[0][1]
    assert [m["X-Envelope-To"] for m in mailbox.messages] == [user.email]


def test_a_login_replaces_the_session_cookie(client, make):
    """Whatever the session held before log-in (e.g. planted by someone else) is gone after it."""
    user = make.user()
    with client.session_transaction() as session:
        session["planted"] = "fixed by someone else"
    before = client.get_cookie("session").value
    response = client.post("/login", data={"email": user.email, "password": user.password})
    assert response.status_code == 302
    assert client.get_cookie("session").value != before
    with client.session_transaction() as session:
        assert set(session) <= {"_user_id", "_fresh", "_id", "_remember", "csrf_token"}
        assert session["_user_id"] == f"{user.id}:{user.session_version}"


def _proxied_app(tmp_path, proxy_count: int):
    from coopkit import create_app
    from coopkit.config import Settings
    from tests.conftest import TEST_SECRET

    settings = Settings(env="testing", secret_key=TEST_SECRET, proxy_count=proxy_count)
    app = create_app({"SETTINGS": settings, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.db'}",
                      "WTF_CSRF_ENABLED": False})
    with app.app_context():
        db.create_all()
    return app


@pytest.mark.parametrize("proxy_count", [0, 1])
def test_the_login_limit_behind_a_proxy(tmp_path, proxy_count):
    """Behind one proxy (COOPKIT_PROXY_COUNT=1) visitors are counted apart by X-Forwarded-For;
    without it the header is ignored, so forging it cannot dodge the limit."""
    from coopkit.extensions import limiter

    app = _proxied_app(tmp_path, proxy_count)
    client = app.test_client()
    try:
        for _ in range(6):
            client.post("/login", data={"email": "a@example.org", "password": "wrong password"},
                        headers={"X-Forwarded-For": "198.51.100.7"})
        # (another account: a@example.org's own count now asks for a wait, whoever tries)
        other_visitor = client.post("/login", data={"email": "b@example.org", "password": "wrong password"},
                                    headers={"X-Forwarded-For": "203.0.113.9"})
        assert other_visitor.status_code == (200 if proxy_count else 429)
    finally:
        limiter.reset()
        with app.app_context():
            db.engine.dispose()
