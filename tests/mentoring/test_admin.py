"""The admin's pages: cohorts, the co-ops in them and the mentors who follow them."""

from __future__ import annotations

import sqlalchemy as sa

from coopkit.audit.models import AuditEvent
from coopkit.coops.models import Cohort, Coop, MentorAssignment
from coopkit.extensions import db
from tests.coops.helpers import counts


def admin_client(client, make, login):
    login(client, make.user(name="Ada Admin", is_admin=True))
    return client


def test_create_a_cohort(client, app, make, login):
    admin_client(client, make, login)
    assert "No cohorts yet." in client.get("/admin/").text
    response = client.post("/admin/", data={"name": " UCLan digital 2026 ", "description": "Graduates"})
    with app.app_context():
        cohort = db.session.execute(sa.select(Cohort)).scalar_one()
        assert (cohort.name, cohort.description) == ("UCLan digital 2026", "Graduates")
        assert db.session.execute(sa.select(AuditEvent.action)).scalar_one() == "cohort.created"
    assert response.headers["Location"] == f"/admin/cohorts/{cohort.id}"
    page = client.get(response.headers["Location"]).text
    assert "Cohort UCLan digital 2026 created." in page
    listing = client.get("/admin/").text
    assert "UCLan digital 2026" in listing


def test_cohort_errors_are_shown_beside_the_field_and_nothing_is_written(client, app, make, login):
    make.cohort(name="Taken")
    admin_client(client, make, login)
    before = counts(app, Cohort, AuditEvent)
    for data, message in (({"name": ""}, "This field is required."),
                          ({"name": "Taken"}, "A cohort with this name already exists."),
                          ({"name": "x" * 121}, "Field cannot be longer than 120 characters."),
                          ({"name": "bad\x00name"}, "characters that can&#39;t be stored")):
        response = client.post("/admin/", data=data)
        assert response.status_code == 200
        assert message in response.text
        assert 'aria-invalid="true"' in response.text
    assert counts(app, Cohort, AuditEvent) == before


def _accept_all(app, coop_id, user_id):
    """The co-op's founder (or secretary) accepts every pending request, through the page."""
    from coopkit.coops.models import CohortRequest

    with app.app_context():
        slug = db.session.get(Coop, coop_id).slug
        ids = db.session.execute(sa.select(CohortRequest.id).where(
            CohortRequest.coop_id == coop_id, CohortRequest.status == "pending")).scalars().all()
    client = app.test_client()
    with client.session_transaction() as session:
        from coopkit.accounts.models import User

        with app.app_context():
            session["_user_id"] = f"{user_id}:{db.session.get(User, user_id).session_version}"
    for request_id in ids:
        assert client.post(f"/c/{slug}/cohort/requests/{request_id}/accept").status_code == 302
    return ids


def test_add_and_remove_a_coop(client, app, make, login):
    founder = make.user()
    coop = make.coop(founder=founder, name="Northern Pixels")
    cohort_id = make.cohort(name="Spring")
    admin_client(client, make, login)
    page = client.get(f"/admin/cohorts/{cohort_id}").text
    assert f'<option value="{coop.id}">Northern Pixels</option>' in page
    response = client.post(f"/admin/cohorts/{cohort_id}/coops", data={"add-coop_id": str(coop.id)})
    page = client.get(response.headers["Location"]).text
    assert "Northern Pixels is asked to join Spring" in page and "Waiting for the co-op" in page
    with app.app_context():
        assert db.session.get(Coop, coop.id).cohort_id is None  # not until the co-op accepts
    assert _accept_all(app, coop.id, founder.id)
    with app.app_context():
        assert db.session.get(Coop, coop.id).cohort_id == cohort_id
        # The co-op's own chain records the request and the answer too.
        actions = db.session.execute(sa.select(AuditEvent.action).where(AuditEvent.coop_id == coop.id)).scalars().all()
        assert {"cohort.join_requested", "cohort.join_accepted"} <= set(actions)
    response = client.post(f"/admin/cohorts/{cohort_id}/coops/{coop.id}/remove")
    assert "Northern Pixels removed from Spring." in client.get(response.headers["Location"]).text
    with app.app_context():
        assert db.session.get(Coop, coop.id).cohort_id is None


