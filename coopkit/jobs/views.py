"""The platform admin's failed-jobs page: what could not be done, and a button to try again."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from coopkit.coops.forms import EmptyForm
from coopkit.coops.policy import requires
from coopkit.jobs import queries, services
from coopkit.jobs.queue import huey

bp = Blueprint("jobs", __name__, url_prefix="/admin/jobs")


@bp.route("/failed")
@requires("admin.manage")
def failed():
    return render_template("jobs/failed.html", failed=queries.failed_jobs(), retry_form=EmptyForm(prefix="retry"),
                           waiting=_safe(huey.pending_count), scheduled=_safe(huey.scheduled_count))


def _safe(count) -> int | None:
    try:
        return count()
    except Exception:  # noqa: BLE001 - the queue's storage is down: the page still shows what failed
        return None


@bp.route("/failed/<int:failed_id>/retry", methods=["POST"])
@requires("admin.manage")
def retry(failed_id: int):
    form = EmptyForm(prefix="retry")
    if form.validate_on_submit():
        try:
            services.retry(failed_id, current_user)
        except services.JobError as exc:
            flash(str(exc), "error")
        else:
            flash("The job is queued again: it runs within a minute.", "success")
    return redirect(url_for("jobs.failed"))
