"""A co-op's answers to the platform's requests: join a cohort, or let a platform admin
mentor it. Only the co-op's secretary or its founders answer (``coop.cohort``)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, g, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy.orm import aliased, joinedload

from coopkit.accounts.models import User
from coopkit.coops.forms import EmptyForm
from coopkit.coops.models import CohortRequest, MentorAssignment
from coopkit.coops.policy import requires
from coopkit.extensions import db
from coopkit.mentoring import services
from coopkit.web import coop_blueprint, home_fact, home_facts

bp = coop_blueprint("cohort_requests", __name__, "/cohort")


def requests_of(coop) -> list[tuple[CohortRequest, str, str | None]]:
    """The co-op's requests, pending first then newest: (request, who asked, who answered)."""
    asker, answerer = aliased(User), aliased(User)
    rows = db.session.execute(
        sa.select(CohortRequest, asker.name, answerer.name)
        .options(joinedload(CohortRequest.cohort), joinedload(CohortRequest.mentor))
        .join(asker, asker.id == CohortRequest.requested_by_id)
        .outerjoin(answerer, answerer.id == CohortRequest.answered_by_id)
        .where(CohortRequest.coop_id == coop.id)
        .order_by((CohortRequest.status == "pending").desc(), CohortRequest.requested_at.desc())
    ).all()
    return [tuple(r) for r in rows]


def cohort_mentors(cohort_ids) -> dict[int, list[str]]:
    """cohort id -> names of its mentors (who would follow the co-op if it joins)."""
    found: dict[int, list[str]] = {}
    for cohort_id, name in db.session.execute(
        sa.select(MentorAssignment.cohort_id, User.name).join(User, User.id == MentorAssignment.user_id)
        .where(MentorAssignment.cohort_id.in_(list(cohort_ids))).order_by(User.name)
    ):
        found.setdefault(cohort_id, []).append(name)
    return found


@home_fact("mentoring")
def _home_counts(coop_id) -> dict:
    return {"pending_requests": sa.select(sa.func.count(CohortRequest.id)).where(
        CohortRequest.coop_id == coop_id, CohortRequest.status == "pending")}


@bp.app_template_global()
def pending_cohort_requests(coop) -> int:
    """How many requests wait for the co-op's answer (for the home panel; asked with the other
    panels' counts, coopkit.web.home_facts)."""
    return int(home_facts(coop)["mentoring.pending_requests"] or 0)


@bp.route("/")
@requires("coop.cohort")
def index():
    rows = requests_of(g.coop)
    mentors = cohort_mentors({r.cohort_id for r, _, _ in rows if r.status == "pending"})
    return render_template("mentoring/requests.html", rows=rows, mentors=mentors, form=EmptyForm())


def _answer(request_id: int, accept: bool):
    request = db.session.get(CohortRequest, request_id)
    if request is None or request.coop_id != g.coop.id:
        abort(404)
    if EmptyForm().validate_on_submit():
        try:
            services.answer_request(g.coop, request, accept, current_user)
        except services.MentoringError as exc:
            flash(str(exc), "error")
        else:
            flash("Accepted." if accept else "Declined: nothing changes.", "success")
    return redirect(url_for("cohort_requests.index"))


@bp.route("/requests/<int:request_id>/accept", methods=["POST"])
@requires("coop.cohort")
def accept(request_id: int):
    return _answer(request_id, True)


@bp.route("/requests/<int:request_id>/decline", methods=["POST"])
@requires("coop.cohort")
def decline(request_id: int):
    return _answer(request_id, False)