def test_add_coop_errors(client, app, make, login):
    coop = make.coop()
    cohort_id = make.cohort(coops=(coop,))
    other_cohort = make.cohort()
    admin_client(client, make, login)
    before = counts(app, AuditEvent)
    # Already in the cohort (not among the choices), unknown, or not a number.
    for value in (str(coop.id), "99999", "abc", ""):
        response = client.post(f"/admin/cohorts/{cohort_id}/coops", data={"add-coop_id": value})
        assert response.status_code == 200  # the page again, the message beside the list
        assert 'id="add-coop_id-error"' in response.text
    # Removing a co-op that isn't in this cohort.
    response = client.post(f"/admin/cohorts/{other_cohort}/coops/{coop.id}/remove")
    assert "is not in this cohort" in client.get(response.headers["Location"]).text
    assert counts(app, AuditEvent) == before
    assert client.post(f"/admin/cohorts/{cohort_id}/coops/99999/remove").status_code == 404
    assert client.get("/admin/cohorts/99999").status_code == 404


def test_a_coop_moves_between_cohorts(client, app, make, login):
    founder = make.user()
    coop = make.coop(founder=founder)
    first = make.cohort(coops=(coop,))
    second = make.cohort()
    admin_client(client, make, login)
    client.post(f"/admin/cohorts/{second}/coops", data={"add-coop_id": str(coop.id)})
    with app.app_context():
        assert db.session.get(Coop, coop.id).cohort_id == first
    _accept_all(app, coop.id, founder.id)
    with app.app_context():
        assert db.session.get(Coop, coop.id).cohort_id == second
    assert first != second


def test_assign_and_unassign_a_mentor(client, app, make, login):
    founder = make.user()
    coop = make.coop(name="Northern Pixels", founder=founder)
    cohort_id = make.cohort(coops=(coop,))
    mentor = make.user(name="Mina Mentor", email="mina@example.org")
    admin_client(client, make, login)
    response = client.post(f"/admin/cohorts/{cohort_id}/mentors", data={"mentor-email": " MINA@example.org "})
    page = client.get(response.headers["Location"]).text
    assert "mina@example.org now mentors" in page
    assert "Mina Mentor" in page and "mina@example.org" in page
    with app.app_context():
        assignment = db.session.execute(sa.select(MentorAssignment)).scalar_one()
        assert assignment.user_id == mentor.id

    # The co-op joined the cohort before this mentor was added: nothing until it says yes.
    mentor_client = app.test_client()
    login(mentor_client, mentor)
    assert "Northern Pixels" not in mentor_client.get("/c/").text
    assert mentor_client.get(f"/c/{coop.slug}/").status_code == 403
    assert "Northern Pixels" not in mentor_client.get("/mentor/").text
    _accept_all(app, coop.id, founder.id)

    # The mentor now sees the co-op, read-only.
    assert "Northern Pixels" in mentor_client.get("/c/").text
    home = mentor_client.get(f"/c/{coop.slug}/")
    assert home.status_code == 200 and "you: mentor" in home.text
    assert "Invite co-founders" not in home.text
    assert mentor_client.get(f"/c/{coop.slug}/people/invite").status_code == 403
    assert mentor_client.post(f"/c/{coop.slug}/leave").status_code == 403

    response = client.post(f"/admin/cohorts/{cohort_id}/mentors/{assignment.id}/remove")
    assert "Mentor removed from the cohort." in client.get(response.headers["Location"]).text
    with app.app_context():
        assert db.session.execute(sa.select(MentorAssignment)).first() is None
        assert db.session.execute(
            sa.select(AuditEvent.action).order_by(AuditEvent.id.desc()).limit(1)).scalar() == "mentor.unassigned"
    assert mentor_client.get(f"/c/{coop.slug}/").status_code == 403


