"""Register of members pages: the register, an entry, and the flows that change entries."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from coopkit.coops import policy
from coopkit.coops.forms import EmptyForm
from coopkit.coops.policy import requires
from coopkit.forms import choices
from coopkit.register import forms, queries, services, table
from coopkit.register.blueprint import (
    attempt,
    bp,
    is_secretary,
    member_or_404,
    page_arg,
    parse_date_arg,
    register_shares,
    sees_private,
    viewer,
)
from coopkit.register.invitations import secretary_register_facts
from coopkit.register.tasks import is_large
from coopkit.rules.queries import current_parameters
from coopkit.web import home_fact, home_facts


@home_fact("register")
def _home_counts(coop_id) -> dict:
    return queries.count_queries(coop_id)


@bp.app_template_global()
def register_counts(coop):
    """Counts for the co-op home panel (asked with the other panels' counts: coopkit.web.home_facts)."""
    facts = home_facts(coop)
    return queries.counts_from({key: facts[f"register.{key}"] for key in queries.COUNT_KEYS})


def _proposal_choices(none_label: str, purpose: str, member):
    """The passed decisions of the right kind about this member (register.authority)."""
    return choices([(0, none_label)] + [(pid, f"{name}: {title}") for pid, name, title
                                        in queries.passed_decisions(g.coop, purpose, member.id)])


@bp.route("/")
@requires("register.counts")
def members():
    as_at, date_error = parse_date_arg(request.args.get("as_at"))
    view = request.args.get("view", "current")
    if view not in queries.VIEWS:
        view = "current"
    secretary = is_secretary()
    if secretary:
        counts, applicants, no_account = secretary_register_facts(g.coop, as_at)
    else:
        counts, applicants, no_account = queries.counts(g.coop, as_at), [], None
    if not policy.can(current_user, "register.names", g.coop):
        return render_template("register/counts.html", counts=counts, as_at=as_at, date_error=date_error)
    search = (request.args.get("q") or "").strip()[:100]
    page = queries.register_page(g.coop, view=view, as_at=as_at, page=page_arg(request.args.get("page")),
                                 search=search)

    shares = register_shares(g.coop)
    columns, rows, has_more = table.table(page.items, full=secretary, capital=shares["capital"],
                                          share_value=shares["value"], as_at=as_at)
    return render_template("register/members.html", page=page, columns=columns, rows=rows, has_more=has_more,
                           counts=counts, view=view, views=queries.VIEWS,
                           as_at=as_at, date_error=date_error, search=search, full=secretary,
                           me=viewer(), applicants=applicants,
                           requested_as_at=request.args.get("as_at", ""),
                           no_account=no_account,
                           accounts_form=EmptyForm(prefix="accounts"),
                           large_pdf=is_large(counts), pdf_form=EmptyForm(prefix="pdf"))


@bp.route("/me")
@requires("register.self")
def me():
    own = viewer()
    if own is None:
        abort(404)
    return redirect(url_for("register.member", member_id=own.id))


@bp.route("/members/<int:member_id>")
@requires("register.names")
def member(member_id: int):
    member = member_or_404(member_id)
    private = sees_private(member)
    context = {"member": member, "private": private, "own": viewer() is not None and viewer().id == member.id,
               "secretary": is_secretary(), "memberships": queries.other_memberships(member)}
    if private:
        context.update(
            statement=queries.statement(member), property_rows=queries.property_rows(member),
            history=queries.amendments(member),
            offices=[o for o, _ in queries.officers(g.coop) if o.member_id == member.id],
            reasons=services.CEASE_REASONS,
            admitted_by=queries.proposal_number(g.coop, member.admitted_by_proposal_id),
        )
    if is_secretary():
        params = current_parameters(g.coop)
        admit_form = forms.AdmitForm(prefix="admit")
        admit_form.by_proposal.choices = _proposal_choices("The secretary approves (no proposal)", "admission",
                                                            member)
        context.update(admit_form=admit_form, probation_form=forms.ProbationEndForm(prefix="prob"),
                       property_form=forms.PropertyForm(prefix="prop"),
                       probation_problem=services.probation_problem(member, date.today(), params)
                       if member.status == "applicant" else None)
    return render_template("register/member.html", **context)


@bp.route("/applicants/new", methods=["GET", "POST"])
@requires("register.manage")
def add_applicant():
    form = forms.ApplicantForm()
    if form.validate_on_submit():
        member, error = attempt(
            services.add_applicant, g.coop, full_name=form.full_name.data, actor=current_user,
            email=form.email.data, postal_address=form.postal_address.data,
            consents_to_electronic=form.consents_to_electronic.data, member_class=form.member_class.data,
            applied_on=form.applied_on.data, date_of_birth=form.date_of_birth.data,
            address_since=form.address_since.data)
        if error:
            (form.member_class if "class" in error else form.email if "email" in error else form.full_name
             ).errors.append(error)
        else:
            flash(f"{member.full_name}'s application is in the register. Approve it when they can be admitted.",
                  "success")
            return redirect(url_for("register.member", member_id=member.id))
    return render_template("register/applicant_form.html", form=form)


@bp.route("/members/<int:member_id>/admit", methods=["POST"])
@requires("register.manage")
def admit(member_id: int):
    member = member_or_404(member_id)
    form = forms.AdmitForm(prefix="admit")
    form.by_proposal.choices = _proposal_choices("The secretary approves (no proposal)", "admission", member)
    if not form.validate_on_submit():
        flash("Check the admission: " + " ".join(e for errs in form.errors.values() for e in errs), "error")
    else:
        _, error = attempt(services.admit_member, member, form.on.data, current_user,
                           by_proposal_id=form.by_proposal.data or None)
        if error:
            flash(error, "error")
        else:
            flash(f"{member.full_name} is now a member.", "success")
    return redirect(url_for("register.member", member_id=member_id))


@bp.route("/members/<int:member_id>/probation", methods=["POST"])
@requires("register.manage")
def end_probation(member_id: int):
    member = member_or_404(member_id)
    form = forms.ProbationEndForm(prefix="prob")
    if not form.validate_on_submit():
        flash("Give the date probation ended.", "error")
    else:
        _, error = attempt(services.end_probation, member, on=form.on.data, actor=current_user)
        flash(error or "The end of probation is recorded.", "error" if error else "success")
    return redirect(url_for("register.member", member_id=member_id))


@bp.route("/members/<int:member_id>/correct", methods=["GET", "POST"])
@requires("register.manage")
def correct(member_id: int):
    member = member_or_404(member_id)
    form = forms.CorrectionForm(obj=member if request.method == "GET" else None)
    if request.method == "GET":
        form.reason.data = ""
    if form.validate_on_submit():
        changes = {name: getattr(form, name).data for name in services.CORRECTABLE}
        amendments, error = attempt(services.amend_member, member, changes, reason=form.reason.data,
                                    actor=current_user)
        if error:
            form.reason.errors.append(error)
        else:
            flash("The entry is corrected; the change and its reason are in its history." if amendments
                  else "Nothing changed.", "success" if amendments else "info")
            return redirect(url_for("register.member", member_id=member.id))
    return render_template("register/correct.html", form=form, member=member)


@bp.route("/members/<int:member_id>/contact", methods=["GET", "POST"])
@requires("register.self")
def contact(member_id: int):
    member = member_or_404(member_id)
    own = viewer()
    if own is None or own.id != member.id:
        abort(403)
    form = forms.ContactForm(obj=member if request.method == "GET" else None)
    if request.method == "GET":
        form.reason.data = ""
    if form.validate_on_submit():
        changes = {name: getattr(form, name).data for name in services.SELF_EDITABLE}
        amendments, error = attempt(services.amend_member, member, changes,
                                    reason=form.reason.data or "Updated by the member", actor=current_user,
                                    allowed=services.SELF_EDITABLE)
        if error:
            form.postal_address.errors.append(error)
        else:
            flash("Your details are updated." if amendments else "Nothing changed.", "success")
            return redirect(url_for("register.member", member_id=member.id))
    return render_template("register/contact.html", form=form, member=member)


@bp.route("/members/<int:member_id>/cease", methods=["GET", "POST"])
@requires("register.manage")
def cease(member_id: int):
    member = member_or_404(member_id)
    if member.status == "ceased":
        flash("This person has already ceased to be a member.", "info")
        return redirect(url_for("register.member", member_id=member.id))
    form = forms.CeaseForm()
    form.reason.choices = choices([("", "Choose a reason")] + list(services.CEASE_REASONS.items()))
    terms = services.register_terms(g.coop)
    form.shares.choices = choices((k, v) for k, v in services.SHARE_DISPOSALS.items()
                                  if k != "transfer" or terms.shares_transferable)
    others = queries.current_members(g.coop, exclude_id=member.id)
    form.transfer_to.choices = choices([(0, "Nobody (not a transfer)")] + [(m.id, m.full_name) for m in others])
    form.by_proposal.choices = _proposal_choices("None", "expulsion", member)
    if form.validate_on_submit():
        receiver = next((m for m in others if m.id == form.transfer_to.data), None)
        if form.shares.data == "transfer" and receiver is None:
            form.transfer_to.errors.append("Choose the member who receives the shares.")
        else:
            _, error = attempt(services.cease_member, member, on=form.on.data, reason=form.reason.data,
                               actor=current_user, shares=form.shares.data, transfer_to=receiver,
                               by_proposal_id=form.by_proposal.data or None)
            if error:
                (form.by_proposal if "decision" in error or "roposal" in error else form.on).errors.append(error)
            else:
                flash(f"{member.full_name}'s membership ended on {form.on.data:%d/%m/%Y}. Their entry stays in the "
                      "register with the date ceased.", "success")
                return redirect(url_for("register.member", member_id=member.id))
    return render_template("register/cease.html", form=form, member=member)


@bp.route("/members/<int:member_id>/property", methods=["POST"])
@requires("register.manage")
def add_property(member_id: int):
    member = member_or_404(member_id)
    form = forms.PropertyForm(prefix="prop")
    if not form.validate_on_submit():
        flash("Check the loan or deposit: " + " ".join(e for errs in form.errors.values() for e in errs), "error")
    else:
        _, error = attempt(services.add_property, member, form.kind.data, form.amount.data, on=form.on.data,
                           actor=current_user, note=form.note.data or "", repayment=form.direction.data == "out")
        flash(error or "Recorded in the register.", "error" if error else "success")
    return redirect(url_for("register.member", member_id=member_id))


@bp.route("/members/<int:member_id>/withdraw-application", methods=["POST"])
@requires("register.manage")
def withdraw_application(member_id: int):
    member = member_or_404(member_id)
    if member.status != "applicant":
        flash("Only an open application can be closed.", "info")
    elif EmptyForm(prefix="withdraw").validate_on_submit():
        _, error = attempt(services.cease_member, member, on=date.today(), reason="withdrew_application",
                           actor=current_user)
        flash(error or "The application is closed. It stays in the register's history.",
              "error" if error else "success")
    return redirect(url_for("register.member", member_id=member_id))
