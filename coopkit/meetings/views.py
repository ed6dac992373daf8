"""Meeting pages: the list, calling a meeting (or asking for one), the meeting page, the PDFs.
The buttons on the meeting page post to :mod:`coopkit.meetings.actions`."""

from __future__ import annotations

from flask import Response, abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from coopkit.coops import policy
from coopkit.coops.forms import EmptyForm
from coopkit.coops.policy import requires
from coopkit.coops.queries import member_for_user
from coopkit.database import utcnow
from coopkit.documents.pipeline import render_pdf
from coopkit.forms import choices
from coopkit.meetings import attendance, forms, kinds, queries, services
from coopkit.meetings.documents import notice_html
from coopkit.meetings.itemtext import item_texts
from coopkit.meetings.memberitems import HEARD
from coopkit.meetings.procedure import ALL_KIND_LABELS, KIND_LABELS
from coopkit.proposals.timefmt import from_uk, to_uk
from coopkit.web import coop_blueprint

bp = coop_blueprint("meetings", __name__, "/meetings")


@bp.app_template_global()
def meetings_for_home(coop):
    """For the co-op home panel: meetings called and not yet closed."""
    if not policy.can(current_user, "meetings.view", coop):
        return []
    return queries.meetings_for_home(coop)


def meeting_or_404(number: int):
    meeting = queries.meeting_by_number(g.coop, number)
    if meeting is None:
        abort(404)
    return meeting


@bp.route("/")
@requires("meetings.view")
def index():
    meetings = queries.listing(g.coop)
    now = utcnow()
    return render_template("meetings/index.html", meetings=meetings, now=now,
                           upcoming=[m for m in meetings if m.state in ("draft", "called", "open")],
                           past=[m for m in meetings if m.state not in ("draft", "called", "open")],
                           caller=services.caller_role(g.coop, current_user), rules=services.rules_for(g.coop))


def _draft(form) -> services.MeetingDraft:
    return services.MeetingDraft(
        title=form.title.data, starts_at=from_uk(form.starts_at.data), kind=form.kind.data, place=form.place.data,
        mode=form.mode.data, online_details=form.online_details.data,
        requisition_text=getattr(form, "requisition_text", None) and form.requisition_text.data or "")


def _new(form, requisition: bool):
    if form.validate_on_submit():
        try:
            meeting = services.create_meeting(g.coop, current_user, _draft(form), requisition=requisition)
        except services.MeetingError as exc:
            form.form_errors.append(str(exc))
        else:
            flash("Requisition saved: other members can now add their names." if requisition else
                  f"Meeting {meeting.number} drafted. Add its business, then send the notice.", "success")
            return redirect(url_for("meetings.show", number=meeting.number))
    return render_template("meetings/new.html", form=form, requisition=requisition,
                           rules=services.rules_for(g.coop))


@bp.route("/new", methods=["GET", "POST"])
@requires("meetings.attend")
def new():
    if services.caller_role(g.coop, current_user) is None:
        flash("Only the secretary or the directors can call a general meeting; you can ask for one by "
              "requisition.", "error")
        return redirect(url_for("meetings.requisition"))
    return _new(forms.MeetingForm(), requisition=False)


@bp.route("/<int:number>/edit", methods=["GET", "POST"])
@requires("meetings.attend")
def edit(number: int):
    meeting = meeting_or_404(number)
    if meeting.state != "draft" or not services.may_manage(g.coop, current_user, meeting):
        flash("Only a draft meeting can be changed, by the secretary or whoever called it.", "error")
        return redirect(url_for("meetings.show", number=number))
    form = forms.MeetingForm(obj=None if request.method == "POST" else _filled(meeting))
    if form.validate_on_submit():
        try:
            services.update_meeting(meeting, g.coop, current_user, _draft(form))
        except services.MeetingError as exc:
            form.form_errors.append(str(exc))
        else:
            flash("Meeting changed.", "success")
            return redirect(url_for("meetings.show", number=number))
    return render_template("meetings/new.html", form=form, requisition=False, meeting=meeting,
                           rules=services.rules_for(g.coop))


