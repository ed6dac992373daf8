"""Inviting co-founders by email and by link, and every way an invitation can't be used."""

from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from coopkit.accounts.models import User
from coopkit.audit.models import AuditEvent
from coopkit.coops.models import Coop, Invitation, Member
from coopkit.database import utcnow
from coopkit.extensions import db
from coopkit.workspace.services import create_invitation
from tests.coops.helpers import counts


def invite(app, coop, inviter, email=None) -> tuple[int, str]:
    with app.app_context():
        invitation, token = create_invitation(db.session.get(Coop, coop.id), db.session.get(User, inviter.id), email)
        db.session.commit()
        return invitation.id, token


def link_from(body: str) -> str:
    match = re.search(r"http://localhost(/invite/[\w-]+)", body)
    assert match, body
    return match.group(1)


def test_invite_by_email_sends_a_working_link(client, app, make, login, mailbox):
    founder = make.user(name="Asha Patel")
    coop = make.coop(founder=founder, name="Northern Pixels")
    login(client, founder)
    response = client.post(f"/c/{coop.slug}/people/invite", data={"kind": "email", "email": " Ben@Example.org "})
    assert response.status_code == 302
    assert "the email to ben@example.org is on its way" in client.get(response.headers["Location"]).text
    [message] = mailbox.to("ben@example.org")
    assert message["Subject"] == "Asha Patel invites you to Northern Pixels on coopkit"
    body = mailbox.body(message)
    assert "14 days" in body
    path = link_from(body)
    with app.app_context():
        invitation = db.session.execute(sa.select(Invitation)).scalar_one()
        assert invitation.email == "ben@example.org"
        assert path.rsplit("/", 1)[1] not in invitation.token_hash  # only a hash is stored
        assert timedelta(days=13) < invitation.expires_at - utcnow() <= timedelta(days=14)


def test_invite_page_lists_invitations_and_bad_email_is_refused(client, app, make, login, mailbox):
    founder = make.user()
    coop = make.coop(founder=founder)
    login(client, founder)
    before = counts(app, Invitation, AuditEvent)
    response = client.post(f"/c/{coop.slug}/people/invite", data={"kind": "email", "email": "not an email"})
    assert response.status_code == 200
    assert "Invalid email address." in response.text
    assert 'value="not an email"' in response.text
    assert counts(app, Invitation, AuditEvent) == before
    assert mailbox.messages == []
    # Inviting someone already in the co-op is refused too.
    response = client.post(f"/c/{coop.slug}/people/invite", data={"kind": "email", "email": founder.email})
    assert "That person is already in this co-op." in response.text
    assert counts(app, Invitation, AuditEvent) == before


def test_invite_by_link_shows_it_once(client, app, make, login):
    founder = make.user()
    coop = make.coop(founder=founder)
    login(client, founder)
    page = client.post(f"/c/{coop.slug}/people/invite", data={"kind": "link"}).text
    match = re.search(r'id="new-link"[^>]*value="http://localhost(/invite/[\w-]+)"', page)
    assert match, page
    assert "shown only once" in page
    again = client.get(f"/c/{coop.slug}/people/invite").text
    assert match.group(1) not in again
    assert "Link" in again and "Pending" in again


def test_accept_with_a_new_account(client, app, make, mailbox):
    founder = make.user()
    coop = make.coop(founder=founder, name="Northern Pixels")
    _, token = invite(app, coop, founder, "new@example.org")
    landing = client.get(f"/invite/{token}")
    assert landing.status_code == 200
    assert "Join Northern Pixels" in landing.text
    signup_link = re.search(r'href="(/signup\?[^"]+)"', landing.text).group(1).replace("&amp;", "&")
    assert "email=new@example.org" in signup_link
    response = client.post(signup_link, data={"name": "New Person", "email": "new@example.org"})
    assert response.headers["Location"].endswith("/signup/sent")
    [message] = mailbox.to("new@example.org")
    finish = re.search(r"http://localhost(/signup/\S+)", mailbox.body(message)).group(1)
    response = client.post(finish, data={"password": "a long enough password", "confirm": "a long enough password"})
    assert response.headers["Location"] == f"/invite/{token}"
    response = client.post(f"/invite/{token}")
    assert response.headers["Location"] == f"/c/{coop.slug}/"
    assert "Welcome to Northern Pixels." in client.get(f"/c/{coop.slug}/").text
    with app.app_context():
        member = db.session.execute(sa.select(Member).where(Member.full_name == "New Person")).scalar_one()
        assert member.status == "founder"
        invitation = db.session.execute(sa.select(Invitation)).scalar_one()
        assert invitation.accepted_by_id == member.user_id and invitation.accepted_at is not None


def test_accept_with_an_existing_account(client, app, make, login):
    founder = make.user()
    coop = make.coop(founder=founder)
    joiner = make.user()
    _, token = invite(app, coop, founder)
    login_page = client.get(f"/login?next=/invite/{token}")
    assert f'name="next" value="/invite/{token}"' in login_page.text
    response = client.post(f"/login?next=/invite/{token}", data={"email": joiner.email, "password": joiner.password})
    assert response.headers["Location"] == f"/invite/{token}"
    assert "Accept and join" in client.get(f"/invite/{token}").text
    assert client.post(f"/invite/{token}").headers["Location"] == f"/c/{coop.slug}/"
    assert client.get(f"/c/{coop.slug}/").status_code == 200


