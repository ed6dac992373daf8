"""Password guesses are limited per account as well as per address, with a wait that grows
(never a lock an attacker can impose: the owner's own browser skips it); re-entering the
current password (change password, change email) is limited the same way."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from coopkit.accounts import throttle
from coopkit.accounts.models import User
from coopkit.extensions import db, limiter


def _attempt(client, email, password, address):
    return client.post("/login", data={"email": email, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def _end_wait(email):
    """What time does: the account's current wait runs out (the failures are still counted)."""
    limiter.storage.clear(throttle._key(email, "wait"))


def test_the_wait_doubles_and_is_capped():
    waits = [throttle.delay_after(n) for n in range(1, 20)]
    assert waits[:throttle.FREE_FAILURES - 1] == [0] * (throttle.FREE_FAILURES - 1)
    growing = waits[throttle.FREE_FAILURES - 1:]
    assert growing[0] == 2
    assert all(b == min(2 * a, throttle.MAX_DELAY_SECONDS) for a, b in zip(growing, growing[1:], strict=False))
    assert max(waits) == throttle.MAX_DELAY_SECONDS == 15 * 60


def test_guesses_from_many_addresses_slow_the_account_down(app, make):
    user = make.user()
    attacker = app.test_client()
    # five guesses, each from a different address: the per-address limit never fires
    for i in range(throttle.FREE_FAILURES):
        assert _attempt(attacker, user.email, f"guess {i}", f"198.51.100.{i}").status_code == 200
    sixth = _attempt(attacker, user.email, user.password, "198.51.100.99")
    assert sixth.status_code == 429  # even the right password waits: the answer says nothing
    assert "Too many wrong passwords for this account" in sixth.text
    assert "wait 2 seconds" in sixth.text
    _end_wait(user.email)
    assert _attempt(attacker, user.email, "guess 6", "198.51.100.7").status_code == 200
    again = _attempt(attacker, user.email, "guess 7", "198.51.100.8")
    assert again.status_code == 429 and "wait 4 seconds" in again.text  # the wait doubled


def test_an_unknown_address_is_slowed_down_the_same_way(app, make):
    user = make.user()
    pages = {}
    for email in (user.email, "nobody@example.org"):
        client = app.test_client()
        for i in range(throttle.FREE_FAILURES):
            _attempt(client, email, f"guess {i}", f"203.0.113.{i}")
        response = _attempt(client, email, "guess", "203.0.113.50")
        pages[email] = (response.status_code, response.text.replace(email, "EMAIL"))
    assert pages[user.email] == pages["nobody@example.org"]


def test_the_owner_is_not_locked_out_by_an_attacker(app, make):
    user = make.user()
    owner = app.test_client()
    assert _attempt(owner, user.email, user.password, "192.0.2.10").status_code == 302  # a known browser now
    owner.post("/logout")
    attacker = app.test_client()
    for i in range(12):
        _attempt(attacker, user.email, f"guess {i}", f"198.51.100.{i}")
    assert _attempt(attacker, user.email, user.password, "198.51.100.200").status_code == 429
    # the owner's own browser skips the account's wait
    assert _attempt(owner, user.email, user.password, "192.0.2.10").status_code == 302
    # and a success starts the count again
    assert limiter.storage.get(throttle._key(user.email, "failures")) == 0


def test_a_forged_device_cookie_does_not_skip_the_wait(app, make):
    user = make.user()
    attacker = app.test_client()
    attacker.set_cookie(throttle.DEVICE_COOKIE, f"[{user.id}].forged", domain="localhost")
    for i in range(throttle.FREE_FAILURES):
        _attempt(attacker, user.email, f"guess {i}", f"198.51.100.{i}")
    assert _attempt(attacker, user.email, user.password, "198.51.100.99").status_code == 429


@pytest.fixture()
def logged_in(app, make, login):
    user = make.user()
    client = login(app.test_client(), user)
    return user, client


def test_change_password_guesses_are_limited_per_address(logged_in):
    user, client = logged_in
    codes = [client.post("/account/password", data={"current": f"guess {i}", "password": "a brand new password",
                                                    "confirm": "a brand new password"}).status_code
             for i in range(6)]
    assert codes == [200] * 5 + [429]


def test_change_password_guesses_count_against_the_account(app, logged_in):
    user, client = logged_in
    for i in range(throttle.FREE_FAILURES):
        client.post("/account/password", data={"current": f"guess {i}", "password": "a brand new password",
                                               "confirm": "a brand new password"},
                    environ_base={"REMOTE_ADDR": f"198.51.100.{i}"})
    response = client.post("/account/password", data={
        "current": user.password, "password": "a brand new password", "confirm": "a brand new password"},
        environ_base={"REMOTE_ADDR": "198.51.100.77"})
    assert "Too many wrong passwords for this account" in response.text
    with app.app_context():
        assert db.session.get(User, user.id).check_password(user.password)
    # a log-in elsewhere waits too: it is one count per account
    assert _attempt(app.test_client(), user.email, user.password, "192.0.2.99").status_code == 429


def test_change_email_needs_the_password_and_the_new_address(app, logged_in, mailbox):
    user, client = logged_in
    assert "Change your email address" in client.get("/account").text
    wrong = client.post("/account/email", data={"email": "new@example.org", "current": "not it"})
    assert wrong.status_code == 200 and "Your current password is not right." in wrong.text
    assert mailbox.messages == []
    response = client.post("/account/email", data={"email": "New@Example.org", "current": user.password})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(User, user.id).email == user.email  # not before the link
    [message] = mailbox.to("new@example.org")
    path = re.search(r"http://localhost(/account/email/\S+)", mailbox.body(message)).group(1)
    assert "new@example.org" in client.get(path).text  # a GET only asks
    with app.app_context():
        assert db.session.get(User, user.id).email == user.email
    assert client.post(path).status_code == 302
    with app.app_context():
        assert db.session.get(User, user.id).email == "new@example.org"
        actions = db.session.execute(sa.text("SELECT action FROM audit_events")).scalars().all()
        assert "account.email_changed" in actions
    [notice] = mailbox.to(user.email)
    assert "new@example.org" in mailbox.body(notice)
    # the link works once; the new address logs in
    assert "expired, was already used" in client.post(path, follow_redirects=True).text
    client.post("/logout")
    assert client.post("/login", data={"email": "new@example.org", "password": user.password}).status_code == 302


def test_change_email_guesses_are_limited(logged_in):
    _, client = logged_in
    codes = [client.post("/account/email", data={"email": "new@example.org", "current": f"guess {i}"}).status_code
             for i in range(6)]
    assert codes == [200] * 5 + [429]


def test_change_email_to_a_taken_address_changes_nothing(app, make, logged_in, mailbox):
    user, client = logged_in
    other = make.user(email="taken@example.org")
    client.post("/account/email", data={"email": other.email, "current": user.password})
    [message] = mailbox.to(other.email)
    path = re.search(r"http://localhost(/account/email/\S+)", mailbox.body(message)).group(1)
    page = client.post(path, follow_redirects=True).text
    assert "already has a coopkit account" in page
    with app.app_context():
        assert db.session.get(User, user.id).email == user.email
