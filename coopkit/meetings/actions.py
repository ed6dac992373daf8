"""The buttons of the meeting page: each posts here, calls one service, and returns to the
meeting page with a message. A refusal changes nothing (the services check before writing,
and the session is rolled back before the redirect commits)."""

from __future__ import annotations

from flask import abort, flash, g, redirect, url_for
from flask_login import current_user

from coopkit.coops.forms import EmptyForm
from coopkit.coops.policy import requires
from coopkit.coops.queries import member_for_user
from coopkit.extensions import db
from coopkit.forms import digits
from coopkit.meetings import agenda, conduct, forms, proxies, services
from coopkit.meetings import attendance as present
from coopkit.meetings.models import AgendaItem
from coopkit.meetings.views import bp, item_form, meeting_or_404
from coopkit.proposals.changes import ChangeError, parse_value
from coopkit.proposals.forms import CHANGE_ROWS


def _first_error(form) -> str:
    for name, errors in form.errors.items():
        if name == "csrf_token":
            return "The form expired. Reload the page and try again."
        label = form[name].label.text if name in form else name
        return f"{label}: {' '.join(errors)}"
    return "Please check the form and try again."


def _do(number: int, form, fn, done: str, anchor: str | None = None):
    meeting = meeting_or_404(number)
    if not form.validate_on_submit():
        flash(_first_error(form), "error")
    else:
        try:
            fn(meeting)
        except services.MeetingError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            flash(done, "success")
    return redirect(url_for("meetings.show", number=number, _anchor=anchor))


def _item(meeting, item_id: int) -> AgendaItem:
    item = db.session.get(AgendaItem, item_id)
    if item is None or item.meeting_id != meeting.id:
        abort(404)
    return item


def _int(value) -> int | None:
    return int(value) if digits(str(value or "")) else None


@bp.route("/<int:number>/items", methods=["POST"])
@requires("meetings.attend")
def add_item(number: int):
    meeting = meeting_or_404(number)
    form = item_form(meeting)

    def go(m):
        changes = {}
        for i in range(1, CHANGE_ROWS + 1):
            key = form[f"change_{i}_key"].data
            if key:
                try:
                    changes[key] = parse_value(key, form[f"change_{i}_value"].data)
                except ChangeError as exc:
                    raise services.MeetingError(str(exc)) from None
        agenda.add_item(m, g.coop, current_user, agenda.ItemDraft(
            title=form.title.data, item_type=form.item_type.data, kind=form.kind.data,
            resolution_text=form.resolution_text.data or "", purpose=form.purpose.data or None,
            confirms_item_id=_int(form.confirms_item_id.data), approves_meeting_id=_int(form.approves_meeting_id.data),
            secret=form.secret.data, rule_changes=changes))

    return _do(number, form, go, "Item added to the agenda.", "agenda")


@bp.route("/<int:number>/items/<int:item_id>/remove", methods=["POST"])
@requires("meetings.attend")
def remove_item(number: int, item_id: int):
    return _do(number, EmptyForm(), lambda m: agenda.remove_item(m, g.coop, current_user, _item(m, item_id)),
               "Item taken off the agenda.", "agenda")


@bp.route("/<int:number>/notice", methods=["POST"])
@requires("meetings.attend")
def send_notice(number: int):
    form = forms.NoticeForm(prefix="notice")
    return _do(number, form, lambda m: services.send_notice(m, g.coop, current_user,
                                                            short_notice=form.short_notice.data),
               "Notice sent: every member entitled has been emailed the notice, a calendar file and the PDF.")


@bp.route("/<int:number>/cancel", methods=["POST"])
@requires("meetings.attend")
def cancel(number: int):
    return _do(number, EmptyForm(), lambda m: services.cancel_meeting(m, g.coop, current_user), "Meeting cancelled.")


@bp.route("/<int:number>/support", methods=["POST"])
@requires("meetings.attend")
def support(number: int):
    return _do(number, EmptyForm(), lambda m: services.support_requisition(m, g.coop, current_user),
               "Your name is added to the requisition.")


@bp.route("/<int:number>/consent", methods=["POST"])
@requires("meetings.attend")
def consent(number: int):
    return _do(number, EmptyForm(), lambda m: proxies.consent_to_short_notice(m, g.coop, current_user),
               "Your agreement to short notice is recorded.", "you")


@bp.route("/<int:number>/proxy", methods=["POST"])
@requires("meetings.attend")
def appoint_proxy(number: int):
    meeting = meeting_or_404(number)
    form = forms.ProxyForm(prefix="proxy")
    viewer = member_for_user(g.coop, current_user)
    from coopkit.meetings import queries

    form.holder.choices = [str(mid) for mid, _ in queries.voting_members(g.coop) if not viewer or mid != viewer.id]
    return _do(meeting.number, form, lambda m: proxies.appoint_proxy(m, g.coop, current_user, _int(form.holder.data)),
               "Your proxy is appointed. You can revoke it until the meeting starts.", "you")