def _filled(meeting):
    from types import SimpleNamespace


    return SimpleNamespace(title=meeting.title, kind=meeting.kind, mode=meeting.mode, place=meeting.place,
                           online_details=meeting.online_details,
                           starts_at=to_uk(meeting.starts_at).replace(tzinfo=None))


@bp.route("/requisition", methods=["GET", "POST"])
@requires("meetings.attend")
def requisition():
    return _new(forms.RequisitionForm(), requisition=True)


def item_form(meeting):
    form = forms.ItemForm(prefix="item")
    available = kinds.available(g.coop)
    form.kind.choices = choices((k, v) for k, v in KIND_LABELS.items() if k in available)
    form.confirms_item_id.choices = choices([("", "(none)")] + [
        (item.id, f"Meeting {m.number}: {item.title}") for item, m in queries.awaiting_confirmation(g.coop)])
    form.approves_meeting_id.choices = choices([("", "(none)")] + [
        (m.id, f"Meeting {m.number}: {m.title}") for m in queries.closed_awaiting_approval(g.coop)
        if m.id != meeting.id])
    return form


def _member_choices(rows, blank=None):
    return choices(([("", blank)] if blank else []) + [(mid, name) for mid, name in rows])


@bp.route("/<int:number>")
@requires("meetings.view")
def show(number: int):
    meeting = meeting_or_404(number)
    viewer = member_for_user(g.coop, current_user)
    manage = services.may_manage(g.coop, current_user, meeting)
    items = queries.agenda(meeting)
    members = queries.voting_members(g.coop)
    mine = queries.my_part(meeting, viewer)
    here = attendance.presence(meeting) if meeting.state in ("called", "open") else None
    poll_ids = [i.id for i in items if i.state == "voting"]
    own = ([viewer.id] if viewer else []) + [mid for mid, _ in mine.holding]
    proxy_form = forms.ProxyForm(prefix="proxy")
    proxy_form.holder.choices = _member_choices([r for r in members if not viewer or r[0] != viewer.id],
                                                "Choose a member")
    attendance_form = forms.AttendanceForm(prefix="att")
    attendance_form.member.choices = _member_choices(members, "Choose a member")
    left_form = forms.MemberForm(prefix="left")
    left_form.member.choices = _member_choices(members, "Choose a member")
    start_form = forms.StartForm(prefix="start")
    start_form.chair.choices = _member_choices(
        [r for r in members if here and here.is_present(r[0])], "Choose a member present")
    requisition = services.requisition_status(g.coop, meeting) if meeting.called_by == "requisition" else None
    nomination_form = forms.NominationForm(prefix="nom")
    nomination_form.member.choices = _member_choices(members, "Choose a member")
    return render_template(
        "meetings/show.html", meeting=meeting, items=items, manage=manage, mine=mine, viewer=viewer,
        here=here, attendance=queries.attendance_record(meeting), kinds=ALL_KIND_LABELS,
        voted=queries.voted_on(poll_ids, own), voters=queries.voters_count(poll_ids),
        consents=services.consent_count(meeting, "short_notice") if meeting.short_notice else None,
        requisition=requisition, names=dict(members), now=utcnow(),
        join_from=meeting.starts_at - attendance.EARLY_START,
        action_form=EmptyForm(), notice_form=forms.NoticeForm(prefix="notice"), item_form=item_form(meeting),
        proxy_form=proxy_form, attendance_form=attendance_form, left_form=left_form, start_form=start_form,
        hands_form=forms.HandsForm(prefix="hands"), poll_form=forms.PollForm(prefix="poll"),
        vote_form=forms.VoteForm(prefix="vote"), note_form=forms.NoteForm(prefix="note"),
        rules=services.rules_for(g.coop), next_url=request.path,
        texts=item_texts(g.coop, meeting, items), member_kinds=kinds.member_kinds(g.coop),
        heard_choices=list(HEARD.items()), nomination_form=nomination_form,
    )


@bp.route("/<int:number>/notice.pdf")
@requires("meetings.view")
def notice_pdf(number: int):
    meeting = meeting_or_404(number)
    if meeting.notice_sent_at is None:
        abort(404)
    pdf = render_pdf(notice_html(g.coop, meeting, services.live_items(meeting)), use_cache=False)
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="{g.coop.slug}-meeting-{meeting.number}-notice.pdf"'})

