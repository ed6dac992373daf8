"""The secretary's audit page: the co-op's hash-chained event log, filtered and checked."""

from __future__ import annotations

from flask import g, render_template, request

from coopkit.audit import queries
from coopkit.audit.forms import AuditFilterForm
from coopkit.audit.services import chain_name, event_data, verify_archived, verify_chain
from coopkit.coops.policy import requires
from coopkit.forms import choices, digits
from coopkit.web import coop_blueprint

bp = coop_blueprint("audit", __name__, "/audit")


@bp.app_template_global()
def audit_anchor(coop):
    """The co-op's audit chain head (event number and hash), printed on minutes and registers."""
    from coopkit.audit.services import head_of

    return head_of(coop.id) if coop is not None else None


def _page_arg() -> int:
    try:
        return max(1, min(int(request.args.get("page", 1)), 1_000_000))
    except ValueError:
        return 1


@bp.route("/")
@requires("audit.view")
def log():
    actions, actors, subjects = queries.filter_choices(g.coop)
    form = AuditFilterForm(request.args)
    families = sorted({a.split(".")[0] for a in actions})
    form.action.choices = choices([("", "Any action")] + [(f, f"{f}.*") for f in families] + [(a, a.replace("_", " ")) for a in actions])
    form.actor.choices = choices([("", "Anyone")] + [(str(i), n) for i, n in actors])
    form.subject_type.choices = choices([("", "Anything")] + [(s, s) for s in subjects])
    filters = queries.Filters()
    if form.validate():
        filters = queries.Filters(
            action=form.action.data or "",
            actor_id=int(form.actor.data) if digits(form.actor.data or "") else None,
            date_from=form.date_from.data, date_to=form.date_to.data, subject_type=form.subject_type.data or "",
            subject_id=form.subject_id.data or "")
    page = queries.events_page(g.coop, filters, _page_arg())
    pager_args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("audit/log.html", form=form, page=page, filters=filters, pager_args=pager_args,
                           event_data=event_data)


@bp.route("/verify")
@requires("audit.view")
def verify():
    return render_template("audit/verify.html", report=verify_chain(chain_name(g.coop.id)),
                           archived=verify_archived(g.coop.id))