def test_registered_coop_invitee_becomes_an_applicant(client, app, make, login):
    member = make.user()
    coop = make.coop(founder=member, stage="registered")
    secretary, _ = make.secretary(coop)
    joiner = make.user()
    _, token = invite(app, coop, secretary)
    login(client, joiner)
    assert "the secretary then confirms your membership" in client.get(f"/invite/{token}").text
    client.post(f"/invite/{token}")
    with app.app_context():
        row = db.session.execute(sa.select(Member).where(Member.user_id == joiner.id)).scalar_one()
        assert row.status == "applicant" and row.admitted_on is None
    # An applicant is not yet a member: the workspace stays closed to them.
    assert client.get(f"/c/{coop.slug}/").status_code == 403


def _spoil(app, invitation_id, **changes):
    with app.app_context():
        invitation = db.session.get(Invitation, invitation_id)
        for name, value in changes.items():
            setattr(invitation, name, value)
        db.session.commit()


@pytest.mark.parametrize(("case", "message", "status"), [
    ("expired", "This invitation has expired. Ask for a new one.", 410),
    ("revoked", "This invitation was withdrawn.", 410),
    ("used", "This invitation has already been used.", 410),
    ("tampered", "This invitation link is not valid.", 404),
    ("wrong_email", "This invitation was sent to another email address.", 410),
    ("garbage", "This invitation link is not valid.", 404),
])
def test_an_unusable_invitation_says_why_and_changes_nothing(client, app, make, login, case, message, status):
    founder = make.user()
    coop = make.coop(founder=founder)
    other = make.user()
    invitation_id, token = invite(app, coop, founder, "someone.else@example.org" if case == "wrong_email" else None)
    if case == "expired":
        _spoil(app, invitation_id, expires_at=utcnow() - timedelta(seconds=1))
    elif case == "revoked":
        _spoil(app, invitation_id, revoked_at=utcnow())
    elif case == "used":
        _spoil(app, invitation_id, accepted_at=utcnow(), accepted_by_id=founder.id)
    elif case == "tampered":
        token = token[:-1] + ("A" if token[-1] != "A" else "B")
    elif case == "garbage":
        token = "x" * 500
    login(client, other)
    before = counts(app, Member, Invitation, AuditEvent)
    for response in (client.get(f"/invite/{token}"), client.post(f"/invite/{token}")):
        assert response.status_code == status
        assert message in response.text.replace("&#39;", "'")
        assert "Accept and join" not in response.text
    assert counts(app, Member, Invitation, AuditEvent) == before
    with app.app_context():
        assert db.session.execute(sa.select(Member).where(Member.user_id == other.id)).first() is None


def test_already_a_member_cannot_use_an_invitation(client, app, make, login):
    founder = make.user()
    coop = make.coop(founder=founder)
    _, token = invite(app, coop, founder)
    login(client, founder)
    response = client.post(f"/invite/{token}")
    assert response.headers["Location"] == "/c/"
    assert "You are already part of" in client.get("/c/").text
    with app.app_context():
        assert db.session.execute(sa.select(Invitation.accepted_at)).scalar_one() is None


def test_revoking_an_invitation(client, app, make, login):
    founder = make.user()
    coop = make.coop(founder=founder)
    invitation_id, token = invite(app, coop, founder)
    login(client, founder)
    response = client.post(f"/c/{coop.slug}/people/invite/{invitation_id}/revoke")
    assert "Invitation withdrawn." in client.get(response.headers["Location"]).text
    assert "This invitation was withdrawn." in client.get(f"/invite/{token}").text
    # Withdrawing twice explains itself; another co-op's invitation is not found.
    client.post(f"/c/{coop.slug}/people/invite/{invitation_id}/revoke")
    assert "Only a pending invitation can be withdrawn." in client.get(f"/c/{coop.slug}/people/invite").text
    other = make.coop(founder=founder)
    assert client.post(f"/c/{other.slug}/people/invite/{invitation_id}/revoke").status_code == 404


def test_two_people_racing_for_one_link_exactly_one_wins(app, make, login):
    founder = make.user()
    coop = make.coop(founder=founder)
    _, token = invite(app, coop, founder)
    racers = [make.user() for _ in range(4)]
    clients = [login(app.test_client(), user) for user in racers]
    barrier = threading.Barrier(len(clients))
    results: dict[int, object] = {}

    def race(index):
        barrier.wait()
        try:
            results[index] = clients[index].post(f"/invite/{token}").headers.get("Location")
        except BaseException as exc:  # noqa: BLE001 - reported below
            results[index] = exc

    threads = [threading.Thread(target=race, args=(i,)) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not [r for r in results.values() if isinstance(r, BaseException)], results
    winners = [i for i, location in results.items() if location == f"/c/{coop.slug}/"]
    assert len(winners) == 1, results
    with app.app_context():
        joined = db.session.execute(
            sa.select(Member.user_id).where(Member.coop_id == coop.id, Member.user_id != founder.id)
        ).scalars().all()
        assert joined == [racers[winners[0]].id]
        assert db.session.execute(sa.select(Invitation.accepted_by_id)).scalar_one() == racers[winners[0]].id
