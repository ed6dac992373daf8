"""The calendar pages: what is due and when, done records, settings, private feeds."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from coopkit.calendar import feed as feedlib
from coopkit.calendar import forms, queries, services
from coopkit.calendar.dates import CalendarError
from coopkit.calendar.obligations import STATUS_LABELS
from coopkit.coops import policy
from coopkit.coops.forms import EmptyForm
from coopkit.coops.policy import requires
from coopkit.database import utcnow
from coopkit.extensions import db
from coopkit.web import coop_blueprint, keep_changes

bp = coop_blueprint("calendar", __name__, "/calendar")
#: the private feeds: not under a co-op, the token is the only key
feeds = Blueprint("calendar_feed", __name__, url_prefix="/calendar")


def _today() -> date:
    # Deadlines are UK dates; the server's clock is UTC, which is never a day off at midnight UK
    # time in winter and an hour early in summer: early, never late.
    return utcnow().date()


def _with_names() -> bool:
    """Names of people (officers, a worker on probation) only for those who may see the register."""
    return policy.can(current_user, "register.names", g.coop)


def _render_index(new_feed_url: str | None = None, settings_form=None, status: int = 200):
    with_names = _with_names()
    cal = queries.calendar_for(g.coop, _today(), with_names=with_names, cite=True)
    manage = policy.can(current_user, "calendar.manage", g.coop)
    people = queries.responsible_people([g.coop.id])[g.coop.id] if with_names else None
    if settings_form is None and manage:
        settings_form = forms.SettingsForm(formdata=None, year_end=cal.settings.year_end if cal.settings else "",
                                           tracked_from=cal.settings.tracked_from if cal.settings else None)
    return render_template(
        "calendar/index.html", cal=cal, with_names=with_names, people=people, labels=STATUS_LABELS,
        manage=manage, prepare=policy.can(current_user, "calendar.return", g.coop),
        settings_form=settings_form, feed=queries.active_feed(current_user, g.coop), new_feed_url=new_feed_url,
        button_form=EmptyForm(), today=_today()), status


@bp.route("/")
@requires("calendar.view")
def index():
    return _render_index()


def _item_or_404(cal, key: str):
    item = cal.item(key)
    if item is None:
        abort(404)
    return item


@bp.route("/done/<key>", methods=["GET", "POST"])
@requires("calendar.manage")
def done(key: str):
    cal = queries.calendar_for(g.coop, _today())
    item = _item_or_404(cal, key)
    form = forms.DoneForm()
    if request.method == "GET":
        form.done_on.data = None
    elif form.validate_on_submit():
        try:
            with db.session.begin_nested():
                services.record_done(g.coop, key, done_on=form.done_on.data, reference=form.reference.data,
                                     note=form.note.data, actor=current_user, today=_today())
        except CalendarError as exc:
            form.done_on.errors.append(str(exc))
        else:
            flash(f"Recorded as done: {item.obligation.title}.", "success")
            return redirect(url_for("calendar.index"))
    return render_template("calendar/done.html", item=item, form=form, labels=STATUS_LABELS)


@bp.route("/settings", methods=["POST"])
@requires("calendar.manage")
def settings():
    form = forms.SettingsForm()
    if form.validate_on_submit():
        try:
            with db.session.begin_nested():
                services.update_settings(g.coop, year_end=form.year_end.data, tracked_from=form.tracked_from.data,
                                         actor=current_user)
        except CalendarError as exc:
            form.year_end.errors.append(str(exc))
        else:
            flash("The calendar settings are saved.", "success")
            return redirect(url_for("calendar.index"))
    return _render_index(settings_form=form)


@bp.route("/feed", methods=["POST"])
@requires("calendar.feed")
def create_feed():
    if not EmptyForm().validate_on_submit():
        flash("The form expired. Please try again.", "error")
        return redirect(url_for("calendar.index"))
    token = services.create_feed(current_user, g.coop)
    keep_changes()
    return _render_index(new_feed_url=url_for("calendar_feed.feed", feed_token=token, _external=True))


@bp.route("/feed/revoke", methods=["POST"])
@requires("calendar.feed")
def revoke_feed():
    if EmptyForm().validate_on_submit():
        count = services.revoke_feeds(current_user, g.coop)
        flash("Your calendar feed address no longer works." if count else "You had no feed address to stop.",
              "success")
    return redirect(url_for("calendar.index"))


@feeds.route("/feed/<feed_token>.ics")
@requires("public")
def feed(feed_token: str):
    """The private feed: the token is the key, so nothing here depends on a log-in."""
    found = queries.feed_by_hash(services.hash_token(feed_token)) if len(feed_token) <= 100 else None
    if found is not None:
        _, user, coop = found
        allowed = policy.can(user, "calendar.feed", coop)
    if found is None or not allowed:
        return render_template("errors/error.html", code=404, title="Calendar address not valid",
                               message="This calendar feed address is not valid: it may have been replaced or "
                                       "stopped. Make a new one on your co-op's calendar page."), 404
    g.coop = coop
    with_names = policy.can(user, "register.names", coop)
    cal = queries.calendar_for(coop, _today(), with_names=with_names)
    body = feedlib.ics(coop.name, coop.slug, cal.items, with_names=with_names, stamp=utcnow(),
                       page_url=url_for("calendar.index", slug=coop.slug, _external=True))
    return Response(body, mimetype="text/calendar", headers={
        "Content-Disposition": f'inline; filename="{coop.slug}-deadlines.ics"',
        "Cache-Control": "private, no-store"})


def _sheet_or_404(year_end: str):
    from coopkit.calendar import annual_return

    try:
        day = date.fromisoformat(year_end)
    except ValueError:
        abort(404)
    cal = queries.calendar_for(g.coop, _today())
    if cal.facts.legal_form == "company" or day not in cal.year_ends() or not cal.facts.registered:
        abort(404)
    return annual_return, cal, annual_return.data_sheet(cal, day)


@bp.route("/return/<year_end>")
@requires("calendar.return")
def prepare_return(year_end: str):
    annual_return, cal, sheet = _sheet_or_404(year_end)
    return render_template("calendar/return.html", sheet=sheet, checklist=annual_return.checklist(cal, sheet))


@bp.route("/return/<year_end>.pdf")
@requires("calendar.return")
def return_pdf(year_end: str):
    annual_return, cal, sheet = _sheet_or_404(year_end)
    body = annual_return.pdf(cal, sheet, _today())
    return Response(body, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="{g.coop.slug}-annual-return-{sheet.year_end.isoformat()}.pdf"'})
