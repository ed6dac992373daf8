"""Creating a co-op workspace, its home page, and leaving it."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from coopkit.audit.models import AuditEvent
from coopkit.coops.models import Coop, Member
from coopkit.coops.slugs import suggest_slug
from coopkit.extensions import db
from tests.coops.helpers import counts


def test_create_a_coop(client, app, make, login):
    user = make.user(name="Asha Patel")
    login(client, user)
    response = client.post("/c/new", data={"name": "  Northern Pixels  ", "slug": "northern-pixels"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/c/northern-pixels/"
    home = client.get("/c/northern-pixels/")
    assert home.status_code == 200
    assert "Northern Pixels is ready" in home.text
    assert '<span class="role">you: founder</span>' in home.text
    assert "Asha Patel" in home.text
    with app.app_context():
        coop = db.session.execute(sa.select(Coop)).scalar_one()
        assert (coop.name, coop.slug, coop.stage) == ("Northern Pixels", "northern-pixels", "forming")
        member = db.session.execute(sa.select(Member)).scalar_one()
        assert (member.user_id, member.status, member.full_name) == (user.id, "founder", "Asha Patel")
        actions = db.session.execute(sa.select(AuditEvent.action).order_by(AuditEvent.seq)).scalars().all()
        assert actions == ["coop.created", "member.founder_added"]


def test_an_empty_address_is_suggested_from_the_name(client, app, make, login):
    login(client, make.user())
    response = client.post("/c/new", data={"name": "Café Ñandú Workers Ltd", "slug": ""})
    assert response.headers["Location"] == "/c/cafe-nandu-workers/"
    assert suggest_slug("!!!") == "co-op"


@pytest.mark.parametrize(("slug", "message"), [
    ("AB", "Use 3 to 60 lower-case letters"),
    ("-starts-with-hyphen", "Use 3 to 60 lower-case letters"),
    ("has space", "Use 3 to 60 lower-case letters"),
    ("ünïcode", "Use 3 to 60 lower-case letters"),
    ("new", "That address is reserved"),
    ("admin", "That address is reserved"),
    ("signup", "That address is reserved"),
    ("taken-slug", "Another co-op already uses this address"),
    ("a" * 61, "Field cannot be longer than 60 characters"),
])
def test_bad_or_taken_addresses_are_refused_and_nothing_is_written(client, app, make, login, slug, message):
    make.coop(slug="taken-slug")
    login(client, make.user())
    before = counts(app, Coop, Member, AuditEvent)
    response = client.post("/c/new", data={"name": "My Co-op", "slug": slug})
    assert response.status_code == 200
    assert message in response.text
    assert 'value="My Co-op"' in response.text  # the typed name is kept
    assert 'aria-invalid="true"' in response.text
    assert counts(app, Coop, Member, AuditEvent) == before


def test_a_missing_name_is_refused(client, app, make, login):
    login(client, make.user())
    response = client.post("/c/new", data={"name": "  ", "slug": "fine-slug"})
    assert response.status_code == 200
    assert "This field is required." in response.text
    assert counts(app, Coop) == (0,)


def test_your_coops_lists_memberships_and_mentored_coops(client, app, make, login):
    user = make.user()
    make.coop(founder=user, name="Alpha Co-op")
    other = make.coop(name="Beta Co-op")
    make.cohort(coops=(other,), mentors=(user,))
    login(client, user)
    page = client.get("/c/").text
    assert "Alpha Co-op" in page and "you are a founder" in page
    assert "Co-ops you mentor" in page and "Beta Co-op" in page


def test_unknown_coop_is_404(client, make, login):
    login(client, make.user())
    assert client.get("/c/no-such-coop/").status_code == 404


def test_leaving_keeps_the_register_row_with_the_date_ceased(client, app, make, login):
    founder = make.user()
    coop = make.coop(founder=founder)
    leaver = make.user(name="Leaving Person")
    make.member(coop, leaver)
    login(client, leaver)
    page = client.get(f"/c/{coop.slug}/leave")
    assert page.status_code == 200
    response = client.post(f"/c/{coop.slug}/leave")
    assert response.headers["Location"] == "/c/"
    assert "You have left" in client.get("/c/").text
    with app.app_context():
        member = db.session.execute(sa.select(Member).where(Member.user_id == leaver.id)).scalar_one()
        assert member.status == "ceased"
        assert member.ceased_on == date.today()
        assert member.ceased_reason == "resigned"
        assert db.session.execute(
            sa.select(AuditEvent.action).where(AuditEvent.action == "member.ceased")).scalar_one()
    # They no longer see the workspace.
    assert client.get(f"/c/{coop.slug}/").status_code == 403
    home = client.get("/c/").text
    assert coop.name not in home


def test_a_ceased_member_can_rejoin_with_a_new_invitation_as_a_new_entry(client, app, make, login):
    founder = make.user()
    coop = make.coop(founder=founder)
    person = make.user()
    make.member(coop, person)
    login(client, person)
    client.post(f"/c/{coop.slug}/leave")
    with app.app_context():
        from coopkit.accounts.models import User
        from coopkit.workspace.services import create_invitation

        _, token = create_invitation(db.session.get(Coop, coop.id), db.session.get(User, founder.id), None)
        db.session.commit()
    assert client.post(f"/invite/{token}").headers["Location"] == f"/c/{coop.slug}/"
    with app.app_context():
        rows = db.session.execute(sa.select(Member).where(Member.user_id == person.id)
                                  .order_by(Member.id)).scalars().all()
        assert [(m.status, m.ceased_on) for m in rows] == [("ceased", date.today()), ("founder", None)]
        assert rows[1].previous_member_id == rows[0].id
    # the new entry gives them the founder's role again
    assert client.get(f"/c/{coop.slug}/").status_code == 200


def test_the_last_founder_cannot_leave_and_nothing_changes(client, app, make, login):
    founder = make.user()
    coop = make.coop(founder=founder)
    login(client, founder)
    response = client.post(f"/c/{coop.slug}/leave")
    assert response.headers["Location"] == f"/c/{coop.slug}/"
    assert "You are the last founder" in client.get(f"/c/{coop.slug}/").text
    with app.app_context():
        member = db.session.execute(sa.select(Member).where(Member.user_id == founder.id)).scalar_one()
        assert member.status == "founder" and member.ceased_on is None
        assert db.session.execute(
            sa.select(AuditEvent.id).where(AuditEvent.action == "member.ceased")).first() is None


def test_a_refusal_from_the_register_is_shown_not_a_server_error(client, app, make, login, monkeypatch):
    from coopkit.register import services as register_services

    founder = make.user()
    coop = make.coop(founder=founder, stage="registered")
    leaver = make.user()
    make.member(coop, leaver)

    def refuse(*args, **kwargs):
        raise register_services.RegisterError("The date ceased can't be before the date admitted.")

    monkeypatch.setattr(register_services, "cease_member", refuse)
    login(client, leaver)
    response = client.post(f"/c/{coop.slug}/leave", follow_redirects=True)
    assert response.status_code == 200
    assert "can&#39;t be before the date admitted" in response.text
