"""Share ledger, register of officers, PDFs, exports and the CSV import."""

from __future__ import annotations

from flask import Response, abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from coopkit.coops.forms import EmptyForm
from coopkit.coops.models import Officer
from coopkit.coops.policy import requires
from coopkit.extensions import db
from coopkit.forms import choices
from coopkit.jobs import documents as job_documents
from coopkit.register import documents, forms, queries, registerio, services
from coopkit.register.blueprint import (
    attempt,
    bp,
    is_secretary,
    member_or_404,
    parse_date_arg,
    viewer,
)
from coopkit.register.csvimport import COLUMNS, template_csv
from coopkit.register.invitations import invite_without_account
from coopkit.web import external_url


def _member_choices(members):
    return choices((m.id, m.full_name) for m in members)


def _no_share_capital():
    """A company limited by guarantee has no Shares section: say so instead of a ledger."""
    if services.register_terms(g.coop).share_capital:
        return None
    flash("This co-op is a company limited by guarantee: it has no share capital, so there is no share ledger.",
          "info")
    return redirect(url_for("register.members"))


@bp.route("/shares")
@requires("register.manage")
def shares():
    refused = _no_share_capital()
    if refused is not None:
        return refused
    as_at, date_error = parse_date_arg(request.args.get("as_at"))
    members = queries.current_members(g.coop)
    issue_form, withdraw_form, transfer_form = (forms.ShareForm(prefix="issue"), forms.WithdrawForm(prefix="withdraw"),
                                                forms.TransferForm(prefix="transfer"))
    for form in (issue_form, withdraw_form):
        form.member_id.choices = _member_choices(members)
    transfer_form.from_member_id.choices = transfer_form.to_member_id.choices = _member_choices(members)
    share_value, max_holding = services.share_params(g.coop)
    return render_template("register/shares.html", rows=queries.ledger_rows(g.coop, as_at), as_at=as_at,
                           date_error=date_error, counts=queries.counts(g.coop, as_at), issue_form=issue_form,
                           withdraw_form=withdraw_form, transfer_form=transfer_form, share_value=share_value,
                           max_holding=max_holding, terms=services.register_terms(g.coop))


@bp.route("/shares/<kind>", methods=["POST"])
@requires("register.manage")
def share_transaction(kind: str):
    if kind not in ("issue", "withdraw", "transfer"):
        abort(404)
    refused = _no_share_capital()
    if refused is not None:
        return refused
    members = queries.current_members(g.coop)
    by_id = {m.id: m for m in members}
    if kind == "transfer":
        form = forms.TransferForm(prefix="transfer")
        form.from_member_id.choices = form.to_member_id.choices = _member_choices(members)
    else:
        form = (forms.WithdrawForm if kind == "withdraw" else forms.ShareForm)(prefix=kind)
        form.member_id.choices = _member_choices(members)
    if not form.validate_on_submit():
        flash("Check the form: " + " ".join(e for errs in form.errors.values() for e in errs), "error")
        return redirect(url_for("register.shares"))
    if kind == "transfer":
        _, error = attempt(services.transfer_shares, by_id[form.from_member_id.data], by_id[form.to_member_id.data],
                           form.amount.data, on=form.on.data, actor=current_user, note=form.note.data or "")
    elif kind == "withdraw":
        _, error = attempt(services.withdraw_shares, by_id[form.member_id.data], form.amount.data, on=form.on.data,
                           actor=current_user, note=form.note.data or "", notice_given_on=form.notice_given_on.data)
    else:
        _, error = attempt(services.issue_shares, by_id[form.member_id.data], form.amount.data, on=form.on.data,
                           actor=current_user, note=form.note.data or "")
    flash(error or "The share ledger is updated.", "error" if error else "success")
    return redirect(url_for("register.shares"))


@bp.route("/officers")
@requires("register.names")
def officers():
    form = forms.AppointForm(prefix="appoint")
    form.member_id.choices = _member_choices(queries.current_members(g.coop)) if is_secretary() else []
    return _render_officers(form=form)


