"""Proposal pages: list, draft, discuss, open, vote, results, ballots, minutes."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Response, abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from coopkit.coops import policy
from coopkit.coops.forms import EmptyForm
from coopkit.coops.policy import requires
from coopkit.coops.queries import member_for_user
from coopkit.database import utcnow, writes_late
from coopkit.extensions import db
from coopkit.proposals import closing, documents, drafting, forms, kinds, queries, services
from coopkit.proposals.changes import plain_language
from coopkit.proposals.text import render_markdown
from coopkit.proposals.timefmt import from_uk, to_uk, uk_datetime
from coopkit.proposals.voting_views import vote_page
from coopkit.rules.documents import DocumentBlocked
from coopkit.web import coop_blueprint

bp = coop_blueprint("proposals", __name__, "/proposals")


@bp.app_template_filter("uktime")
def _uktime(value):
    return uk_datetime(value)


@bp.app_template_global()
def proposals_awaiting_vote(coop):
    """For the co-op home panel: open proposals waiting for the current user's vote."""
    if not policy.can(current_user, "proposals.vote", coop):
        return []
    return queries.awaiting_vote(coop, member_for_user(coop, current_user))


def _proposal_or_404(number: int):
    proposal = queries.proposal_by_number(g.coop, number)
    if proposal is None:
        abort(404)
    if proposal.state == "draft" and not services.may_manage(current_user, g.coop, proposal):
        abort(404)
    return proposal


@bp.route("/")
@requires("proposals.view")
def index():
    viewer = member_for_user(g.coop, current_user)
    listed = queries.listing(g.coop, viewer, manage=policy.can(current_user, "proposals.manage", g.coop))
    return render_template("proposals/index.html", listed=listed)


@bp.route("/new", methods=["GET", "POST"])
@requires("proposals.create")
def new():
    form = forms.ProposalForm()
    rules = drafting.offer_kinds(form)
    if request.method == "GET":
        drafting.fill_fallback(form, rules)
    if request.method == "GET" and request.args.get("upgrade"):
        drafting.prefill_upgrade(form)
    proposal = drafting.save(form)
    if proposal is not None:
        flash(f"Draft proposal {proposal.number} saved. Check it, then open the vote.", "success")
        return redirect(url_for("proposals.show", number=proposal.number))
    return render_template("proposals/edit.html", form=form, proposal=None, rules=rules)


@bp.route("/<int:number>/edit", methods=["GET", "POST"])
@requires("proposals.create")
def edit(number: int):
    proposal = _proposal_or_404(number)
    if proposal.state != "draft" or not services.may_manage(current_user, g.coop, proposal):
        flash("Only the proposer or the secretary can edit a draft; once open, a proposal is fixed.", "error")
        return redirect(url_for("proposals.show", number=number))
    form = forms.ProposalForm()
    rules = drafting.offer_kinds(form)
    if request.method == "GET":
        drafting.fill_form(form, proposal)
    elif drafting.save(form, proposal) is not None:
        flash("Draft saved.", "success")
        return redirect(url_for("proposals.show", number=number))
    return render_template("proposals/edit.html", form=form, proposal=proposal, rules=rules)


@bp.route("/<int:number>")
@requires("proposals.view")
def show(number: int, *, open_form=None, status: int = 200):
    proposal = _proposal_or_404(number)
    viewer = member_for_user(g.coop, current_user)
    facts = queries.page_facts(proposal, viewer)
    manage = services.may_manage(current_user, g.coop, proposal)
    can_close_early = (manage and proposal.state == "open" and proposal.allow_early_close
                       and closing.settled(proposal, facts.roll))
    changes = proposal.rule_changes
    no_account, without_account = ((facts.no_account, facts.without_account) if proposal.state == "open"
                                   else (0, []))
    subject = kinds.subject_name(proposal)
    subject_forms = bool(subject) and manage and proposal.state == "draft"  # the only page state showing them
    return render_template(
        "proposals/show.html", proposal=proposal, body=render_markdown(proposal.body),
        comments=[(created_at, name, render_markdown(body)) for created_at, name, body in facts.comments],
        roll=facts.roll, voted=facts.voted, on_roll=facts.on_roll, has_voted=facts.vote_version > 0,
        my_choice=facts.my_choice, describe=queries.describe_choice,
        manage=manage, can_close_early=can_close_early, action_form=EmptyForm(),
        can_manage_subject=policy.can(current_user, "proposals.manage", g.coop),
        comment_form=forms.CommentForm(),
        weak_secrecy=proposal.secret and 0 < facts.roll < services.WEAK_SECRECY_BELOW,
        change_lines=plain_language(services._parameters(g.coop), changes) if changes else [],
        no_account=no_account, without_account=without_account,
        subject=subject, notice_form=forms.SubjectNoticeForm(prefix="notice") if subject_forms else None,
        reply_form=forms.SubjectReplyForm(prefix="reply") if subject_forms else None,
        not_adopted=(proposal.result or {}).get("not_adopted", []),
        fallback=kinds.fallback_for(g.coop, proposal),
        open_form=open_form or _suggested_open_form(proposal),
    ), status