def test_assign_mentor_errors(client, app, make, login):
    cohort_id = make.cohort()
    other_cohort = make.cohort()
    mentor = make.user(name="Mina Mentor")
    make.cohort(mentors=(mentor,))
    admin_client(client, make, login)
    client.post(f"/admin/cohorts/{cohort_id}/mentors", data={"mentor-email": mentor.email})
    before = counts(app, MentorAssignment, AuditEvent)
    for email, message in (("nobody@example.org", "No coopkit account uses that email address."),
                           (mentor.email, "Mina Mentor already mentors this cohort."),
                           ("not an email", "Enter the mentor&#39;s email address, like name@example.org."),
                           ("", "Enter the mentor&#39;s email address.")):
        response = client.post(f"/admin/cohorts/{cohort_id}/mentors", data={"mentor-email": email})
        assert response.status_code == 200
        error = response.text.split('id="mentor-email-error"', 1)[1].split("</p>", 1)[0]
        assert message in error  # beside the field
        if email:
            assert f'value="{email}"' in response.text  # what was typed is kept
    assert counts(app, MentorAssignment, AuditEvent) == before
    with app.app_context():
        assignment_id = db.session.execute(
            sa.select(MentorAssignment.id).where(MentorAssignment.cohort_id == cohort_id)).scalar_one()
    # An assignment is only removed through its own cohort.
    assert client.post(f"/admin/cohorts/{other_cohort}/mentors/{assignment_id}/remove").status_code == 404


def test_non_admins_cannot_use_admin_pages(client, app, make, login):
    cohort_id = make.cohort()
    login(client, make.user())
    assert client.get("/admin/").status_code == 403
    assert client.post("/admin/", data={"name": "Sneaky"}).status_code == 403
    assert client.get(f"/admin/cohorts/{cohort_id}").status_code == 403
    assert counts(app, Cohort) == (1,)


def test_a_mentor_added_later_follows_only_the_coops_that_say_yes(client, app, make, login):
    from coopkit.coops.models import CohortRequest

    first_founder, second_founder = make.user(), make.user()
    yes = make.coop(name="Says Yes", founder=first_founder)
    no = make.coop(name="Says No", founder=second_founder)
    old_mentor = make.user(name="Olga Old")
    cohort_id = make.cohort(coops=(yes, no), mentors=(old_mentor,))
    mentor = make.user(name="Nia New", email="nia@example.org")
    admin_client(client, make, login)
    client.post(f"/admin/cohorts/{cohort_id}/mentors", data={"mentor-email": "nia@example.org"})

    # each co-op is asked, by name, on its requests page
    secretary_view = app.test_client()
    login(secretary_view, second_founder)
    page = secretary_view.get(f"/c/{no.slug}/cohort/").text
    assert "Nia New, a mentor added to your cohort" in page
    with app.app_context():
        pending = dict(db.session.execute(sa.select(CohortRequest.coop_id, CohortRequest.id).where(
            CohortRequest.mentor_id == mentor.id, CohortRequest.status == "pending")).all())
    assert set(pending) == {yes.id, no.id}
    assert secretary_view.post(f"/c/{no.slug}/cohort/requests/{pending[no.id]}/decline").status_code == 302
    _accept_all(app, yes.id, first_founder.id)

    mentor_client = app.test_client()
    login(mentor_client, mentor)
    listed = mentor_client.get("/c/").text
    assert "Says Yes" in listed and "Says No" not in listed
    assert mentor_client.get(f"/c/{yes.slug}/").status_code == 200
    assert mentor_client.get(f"/c/{no.slug}/").status_code == 403
    dashboard = mentor_client.get("/mentor/").text
    assert "Says Yes" in dashboard and "Says No" not in dashboard
    # the mentor who was there when the co-ops joined keeps following both
    old_client = app.test_client()
    login(old_client, old_mentor)
    assert old_client.get(f"/c/{no.slug}/").status_code == 200
