"""Comment threads on founding steps (founders and their mentors): every write.
The reads are in :mod:`coopkit.founding.queries`."""

from __future__ import annotations

from coopkit.audit.services import record
from coopkit.coops.models import Coop
from coopkit.database import utcnow
from coopkit.extensions import db
from coopkit.founding.catalogue import get_step
from coopkit.founding.models import StepComment


class CommentError(ValueError):
    """A clear message for the person commenting."""


COMMENT_MAX = 4000


def _comment_body(body: str) -> str:
    body = (body or "").strip().replace("\r\n", "\n")
    if not body:
        raise CommentError("Write a comment first.")
    if len(body) > COMMENT_MAX:
        raise CommentError(f"Keep a comment to {COMMENT_MAX} characters or fewer (this has {len(body)}).")
    if any(ord(c) < 32 and c not in "\n\t" for c in body):
        raise CommentError("The comment contains characters that can't be stored.")
    return body


def _record_comment(action: str, coop: Coop, actor, subject: StepComment, data: dict, by_mentor: bool) -> None:
    before = coop.last_activity_at
    record(action, coop=coop, actor=actor, subject=subject, data=data)
    if by_mentor:
        # A mentor's comment is not the group's own activity: a quiet co-op stays on the
        # dashboard's "needs attention" list until its founders act.
        coop.last_activity_at = before
        db.session.flush()


def start_thread(coop: Coop, step_key: str, body: str, actor, *, by_mentor: bool) -> StepComment:
    """Open a comment thread on a founding step. Changes: adds a StepComment (the thread);
    records ``comment.added``. Flushes."""
    if get_step(step_key) is None:
        raise CommentError("There is no such step.")
    body = _comment_body(body)
    now = utcnow()
    comment = StepComment(coop_id=coop.id, step_key=step_key, author_id=actor.id, by_mentor=by_mentor, body=body,
                          created_at=now, last_post_at=now, awaiting_mentor=not by_mentor)
    db.session.add(comment)
    db.session.flush()
    _record_comment("comment.added", coop, actor, comment, {"step": step_key, "by_mentor": by_mentor}, by_mentor)
    return comment


def reply(coop: Coop, thread: StepComment, body: str, actor, *, by_mentor: bool) -> StepComment:
    """Reply in a thread; a reply reopens a resolved thread. Changes: adds a StepComment and
    updates the thread's last post; records ``comment.replied``. Flushes."""
    if thread.thread_id is not None or thread.coop_id != coop.id:
        raise CommentError("Reply to the first comment of a thread.")
    body = _comment_body(body)
    now = utcnow()
    comment = StepComment(coop_id=coop.id, step_key=thread.step_key, thread_id=thread.id, author_id=actor.id,
                          by_mentor=by_mentor, body=body, created_at=now)
    db.session.add(comment)
    reopened = thread.resolved_at is not None
    thread.last_post_at, thread.awaiting_mentor = now, not by_mentor
    thread.resolved_at, thread.resolved_by_id = None, None
    db.session.flush()
    _record_comment("comment.replied", coop, actor, thread,
                    {"step": thread.step_key, "by_mentor": by_mentor, "reopened": reopened}, by_mentor)
    return comment


def resolve(coop: Coop, thread: StepComment, actor) -> None:
    """Mark a thread resolved (founders do this once they have dealt with it). Changes: the
    thread's resolved fields; records ``comment.resolved``. Flushes."""
    if thread.thread_id is not None or thread.coop_id != coop.id:
        raise CommentError("Only a whole thread can be resolved.")
    if thread.resolved_at is not None:
        raise CommentError("This thread is already resolved.")
    thread.resolved_at, thread.resolved_by_id, thread.awaiting_mentor = utcnow(), actor.id, False
    db.session.flush()
    record("comment.resolved", coop=coop, actor=actor, subject=thread, data={"step": thread.step_key})
