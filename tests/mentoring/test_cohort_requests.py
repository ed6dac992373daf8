"""The platform admin cannot let themself into a co-op: adding a co-op to a cohort, or the
admin as a mentor, is a request that the co-op's secretary or a founder accepts; both the
request and the answer are in the co-op's audit log."""

from __future__ import annotations

import sqlalchemy as sa

from coopkit.audit.models import AuditEvent
from coopkit.coops.models import CohortRequest, Coop
from coopkit.extensions import db

COOP_PAGES = ("/", "/founding/", "/rules/", "/register/")


def _coop_log(app, coop_id) -> list[str]:
    with app.app_context():
        return list(db.session.execute(sa.select(AuditEvent.action).where(AuditEvent.coop_id == coop_id)
                                       .order_by(AuditEvent.seq)).scalars())


def _pending(app, coop_id) -> list[int]:
    with app.app_context():
        return list(db.session.execute(sa.select(CohortRequest.id).where(
            CohortRequest.coop_id == coop_id, CohortRequest.status == "pending")).scalars())


def _sees(client, coop) -> list[int]:
    return [client.get(f"/c/{coop.slug}{page}").status_code for page in COOP_PAGES]


def test_the_admin_as_mentor_sees_nothing_until_the_co_op_accepts(app, make, login):
    admin = make.user(name="Ada Admin", email="ada@example.org", is_admin=True)
    founder = make.user(name="Fola Founder")
    coop = make.coop(founder=founder, name="Northern Pixels")
    cohort_id = make.cohort(name="Spring", coops=(coop,))
    admin_client = login(app.test_client(), admin)
    response = admin_client.post(f"/admin/cohorts/{cohort_id}/mentors", data={"mentor-email": "ada@example.org"})
    assert response.status_code == 302
    assert "they follow a co-op once it accepts them" in admin_client.get(response.headers["Location"]).text
    assert set(_sees(admin_client, coop)) == {403}
    assert "Northern Pixels" not in admin_client.get("/mentor/").text
    assert "Northern Pixels" not in admin_client.get("/c/").text
    assert "cohort.mentor_requested" in _coop_log(app, coop.id)

    founder_client = login(app.test_client(), founder)
    assert "1 request from the platform waits for your answer" in founder_client.get(f"/c/{coop.slug}/").text
    page = founder_client.get(f"/c/{coop.slug}/cohort/").text
    assert "Ada Admin, a platform administrator, as a mentor of your co-op" in page
    [request_id] = _pending(app, coop.id)
    assert founder_client.post(f"/c/{coop.slug}/cohort/requests/{request_id}/accept").status_code == 302
    assert set(_sees(admin_client, coop)) == {200}
    assert "Northern Pixels" in admin_client.get("/mentor/").text
    assert "cohort.mentor_accepted" in _coop_log(app, coop.id)

    # Removing the admin as mentor ends it; assigning again asks again.
    with app.app_context():
        from coopkit.coops.models import MentorAssignment

        assignment_id = db.session.execute(sa.select(MentorAssignment.id)).scalar_one()
    admin_client.post(f"/admin/cohorts/{cohort_id}/mentors/{assignment_id}/remove")
    admin_client.post(f"/admin/cohorts/{cohort_id}/mentors", data={"mentor-email": "ada@example.org"})
    assert set(_sees(admin_client, coop)) == {403}


def test_a_declined_admin_stays_out(app, make, login):
    admin = make.user(email="ada@example.org", is_admin=True)
    founder = make.user()
    coop = make.coop(founder=founder)
    cohort_id = make.cohort(coops=(coop,))
    admin_client = login(app.test_client(), admin)
    admin_client.post(f"/admin/cohorts/{cohort_id}/mentors", data={"mentor-email": "ada@example.org"})
    [request_id] = _pending(app, coop.id)
    founder_client = login(app.test_client(), founder)
    assert founder_client.post(f"/c/{coop.slug}/cohort/requests/{request_id}/decline").status_code == 302
    assert set(_sees(admin_client, coop)) == {403}
    assert "cohort.mentor_declined" in _coop_log(app, coop.id)
    # an answered request can't be answered again
    page = founder_client.post(f"/c/{coop.slug}/cohort/requests/{request_id}/accept", follow_redirects=True).text
    assert "already been answered" in page
    assert set(_sees(admin_client, coop)) == {403}


