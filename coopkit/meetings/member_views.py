"""Pages and buttons for agenda items about a member and elections: putting an expulsion, an
admission or an election of directors on the agenda; the expelled member's reply and hearing;
nominations; a ranked ballot cast in the browser. Each calls one service in memberitems or
conduct; a refusal changes nothing."""

from __future__ import annotations

import sqlalchemy as sa
from flask import flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from coopkit.coops.forms import EmptyForm
from coopkit.coops.models import Member
from coopkit.coops.policy import requires
from coopkit.extensions import db
from coopkit.forms import choices, digits
from coopkit.meetings import conduct, forms, kinds, memberitems, services
from coopkit.meetings.actions import _do, _int, _item
from coopkit.meetings.views import bp, meeting_or_404


def _subjects(coop) -> list[tuple[int, str]]:
    """Current members and applicants, for the member an expulsion or an admission is about."""
    rows = db.session.execute(sa.select(Member.id, Member.full_name, Member.status).where(
        Member.coop_id == coop.id, Member.status.in_(("member", "founder", "applicant")))
        .order_by(Member.full_name)).all()
    return [(mid, f"{name} (applicant)" if status == "applicant" else name) for mid, name, status in rows]


def member_item_form():
    form = forms.MemberItemForm(prefix="mi")
    available = kinds.member_kinds(g.coop)
    form.kind.choices = choices(available.items())
    form.member.choices = choices([("", "Choose a member")] + _subjects(g.coop))
    return form, available


@bp.route("/<int:number>/items/about-a-member", methods=["GET", "POST"])
@requires("meetings.attend")
def add_member_item(number: int):
    meeting = meeting_or_404(number)
    if meeting.state != "draft" or not services.may_manage(g.coop, current_user, meeting):
        flash("Only the secretary or whoever called the meeting can add business, before notice is sent.", "error")
        return redirect(url_for("meetings.show", number=number))
    form, available = member_item_form()
    expulsion = kinds.kind_of(g.coop, "expulsion") if "expulsion" in available else None
    if form.validate_on_submit():
        try:
            item = memberitems.add_member_item(meeting, g.coop, current_user, memberitems.MemberItemDraft(
                kind=form.kind.data, subject_member_id=_int(form.member.data), reasons=form.reasons.data or "",
                notified_on=form.notified_on.data, email_notice=form.email_notice.data, seats=form.seats.data,
                secret=form.secret.data))
        except services.MeetingError as exc:
            form.form_errors.append(str(exc))
        else:
            flash("Added to the agenda." + (" The written notice is on its way to the member by email."
                                            if form.email_notice.data and item.kind == "expulsion" else ""),
                  "success")
            return redirect(url_for("meetings.show", number=number, _anchor=f"item-{item.id}"))
    return render_template("meetings/member_item.html", meeting=meeting, form=form, available=available,
                           expulsion=expulsion, rules=services.rules_for(g.coop))


@bp.route("/<int:number>/items/<int:item_id>/reply", methods=["POST"])
@requires("meetings.attend")
def reply(number: int, item_id: int):
    form = forms.ReplyForm(prefix="reply")
    return _do(number, form, lambda m: memberitems.record_reply(
        _item(m, item_id), m, g.coop, current_user, form.reply.data or "", none_given=form.none_given.data),
        "The member's reply is recorded.", f"item-{item_id}")


@bp.route("/<int:number>/items/<int:item_id>/hearing", methods=["POST"])
@requires("meetings.attend")
def hearing(number: int, item_id: int):
    form = forms.HearingForm(prefix="heard")
    return _do(number, form, lambda m: memberitems.record_hearing(_item(m, item_id), m, g.coop, current_user,
                                                                  form.heard.data),
               "Recorded.", f"item-{item_id}")


@bp.route("/<int:number>/items/<int:item_id>/candidates", methods=["POST"])
@requires("meetings.attend")
def nominate(number: int, item_id: int):
    form = forms.NominationForm(prefix="nom")
    form.member.choices = choices(_subjects(g.coop))
    return _do(number, form, lambda m: memberitems.nominate(_item(m, item_id), m, g.coop, current_user,
                                                            _int(form.member.data), form.nominated_on.data),
               "The candidate is added.", f"item-{item_id}")


@bp.route("/<int:number>/items/<int:item_id>/candidates/<int:member_id>/withdraw", methods=["POST"])
@requires("meetings.attend")
def withdraw_candidate(number: int, item_id: int, member_id: int):
    return _do(number, EmptyForm(), lambda m: memberitems.withdraw_candidate(_item(m, item_id), m, g.coop,
                                                                             current_user, member_id),
               "The candidate has withdrawn.", f"item-{item_id}")


def _ranking(count: int) -> list[int]:
    """The candidates in the order of the places given (rank_0..rank_n: "1", "2"... or empty)."""
    placed = []
    for i in range(count):
        value = (request.form.get(f"rank_{i}") or "").strip()
        if not value:
            continue
        if not digits(value) or not 1 <= int(value) <= count:
            raise services.MeetingError("Give each candidate you rank a place: 1st, 2nd, 3rd...")
        placed.append((int(value), i))
    places = [p for p, _ in placed]
    if len(set(places)) != len(places):
        raise services.MeetingError("Each place (1st, 2nd, ...) can go to only one candidate. Give every "
                                    "candidate you rank a different place.")
    return [i for _, i in sorted(placed)]


@bp.route("/<int:number>/items/<int:item_id>/rank", methods=["POST"])
@requires("meetings.attend")
def rank(number: int, item_id: int):
    def go(m):
        item = _item(m, item_id)
        ranking = _ranking(len(memberitems.candidates(item)))
        conduct.cast_ranking(item, m, g.coop, current_user, ranking, for_member_id=_int(request.form.get("for_member")))

    return _do(number, EmptyForm(), go, "Your ballot is recorded.", f"item-{item_id}")