def _suggested_open_form(proposal):
    """A draft without a closing time: suggest a week from now at 17:00 UK time."""
    if proposal.state != "draft" or proposal.closes_at is not None:
        return None
    form = forms.OpenForm(formdata=None)
    week = to_uk(utcnow()) + timedelta(days=7)
    form.closes_at.data = week.replace(hour=17, minute=0, second=0, microsecond=0, tzinfo=None)
    return form


def _action(number: int, do, done: str):
    proposal = _proposal_or_404(number)
    if EmptyForm().validate_on_submit():
        try:
            do(proposal)
        except services.ProposalError as exc:
            flash(str(exc), "error")
        else:
            flash(done, "success")
    else:
        flash("The form expired. Please try again.", "error")
    return redirect(url_for("proposals.show", number=proposal.number))


@bp.route("/<int:number>/open", methods=["POST"])
@requires("proposals.create")
def open_vote(number: int):
    proposal = _proposal_or_404(number)
    if proposal.state != "draft" or proposal.closes_at is not None or "closes_at" not in request.form:
        return _action(number, lambda p: services.open_proposal(p, g.coop, current_user),
                       "Voting is open. Everyone on the voter roll has been emailed.")
    # No closing time yet: it was asked for on the proposal page; a refusal shows it there again.
    form = forms.OpenForm()
    if form.validate_on_submit():
        proposal.closes_at = from_uk(form.closes_at.data)
        try:
            services.open_proposal(proposal, g.coop, current_user)
        except services.ProposalError as exc:
            db.session.rollback()
            form.closes_at.errors.append(str(exc))
        else:
            flash("Voting is open. Everyone on the voter roll has been emailed.", "success")
            return redirect(url_for("proposals.show", number=number))
    return show(number, open_form=form, status=400)


@bp.route("/<int:number>/notice", methods=["POST"])
@requires("proposals.manage")
def subject_notice(number: int):
    proposal = _proposal_or_404(number)
    form = forms.SubjectNoticeForm(prefix="notice")
    if not form.validate_on_submit():
        flash("Give the date the written notice was given.", "error")
    else:
        try:
            services.record_subject_notice(proposal, g.coop, current_user,
                                           at=datetime.combine(form.notified_on.data, datetime.min.time()))
        except services.ProposalError as exc:
            flash(str(exc), "error")
        else:
            flash("The date of notice is recorded.", "success")
    return redirect(url_for("proposals.show", number=number))


@bp.route("/<int:number>/reply", methods=["POST"])
@requires("proposals.manage")
def subject_reply(number: int):
    proposal = _proposal_or_404(number)
    form = forms.SubjectReplyForm(prefix="reply")
    if not form.validate_on_submit():
        flash("The reply could not be saved: " + " ".join(e for errs in form.errors.values() for e in errs), "error")
    else:
        try:
            services.record_subject_reply(proposal, g.coop, current_user, form.reply.data or "",
                                          none_given=form.none_given.data)
        except services.ProposalError as exc:
            flash(str(exc), "error")
        else:
            flash("The member's reply is attached." if form.reply.data else "Recorded that no reply was given.",
                  "success")
    return redirect(url_for("proposals.show", number=number))