def _render_officers(*, form=None, other_form=None, psc_form=None, status: int = 200):
    secretary = is_secretary()
    members = queries.current_members(g.coop) if secretary else []
    if form is None:
        form = forms.AppointForm(prefix="appoint")
        form.member_id.choices = _member_choices(members)
    if psc_form is None:
        psc_form = forms.PscForm(prefix="psc")
    psc_form.member_id.choices = _member_choices(members)
    company = g.coop.legal_form == "company"
    return render_template("register/officers.html", appointments=queries.officers(g.coop),
                           warnings=queries.officer_warnings(g.coop), secretary=secretary, form=form,
                           end_form=forms.DateOnlyForm(prefix="end"),
                           other_form=other_form or forms.OtherOfficerForm(prefix="other"), psc_form=psc_form,
                           pscs=queries.significant_controls(g.coop) if company else [],
                           psc_candidates=queries.psc_candidates(g.coop) if company and secretary else []), status


@bp.route("/officers/appoint-other", methods=["POST"])
@requires("register.manage")
def appoint_other():
    form = forms.OtherOfficerForm(prefix="other")
    if form.validate_on_submit():
        _, error = attempt(services.appoint_non_member, g.coop, name=form.name.data, office=form.office.data,
                           on=form.on.data, actor=current_user, service_address=form.service_address.data or "")
        if not error:
            flash(f"{form.name.data} is appointed {form.office.data}.", "success")
            return redirect(url_for("register.officers"))
        form.name.errors.append(error)
    return _render_officers(other_form=form, status=400)


@bp.route("/officers/psc", methods=["POST"])
@requires("register.manage")
def add_psc():
    members = queries.current_members(g.coop)
    form = forms.PscForm(prefix="psc")
    form.member_id.choices = _member_choices(members)
    if form.validate_on_submit():
        member = next(m for m in members if m.id == form.member_id.data)
        _, error = attempt(services.add_significant_control, g.coop, full_name=member.full_name,
                           nature=form.nature.data, became_on=form.became_on.data, actor=current_user, member=member)
        if not error:
            flash(f"{member.full_name} is entered in the register of people with significant control.", "success")
            return redirect(url_for("register.officers"))
        form.nature.errors.append(error)
    return _render_officers(psc_form=form, status=400)


@bp.route("/officers/appoint", methods=["POST"])
@requires("register.manage")
def appoint():
    members = queries.current_members(g.coop)
    form = forms.AppointForm(prefix="appoint")
    form.member_id.choices = _member_choices(members)
    if not form.validate_on_submit():
        flash("Check the appointment: " + " ".join(e for errs in form.errors.values() for e in errs), "error")
    else:
        member = next(m for m in members if m.id == form.member_id.data)
        _, error = attempt(services.appoint_officer, member, form.office.data, on=form.on.data, actor=current_user)
        flash(error or f"{member.full_name} is appointed {form.office.data}.", "error" if error else "success")
    return redirect(url_for("register.officers"))


@bp.route("/officers/<int:officer_id>/end", methods=["POST"])
@requires("register.manage")
def end_appointment(officer_id: int):
    officer = db.session.get(Officer, officer_id)
    if officer is None or officer.coop_id != g.coop.id:
        abort(404)
    form = forms.DateOnlyForm(prefix="end")
    if not form.validate_on_submit():
        flash("Give the date the appointment ended.", "error")
    else:
        _, error = attempt(services.end_appointment, officer, on=form.on.data, actor=current_user)
        flash(error or "The appointment has ended.", "error" if error else "success")
    return redirect(url_for("register.officers"))