def test_adding_a_co_op_to_a_cohort_is_a_request_the_co_op_answers(app, make, login):
    admin = make.user(email="ada@example.org", is_admin=True)
    mentor = make.user(name="Mina Mentor")
    secretary = make.user(name="Sam Secretary")
    coop = make.coop(founder=secretary, stage="registered")
    member = make.member(coop, name="Mo Member")
    from coopkit.coops.models import Member

    with app.app_context():
        sec_member = db.session.execute(sa.select(Member.id).where(Member.user_id == secretary.id)).scalar_one()
    from tests.factories import MemberRec

    make.officer(MemberRec(sec_member, coop.id, secretary.id, "Sam Secretary", "member"), "secretary")
    cohort_id = make.cohort(name="Spring", mentors=(mentor, admin))
    admin_client = login(app.test_client(), admin)
    mentor_client = login(app.test_client(), mentor)
    admin_client.post(f"/admin/cohorts/{cohort_id}/coops", data={"add-coop_id": str(coop.id)})
    assert "cohort.join_requested" in _coop_log(app, coop.id)
    assert mentor_client.get(f"/c/{coop.slug}/").status_code == 403

    # A member who is not the secretary can't answer.
    member_client = login(app.test_client(), make_user_rec(app, member.user_id))
    [request_id] = _pending(app, coop.id)
    assert member_client.get(f"/c/{coop.slug}/cohort/").status_code == 403
    assert member_client.post(f"/c/{coop.slug}/cohort/requests/{request_id}/accept").status_code == 403
    assert _pending(app, coop.id) == [request_id]

    sec_client = login(app.test_client(), secretary)
    page = sec_client.get(f"/c/{coop.slug}/cohort/").text
    assert "Join the cohort Spring" in page and "Mina Mentor" in page
    assert sec_client.post(f"/c/{coop.slug}/cohort/requests/{request_id}/accept").status_code == 302
    with app.app_context():
        assert db.session.get(Coop, coop.id).cohort_id == cohort_id
    assert mentor_client.get(f"/c/{coop.slug}/").status_code == 200
    # the admin mentor of that cohort is asked separately, and is out until then
    assert admin_client.get(f"/c/{coop.slug}/").status_code == 403
    assert len(_pending(app, coop.id)) == 1
    log = _coop_log(app, coop.id)
    assert log.index("cohort.join_requested") < log.index("cohort.join_accepted") < log.index(
        "cohort.mentor_requested")


def make_user_rec(app, user_id):
    from coopkit.accounts.models import User
    from tests.factories import UserRec

    with app.app_context():
        user = db.session.get(User, user_id)
        return UserRec(user.id, user.email, user.name, user.session_version)


def test_the_weekly_digest_leaves_out_co_ops_that_have_not_accepted_the_admin(app, make, mailbox):
    from datetime import date

    from coopkit.accounts.models import User
    from coopkit.coops.models import MentorAssignment
    from coopkit.mentoring.digest import send_weekly
    from tests.calendar.helpers import society

    s = society(make)  # a registered co-op with overdue obligations, in a cohort with a mentor
    admin = make.user(email="ada@example.org", is_admin=True)
    with app.app_context():
        coop = db.session.get(Coop, s.coop.id)
        db.session.add(MentorAssignment(cohort_id=coop.cohort_id, user_id=admin.id))
        db.session.commit()

    def digest(today):
        with app.app_context():
            send_weekly(today)
            db.session.commit()

    digest(date(2025, 10, 20))
    assert mailbox.to(s.mentor.email) and not mailbox.to(admin.email)
    with app.app_context():
        coop = db.session.get(Coop, s.coop.id)
        db.session.add(CohortRequest(coop_id=coop.id, cohort_id=coop.cohort_id, mentor_id=admin.id,
                                     requested_by_id=admin.id, status="accepted",
                                     answered_by_id=db.session.get(User, s.secretary.id).id))
        db.session.commit()
    digest(date(2025, 10, 27))
    assert mailbox.to(admin.email)