@bp.route("/<int:number>/proxy/revoke", methods=["POST"])
@requires("meetings.attend")
def revoke_proxy(number: int):
    return _do(number, EmptyForm(), lambda m: proxies.revoke_proxy(m, g.coop, current_user),
               "Your proxy appointment is revoked.", "you")


@bp.route("/<int:number>/apologies", methods=["POST"])
@requires("meetings.attend")
def apologies(number: int):
    return _do(number, EmptyForm(), lambda m: proxies.send_apologies(m, g.coop, current_user),
               "Your apologies are recorded.", "you")


@bp.route("/<int:number>/join", methods=["POST"])
@requires("meetings.attend")
def join(number: int):
    return _do(number, EmptyForm(), lambda m: present.join_online(m, g.coop, current_user),
               "You are recorded as present online.", "you")


def _members_form(form_class, prefix: str, field: str):
    from coopkit.meetings import queries

    form = form_class(prefix=prefix)
    getattr(form, field).choices = [str(mid) for mid, _ in queries.voting_members(g.coop)]
    return form


@bp.route("/<int:number>/attendance", methods=["POST"])
@requires("meetings.attend")
def attendance(number: int):
    form = _members_form(forms.AttendanceForm, "att", "member")
    return _do(number, form, lambda m: present.record_attendance(m, g.coop, current_user, _int(form.member.data),
                                                                 form.status.data),
               "Attendance recorded.", "attendance")


@bp.route("/<int:number>/left", methods=["POST"])
@requires("meetings.attend")
def left(number: int):
    form = _members_form(forms.MemberForm, "left", "member")
    return _do(number, form, lambda m: present.mark_left(m, g.coop, current_user, _int(form.member.data)),
               "Recorded as having left the meeting.", "attendance")


@bp.route("/<int:number>/start", methods=["POST"])
@requires("meetings.attend")
def start(number: int):
    form = _members_form(forms.StartForm, "start", "chair")
    return _do(number, form, lambda m: conduct.start_meeting(m, g.coop, current_user,
                                                             chair_member_id=_int(form.chair.data)),
               "The meeting is open: it was quorate at the start.", "agenda")


@bp.route("/<int:number>/adjourn", methods=["POST"])
@requires("meetings.attend")
def adjourn(number: int):
    return _do(number, EmptyForm(), lambda m: conduct.adjourn_meeting(m, g.coop, current_user),
               "The meeting is adjourned to the same day and time next week; members have been told.")


@bp.route("/<int:number>/close", methods=["POST"])
@requires("meetings.attend")
def close(number: int):
    return _do(number, EmptyForm(), lambda m: conduct.close_meeting(m, g.coop, current_user),
               "The meeting is closed. The draft minutes are ready to print.")


@bp.route("/<int:number>/items/<int:item_id>/hands", methods=["POST"])
@requires("meetings.attend")
def hands(number: int, item_id: int):
    form = forms.HandsForm(prefix="hands")
    return _do(number, form, lambda m: conduct.record_hands(
        _item(m, item_id), m, g.coop, current_user, form.votes_for.data, form.votes_against.data,
        form.votes_abstain.data or 0), "The show of hands is recorded.", f"item-{item_id}")


@bp.route("/<int:number>/items/<int:item_id>/poll", methods=["POST"])
@requires("meetings.attend")
def open_poll(number: int, item_id: int):
    form = forms.PollForm(prefix="poll")
    return _do(number, form, lambda m: conduct.open_poll(_item(m, item_id), m, g.coop, current_user,
                                                         secret=form.secret.data),
               "The poll is open: members present can vote on the meeting page.", f"item-{item_id}")


@bp.route("/<int:number>/items/<int:item_id>/poll/close", methods=["POST"])
@requires("meetings.attend")
def close_poll(number: int, item_id: int):
    return _do(number, EmptyForm(), lambda m: conduct.close_poll(_item(m, item_id), m, g.coop, current_user),
               "The poll is closed and counted.", f"item-{item_id}")


@bp.route("/<int:number>/items/<int:item_id>/vote", methods=["POST"])
@requires("meetings.attend")
def vote(number: int, item_id: int):
    form = forms.VoteForm(prefix="vote")
    return _do(number, form, lambda m: conduct.cast_poll_vote(
        _item(m, item_id), m, g.coop, current_user, form.choice.data, for_member_id=_int(form.for_member.data)),
        "Your vote is recorded.", f"item-{item_id}")


@bp.route("/<int:number>/items/<int:item_id>/note", methods=["POST"])
@requires("meetings.attend")
def note(number: int, item_id: int):
    form = forms.NoteForm(prefix="note")
    return _do(number, form, lambda m: conduct.note_business(_item(m, item_id), m, g.coop, current_user,
                                                             form.note.data or ""),
               "Recorded.", f"item-{item_id}")