@bp.route("/<int:number>/withdraw", methods=["GET", "POST"])
@requires("proposals.create")
def withdraw(number: int):
    if request.method == "GET":  # the confirmation step: works without JavaScript
        proposal = _proposal_or_404(number)
        if not services.may_manage(current_user, g.coop, proposal) or proposal.state not in ("draft", "open"):
            return redirect(url_for("proposals.show", number=number))
        _, voted = queries.roll_counts(proposal)
        return render_template("proposals/withdraw.html", proposal=proposal, voted=voted, action_form=EmptyForm())
    return _action(number, lambda p: services.withdraw_proposal(p, g.coop, current_user), "Proposal withdrawn.")


@bp.route("/<int:number>/close", methods=["POST"])
@requires("proposals.create")
def close(number: int):
    return _action(number, lambda p: closing.close_early(p, g.coop, current_user),
                   "Voting closed early: further votes could not have changed the outcome.")


@bp.route("/<int:number>/comments", methods=["POST"])
@requires("proposals.create")
def comment(number: int):
    proposal = _proposal_or_404(number)
    form = forms.CommentForm()
    if form.validate_on_submit():
        try:
            services.add_comment(proposal, g.coop, current_user, form.body.data)
        except services.ProposalError as exc:
            flash(str(exc), "error")
        else:
            flash("Comment added.", "success")
    else:
        flash("Write a comment first (at most 8,000 characters).", "error")
    return redirect(url_for("proposals.show", number=number, _anchor="discussion"))


@bp.route("/<int:number>/vote", methods=["GET", "POST"])
@writes_late   # reads without the write lock; the vote itself is one short write transaction
@requires("proposals.vote")
def vote(number: int):
    return vote_page(_proposal_or_404(number))


@bp.route("/<int:number>/results")
@requires("proposals.view")
def results(number: int):
    proposal = _proposal_or_404(number)
    if proposal.state != "closed":
        flash("Results are shown once voting closes.", "info")
        return redirect(url_for("proposals.show", number=number))
    result = proposal.result
    return render_template(
        "proposals/results.html", proposal=proposal, result=result, chart=chart_rows(result),
        record=queries.open_ballot_record(proposal), participants=queries.participants(proposal),
        amended=proposal.amended_rules_version_id is not None,
    )


def chart_rows(result: dict) -> list[dict]:
    """Bars for the SVG chart: label, count, width in a 0-100 space and the y position."""
    counts = result["counts"]
    top = max([n for _, n in counts] + [1])
    return [{"label": label, "count": n, "width": round(100 * n / top, 2), "y": i * 44}
            for i, (label, n) in enumerate(counts)]


@bp.route("/<int:number>/ballots", methods=["GET", "POST"])
@requires("proposals.view")
def ballots(number: int):
    proposal = _proposal_or_404(number)
    if proposal.state != "closed" or not proposal.secret:
        abort(404)
    published = queries.published_ballots(proposal)
    form = forms.ReceiptForm()
    receipt, found = None, None
    if form.validate_on_submit():
        receipt = form.receipt.data.upper()
        found = next((choice for code, choice in published if code == receipt), None)
    return render_template("proposals/ballots.html", proposal=proposal, ballots=published, form=form,
                           receipt=receipt, found=found)


@bp.route("/<int:number>/minutes.pdf")
@requires("proposals.view")
def minutes_pdf(number: int):
    proposal = _proposal_or_404(number)
    if proposal.state != "closed":
        abort(404)
    pdf = documents.minutes_pdf(g.coop, proposal)
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="{g.coop.slug}-proposal-{proposal.number}-minutes.pdf"'})


@bp.route("/<int:number>/amendment.pdf")
@requires("proposals.view")
def amendment_pdf(number: int):
    proposal = _proposal_or_404(number)
    if proposal.state != "closed" or proposal.amended_rules_version_id is None:
        abort(404)
    try:
        pdf = documents.amendment_pdf(g.coop, proposal)
    except DocumentBlocked as exc:
        flash(str(exc), "error")
        return redirect(url_for("proposals.results", number=number))
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="{g.coop.slug}-rules-amendment-{proposal.number}.pdf"'})



