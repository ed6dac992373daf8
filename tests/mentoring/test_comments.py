"""Comment threads on a founding step: a mentor comments, founders reply and resolve."""

from __future__ import annotations

import sqlalchemy as sa

from coopkit.coops.models import Coop
from coopkit.extensions import db
from coopkit.founding.models import StepComment
from tests.founding.helpers import founding_team


def thread_row(app, thread_id):
    with app.app_context():
        row = db.session.get(StepComment, thread_id)
        db.session.expunge(row)
        return row


def only_thread_id(app) -> int:
    with app.app_context():
        return db.session.execute(sa.select(StepComment.id).where(StepComment.thread_id.is_(None))).scalar_one()


def activity(app, coop):
    with app.app_context():
        return db.session.get(Coop, coop.id).last_activity_at


def test_a_thread_from_comment_to_resolved(app, make, login):
    mentor = make.user(name="Maya Mentor")
    coop, users = founding_team(make, cohort_mentor=mentor)
    mentor_client, founder = login(app.test_client(), mentor), login(app.test_client(), users[1])
    step_url = f"/c/{coop.slug}/founding/steps/membership"
    before = activity(app, coop)

    response = mentor_client.post(step_url + "/comments", data={"comment-body": "Why no <probation>?\nTell me."})
    assert response.status_code == 302
    thread_id = only_thread_id(app)
    assert activity(app, coop) == before  # a mentor's comment is not the group's activity
    page = founder.get(step_url).text
    assert "Why no &lt;probation&gt;?<br>Tell me." in page
    assert "Maya Mentor</strong> (mentor)" in page and "Needs changes" in page
    assert not thread_row(app, thread_id).awaiting_mentor

    assert founder.post(f"/c/{coop.slug}/founding/comments/{thread_id}/reply",
                        data={f"reply{thread_id}-body": "We will think again."}).status_code == 302
    assert thread_row(app, thread_id).awaiting_mentor
    assert activity(app, coop) > before

    mentor_client.post(f"/c/{coop.slug}/founding/comments/{thread_id}/reply",
                       data={f"reply{thread_id}-body": "Good."})
    assert not thread_row(app, thread_id).awaiting_mentor
    # Only founders resolve; a mentor can't.
    assert mentor_client.post(f"/c/{coop.slug}/founding/comments/{thread_id}/resolve").status_code == 403
    assert founder.post(f"/c/{coop.slug}/founding/comments/{thread_id}/resolve").status_code == 302
    row = thread_row(app, thread_id)
    assert row.resolved_at is not None and row.resolved_by_id == users[1].id
    page = founder.get(step_url).text
    assert "Needs changes" not in page and "Resolved" in page and "Mark resolved" not in page

    # A later reply reopens it.
    founder.post(f"/c/{coop.slug}/founding/comments/{thread_id}/reply",
                 data={f"reply{thread_id}-body": "Actually, one more question."})
    assert thread_row(app, thread_id).resolved_at is None


def test_an_empty_or_huge_comment_is_refused_beside_the_field(app, make, login):
    mentor = make.user()
    coop, users = founding_team(make, cohort_mentor=mentor)
    client = login(app.test_client(), mentor)
    response = client.post(f"/c/{coop.slug}/founding/steps/money/comments", data={"comment-body": "   "})
    assert response.status_code == 422
    assert '<p class="error" id="comment-body-error">' in response.text and "Write a comment first." in response.text
    response = client.post(f"/c/{coop.slug}/founding/steps/money/comments", data={"comment-body": "x" * 4001})
    assert response.status_code == 422 and "4000 characters" in response.text
    assert client.post(f"/c/{coop.slug}/founding/steps/nope/comments", data={"comment-body": "Hi"}).status_code == 404
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count(StepComment.id))).scalar_one() == 0


def test_threads_belong_to_their_coop(app, make, login):
    mentor = make.user()
    coop, users = founding_team(make, cohort_mentor=mentor)
    other, other_users = founding_team(make, cohort_mentor=mentor)
    login(app.test_client(), mentor).post(f"/c/{coop.slug}/founding/steps/money/comments",
                                          data={"comment-body": "Hello"})
    thread_id = only_thread_id(app)
    intruder = login(app.test_client(), other_users[0])
    assert intruder.post(f"/c/{other.slug}/founding/comments/{thread_id}/resolve").status_code == 404
    assert intruder.post(f"/c/{other.slug}/founding/comments/{thread_id}/reply",
                         data={f"reply{thread_id}-body": "Hi"}).status_code == 404
    assert thread_row(app, thread_id).resolved_at is None