def _pdf(data: bytes, name: str) -> Response:
    return Response(data, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{name}"'})


@bp.route("/register.pdf")
@requires("register.manage")
def members_pdf():
    as_at, error = parse_date_arg(request.args.get("as_at"))
    if error:
        flash(error, "error")
        return redirect(url_for("register.members"))
    from coopkit.register.tasks import is_large

    if is_large(queries.counts(g.coop)):
        # Rendering hundreds of rows would hold this request (and a server worker) for long.
        flash("This register is long, so its PDF is prepared in the background: use the PDF button below.", "info")
        return redirect(url_for("register.members", as_at=as_at.isoformat()) if as_at
                        else url_for("register.members"))
    pdf, day = documents.members_pdf(g.coop, as_at)
    return _pdf(pdf, f"{g.coop.slug}-register-of-members-{day.isoformat()}.pdf")


@bp.route("/register.pdf/prepare", methods=["POST"])
@requires("register.manage")
def prepare_members_pdf():
    """A large register's PDF is prepared by the job queue: this starts it, the next page waits."""
    from datetime import date

    as_at, error = parse_date_arg(request.form.get("as_at"))
    form = EmptyForm(prefix="pdf")
    if error or not form.validate_on_submit():
        flash(error or "The form had expired: try again.", "error")
        return redirect(url_for("register.members"))
    day = as_at or date.today()
    job = job_documents.start_document("register.members", coop=g.coop, user=current_user,
                                       params={"as_at": day.isoformat()},
                                       filename=f"{g.coop.slug}-register-of-members-{day.isoformat()}.pdf")
    return redirect(url_for("register.members_pdf_progress", job_token=job.token))


job_documents.add_job_pages(bp, action="register.manage", prefix="members_pdf",
                            title="PDF of the register of members", back="register.members")


@bp.route("/officers.pdf")
@requires("register.names")
def officers_pdf():
    """Members may read the register of officers; the secretary's copy has the private particulars."""
    as_at, error = parse_date_arg(request.args.get("as_at"))
    if error:
        flash(error, "error")
        return redirect(url_for("register.officers"))
    pdf, day = documents.officers_pdf(g.coop, as_at, private=is_secretary())
    return _pdf(pdf, f"{g.coop.slug}-register-of-officers-{day.isoformat()}.pdf")


@bp.route("/members/<int:member_id>/certificate.pdf")
@requires("register.self")
def certificate(member_id: int):
    member = member_or_404(member_id)
    own = viewer()
    if not is_secretary() and (own is None or own.id != member.id):
        abort(403)
    pdf = documents.certificate_pdf(g.coop, member)
    if pdf is None:
        flash("There is no shareholding to certify.", "info")
        return redirect(url_for("register.member", member_id=member.id))
    return _pdf(pdf, f"{g.coop.slug}-share-certificate-{member.id}.pdf")


@bp.route("/export")
@requires("register.manage")
def exports():
    return render_template("register/export.html", registers=registerio.REGISTERS)


@bp.route("/export/<which>.<fmt>")
@requires("register.manage")
def export(which: str, fmt: str):
    if which not in registerio.REGISTERS or fmt not in ("csv", "json"):
        abort(404)
    as_at, error = parse_date_arg(request.args.get("as_at"))
    if error:
        flash(error, "error")
        return redirect(url_for("register.exports"))
    columns, rows = registerio.register_table(g.coop, which, as_at)
    name = f"{g.coop.slug}-{which}{'-' + as_at.isoformat() if as_at else ''}.{fmt}"
    if fmt == "csv":
        body, mimetype = registerio.to_csv(columns, rows), "text/csv"
    else:
        body, mimetype = registerio.to_json(g.coop, which, columns, rows, as_at), "application/json"
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.route("/import/template.csv")
@requires("register.manage")
def import_template():
    return Response(template_csv(), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="members-template.csv"'})


@bp.route("/import", methods=["GET", "POST"])
@requires("register.manage")
def import_members():
    form = forms.ImportForm()
    confirm_form = forms.ImportForm(prefix="confirm")
    result, text = None, ""
    if request.method == "POST" and request.form.get("step") == "confirm":
        if confirm_form.validate_on_submit():
            text = confirm_form.csv_text.data or ""
            added, error = attempt(registerio.import_members, g.coop, text, current_user)
            if not error:
                flash(f"{len(added)} people added to the register.", "success")
                return redirect(url_for("register.members", view="all"))
            flash(error, "error")
            result = registerio.check_import(g.coop, text)
    elif form.validate_on_submit():
        upload = form.file.data
        raw = upload.read() if upload else b""
        if not raw:
            form.file.errors.append("Choose a CSV file to upload.")
        else:
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                form.file.errors.append("The file isn't UTF-8 text. Save it from your spreadsheet as "
                                        "'CSV UTF-8' and try again.")
            else:
                result = registerio.check_import(g.coop, text)
    confirm_form.csv_text.data = text
    return render_template("register/import.html", form=form, confirm_form=confirm_form, result=result,
                           columns=COLUMNS)



@bp.route("/invite-accounts", methods=["POST"])
@requires("register.manage")
def invite_accounts():
    if not EmptyForm(prefix="accounts").validate_on_submit():
        flash("The form expired. Please try again.", "error")
        return redirect(url_for("register.members"))
    sent, failed, no_email = invite_without_account(
        g.coop, current_user, lambda token: external_url("coops.accept", token=token))
    flash(f"{sent} invitation{'s' if sent != 1 else ''} sent."
          + (f" {failed} could not be sent just now: try again later." if failed else "")
          + (f" {no_email} {'people have' if no_email != 1 else 'person has'} no email address in the register: "
             f"add one (Correct an entry) or give them an invitation link." if no_email else ""),
          "success" if sent or not (failed or no_email) else "error")
    return redirect(url_for("register.members"))
