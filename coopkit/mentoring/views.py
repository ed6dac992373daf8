from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from coopkit.coops.forms import EmptyForm
from coopkit.coops.models import Cohort, Coop, MentorAssignment
from coopkit.coops.policy import requires
from coopkit.database import utcnow
from coopkit.extensions import db
from coopkit.forms import choices
from coopkit.mentoring import dashboard as dashboard_table
from coopkit.mentoring import forms, queries, services

admin = Blueprint("admin", __name__, url_prefix="/admin")
bp = Blueprint("mentoring", __name__, url_prefix="/mentor")


def _cohort_or_404(cohort_id: int) -> Cohort:
    cohort = db.session.get(Cohort, cohort_id)
    if cohort is None:
        abort(404)
    return cohort


@admin.route("/", methods=["GET", "POST"])
@requires("admin.manage")
def cohorts():
    form = forms.CohortForm()
    if form.validate_on_submit():
        try:
            cohort = services.create_cohort(form.name.data, form.description.data, current_user)
        except services.MentoringError as exc:
            form.name.errors.append(str(exc))
        else:
            flash(f"Cohort {cohort.name} created.", "success")
            return redirect(url_for("admin.cohort", cohort_id=cohort.id))
    return render_template("admin/cohorts.html", form=form, cohorts=queries.cohorts_with_counts())


def _render_cohort(cohort: Cohort, add_form=None, mentor_form=None, status: int = 200):
    """The cohort page; a form that failed comes back with its errors and typed values."""
    coops, assignments, others = queries.cohort_detail(cohort)
    pending = queries.pending_requests(cohort)
    if add_form is None:
        add_form = forms.AddCoopForm(prefix="add", formdata=None)
    add_form.coop_id.choices = choices((c.id, c.name) for c in others)
    mentor_form = mentor_form or forms.AssignMentorForm(prefix="mentor", formdata=None)
    return render_template("admin/cohort.html", cohort=cohort, coops=coops, assignments=assignments, pending=pending,
                           add_form=add_form, mentor_form=mentor_form,
                           remove_form=EmptyForm(prefix="remove")), status


@admin.route("/cohorts/<int:cohort_id>")
@requires("admin.manage")
def cohort(cohort_id: int):
    return _render_cohort(_cohort_or_404(cohort_id))


@admin.route("/cohorts/<int:cohort_id>/coops", methods=["POST"])
@requires("admin.manage")
def add_coop(cohort_id: int):
    cohort = _cohort_or_404(cohort_id)
    _, _, others = queries.cohort_detail(cohort)
    form = forms.AddCoopForm(prefix="add")
    form.coop_id.choices = choices((c.id, c.name) for c in others)
    if form.validate_on_submit():
        coop = db.session.get(Coop, form.coop_id.data)
        try:
            services.add_coop_to_cohort(cohort, coop, current_user)
        except services.MentoringError as exc:
            form.coop_id.errors.append(str(exc))
        else:
            flash(f"{coop.name} is asked to join {cohort.name}: it joins when its secretary or a founder "
                  "accepts.", "success")
            return redirect(url_for("admin.cohort", cohort_id=cohort.id))
    elif not form.coop_id.errors:
        form.coop_id.errors.append("Choose a co-op from the list.")
    return _render_cohort(cohort, add_form=form)


@admin.route("/cohorts/<int:cohort_id>/coops/<int:coop_id>/remove", methods=["POST"])
@requires("admin.manage")
def remove_coop(cohort_id: int, coop_id: int):
    cohort = _cohort_or_404(cohort_id)
    coop = db.session.get(Coop, coop_id)
    if coop is None:
        abort(404)
    if EmptyForm(prefix="remove").validate_on_submit():
        try:
            services.remove_coop_from_cohort(cohort, coop, current_user)
        except services.MentoringError as exc:
            flash(str(exc), "error")
        else:
            flash(f"{coop.name} removed from {cohort.name}.", "success")
    return redirect(url_for("admin.cohort", cohort_id=cohort.id))


@admin.route("/cohorts/<int:cohort_id>/mentors", methods=["POST"])
@requires("admin.manage")
def assign(cohort_id: int):
    cohort = _cohort_or_404(cohort_id)
    form = forms.AssignMentorForm(prefix="mentor")
    if form.validate_on_submit():
        try:
            services.assign_mentor(cohort, form.email.data, current_user)
        except services.MentoringError as exc:
            form.email.errors.append(str(exc))
        else:
            flash(f"{form.email.data} now mentors {cohort.name}. Each co-op already in the cohort is asked "
                  "first: they follow a co-op once it accepts them.", "success")
            return redirect(url_for("admin.cohort", cohort_id=cohort.id))
    return _render_cohort(cohort, mentor_form=form)


@admin.route("/cohorts/<int:cohort_id>/mentors/<int:assignment_id>/remove", methods=["POST"])
@requires("admin.manage")
def unassign(cohort_id: int, assignment_id: int):
    cohort = _cohort_or_404(cohort_id)
    assignment = db.session.get(MentorAssignment, assignment_id)
    if assignment is None or assignment.cohort_id != cohort.id:
        abort(404)
    if EmptyForm(prefix="remove").validate_on_submit():
        services.unassign_mentor(assignment, current_user)
        flash("Mentor removed from the cohort.", "success")
    return redirect(url_for("admin.cohort", cohort_id=cohort.id))


def _dashboard_rows():
    """The rows, filtered and sorted as the query string asks (so it all works without JavaScript)."""
    cohorts = queries.mentor_cohorts(current_user)
    cohort_id = request.args.get("cohort", type=int)
    if cohort_id is not None and cohort_id not in {c.id for c in cohorts}:
        cohort_id = None
    # Days since activity are counted in UTC, like the activity times themselves.
    rows = dashboard_table.rows_for(current_user, utcnow().date(), cohort_id)
    attention = request.args.get("attention") == "1"
    if attention:
        rows = [r for r in rows if r.needs_attention]
    sort = request.args.get("sort", "name")
    if sort not in dashboard_table.COLUMNS:
        sort = "name"
    descending = request.args.get("dir") == "desc"
    return cohorts, cohort_id, attention, sort, descending, dashboard_table.sort_rows(rows, sort, descending)


@bp.route("/")
@requires("mentoring.dashboard")
def dashboard():
    cohorts, cohort_id, attention, sort, descending, rows = _dashboard_rows()
    # The filter's query arguments, kept by the sort links and the CSV link (empty ones left out).
    base_args = {k: v for k, v in (("cohort", cohort_id), ("attention", "1" if attention else None)) if v}
    return render_template("mentoring/dashboard.html", cohorts=cohorts, cohort_id=cohort_id, attention=attention,
                           base_args=base_args,
                           sort=sort, descending=descending, rows=rows, columns=dashboard_table.COLUMNS,
                           quiet_days=dashboard_table.QUIET_DAYS)


@bp.route("/cohort.csv")
@requires("mentoring.dashboard")
def export_csv():
    _, cohort_id, attention, _, _, rows = _dashboard_rows()
    body = dashboard_table.to_csv(rows)
    name = f"cohort-{cohort_id}" if cohort_id else "cohorts"
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{name}-{utcnow().date().isoformat()}.csv"'})
