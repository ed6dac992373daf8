"""Members imported from CSV get accounts: the secretary invites them in bulk by email; accepting
with the email in the register binds that entry to the account (no second entry), and they vote.
Until then they are shown as unable to vote online, and they still count on the voter roll."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import sqlalchemy as sa

from coopkit.audit.models import AuditEvent
from coopkit.coops.models import Invitation, Member
from coopkit.extensions import db
from tests.factories import sign_up

HEADER = "full_name,email,consents_to_electronic,postal_address,status,member_class,admitted_on,ceased_on," \
         "ceased_reason,shares\n"
CSV = (HEADER
       + "Hal Hill,Hal@Example.org,yes,\"1 Hill Road, Preston\",member,voting,2024-02-01,,,1.00\n"
       + "Jo Jay,jo@example.org,yes,2 Jay Street,member,voting,2024-02-01,,,1.00\n"
       + "Kit Kay,,no,3 Kay Close,member,voting,2024-02-01,,,1.00\n")


def _import(client):
    url = "/c/ribble-web/register/import"
    client.post(url, data={"step": "preview", "file": (io.BytesIO(CSV.encode()), "members.csv")},
                content_type="multipart/form-data")
    assert client.post(url, data={"step": "confirm", "confirm-csv_text": CSV}).status_code == 302


def _rows(app, name):
    with app.app_context():
        try:
            return db.session.execute(sa.select(Member).where(Member.full_name == name)).scalars().all()
        finally:
            db.session.remove()


def test_csv_import_then_invitation_then_accept_then_vote(app, client, login, society, mailbox):
    from coopkit.proposals.models import VoterRollEntry
    from tests.proposals.conftest import Crew, make_open

    login(client, society.secretary)
    _import(client)
    members = client.get("/c/ribble-web/register/").text
    assert "Without an account (3)" in members
    assert members.count("no account: can't vote online yet") == 3
    assert "Email an invitation to 2 people" in members

    # a vote opened now has the imported members on its roll, shown as unable to vote online
    crew = Crew(society.coop, society.secretary, society.people)
    number, pid = make_open(app, crew, title="Buy a van")
    page = client.get(f"/c/ribble-web/proposals/{number}").text
    assert re.search(r"3 on the voter roll have no coopkit account \(Hal Hill, Jo Jay, Kit Kay\)", page)

    mailbox.clear()
    response = client.post("/c/ribble-web/register/invite-accounts", follow_redirects=True)
    assert "2 invitations sent. 1 person has no email address in the register" in response.text
    assert len(mailbox.messages) == 2
    [message] = mailbox.to("hal@example.org")
    path = re.search(r"http://localhost(/invite/[\w-]+)", mailbox.body(message)).group(1)
    again = client.post("/c/ribble-web/register/invite-accounts", follow_redirects=True)
    assert "0 invitations sent" in again.text and len(mailbox.messages) == 2   # pending ones not re-sent
    hal_id, jo_id = _rows(app, "Hal Hill")[0].id, _rows(app, "Jo Jay")[0].id
    with app.app_context():
        assert {i.member_id for i in db.session.execute(sa.select(Invitation)).scalars()} == {hal_id, jo_id}
        db.session.remove()

    # Hal makes an account with the same email and accepts: the imported entry is his
    hal = app.test_client()
    signup = hal.get(path)
    link = re.search(r'href="(/signup\?[^"]+)"', signup.text).group(1).replace("&amp;", "&")
    sign_up(hal, mailbox, "Hal Hill", "hal@example.org", start=link)
    assert hal.post(path).headers["Location"] == "/c/ribble-web/"
    [entry] = _rows(app, "Hal Hill")
    assert entry.id == hal_id and entry.user_id is not None and entry.status == "member"
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count()).where(
            AuditEvent.action == "member.account_bound")).scalar_one() == 1
        on_roll = db.session.execute(sa.select(sa.func.count()).where(VoterRollEntry.proposal_id == pid,
                                                                      VoterRollEntry.member_id == hal_id)).scalar()
        assert on_roll == 1
        db.session.remove()
    assert "Without an account (2)" in client.get("/c/ribble-web/register/").text

    # and votes on the proposal opened before he had an account
    vote = hal.post(f"/c/ribble-web/proposals/{number}/vote", data={"choice": "for", "seen": "0"})
    assert vote.status_code == 302
    page = client.get(f"/c/ribble-web/proposals/{number}").text
    assert re.search(r"2 on the voter roll have no coopkit account \(Jo Jay, Kit Kay\)", page)
    assert "Turnout so far</dt><dd>1 of 6 have voted" in page


def test_an_email_invitation_to_an_imported_member_binds_and_never_duplicates(app, client, login, society, mailbox):
    """An invitation typed by hand to the imported address binds too; a second acceptance is refused."""
    from tests.coops.test_invitations import invite

    login(client, society.secretary)
    _import(client)
    _, token = invite(app, society.coop, society.secretary, "jo@example.org")
    jo = app.test_client()
    jo.get(f"/invite/{token}")
    sign_up(jo, mailbox, "Joanna Jay", "jo@example.org")
    assert jo.post(f"/invite/{token}").status_code == 302
    [entry] = _rows(app, "Jo Jay")          # the register keeps the imported name; no "Joanna Jay" row
    assert entry.user_id is not None and not _rows(app, "Joanna Jay")
    with app.app_context():
        assert db.session.execute(sa.select(Invitation.member_id)).scalar_one() == entry.id
        db.session.remove()
    # the secretary can't invite Jo again: she is in the co-op now
    response = client.post("/c/ribble-web/people/invite", data={"kind": "email", "email": "jo@example.org"})
    assert "already in this co-op" in response.text


def test_an_expired_invitation_can_be_sent_again(app, client, login, society, mailbox):
    login(client, society.secretary)
    _import(client)
    client.post("/c/ribble-web/register/invite-accounts")
    with app.app_context():
        for invitation in db.session.execute(sa.select(Invitation)).scalars():
            invitation.expires_at -= timedelta(days=30)
        db.session.commit()
        db.session.remove()
    mailbox.clear()
    response = client.post("/c/ribble-web/register/invite-accounts", follow_redirects=True)
    assert "2 invitations sent" in response.text and len(mailbox.messages) == 2
