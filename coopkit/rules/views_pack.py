"""The registration pack page and its PDF. The pack (summary, founding members, checklist and the
whole rules) is prepared by the job queue with a progress page that refreshes itself, unless the
PDF cache already holds exactly the same pack, which is then sent at once. A pack with the
officers' anti-money-laundering details is rendered while the secretary waits and never cached."""

from __future__ import annotations

from flask import current_app, flash, g, redirect, render_template, url_for
from flask_login import current_user

from coopkit.coops import policy
from coopkit.coops.policy import requires
from coopkit.documents.pipeline import cached_rendering
from coopkit.jobs import documents as job_documents
from coopkit.rules import documents, queries, services
from coopkit.rules.forms import PackForm
from coopkit.rules.views import _is_secretary, _pdf_response, _version_or_404, bp, gap_href


def fix_href(check) -> str | None:
    """The link to where a pre-flight check is fixed (None when there is nothing to link)."""
    if check.fix is None:
        return None
    endpoint, args, fragment = check.fix
    if endpoint not in current_app.view_functions:
        return None
    return url_for(endpoint, **args) + (f"#{fragment}" if fragment else "")


def _render_pack(version, form, status: int = 200, bona_fide_form=None):
    from coopkit.rules import preflight
    from coopkit.rules.forms import BonaFideForm

    checks = preflight.preflight(g.coop, version)
    if bona_fide_form is None:
        bona_fide_form = BonaFideForm(formdata=None)
        bona_fide_form.explanation.data = checks.answers.get("bona_fide_explanation") or checks.bona_fide_draft
    return render_template("rules/pack.html", version=version, form=form, is_secretary=_is_secretary(),
                           blocked=documents.pack_blocking_message(g.coop, version),
                           summary=documents.pack_summary(g.coop, version)[0], gap_href=gap_href,
                           registration_step=queries.step_for("main_contact"), preflight=checks,
                           fix_href=fix_href, bona_fide_form=bona_fide_form,
                           can_edit=policy.can(current_user, "rules.edit", g.coop)), status


@bp.route("/versions/<int:version_number>/pack")
@requires("rules.pack")
def pack(version_number: int):
    return _render_pack(_version_or_404(version_number), PackForm(formdata=None))


@bp.route("/versions/<int:version_number>/pack", methods=["POST"])
@requires("rules.pack")
def pack_pdf(version_number: int):
    version = _version_or_404(version_number)
    form = PackForm()
    if not form.validate_on_submit():
        return _render_pack(version, form, 400)
    secretary = _is_secretary()
    aml = None
    if form.include_aml.data:
        if not secretary:
            form.include_aml.errors.append("Only the secretary can add the anti-money-laundering details.")
            return _render_pack(version, form, 400)
        aml = queries.aml_people(g.coop)
        if len(aml) < 2:
            form.include_aml.errors.append(
                "The application needs the details of two officers; "
                f"{'none has' if not aml else 'only one has'} been entered in the founding journey yet.")
            return _render_pack(version, form, 400)
    filename = f"{g.coop.slug}-registration-pack-v{version.number}.pdf"
    try:
        if aml:
            pdf = documents.registration_pack_pdf(g.coop, version, show_addresses=secretary, aml=aml)
        else:
            html, options = documents.pack_source(g.coop, version, show_addresses=secretary)
            pdf = cached_rendering(html, **options)
    except documents.DocumentBlocked:
        return _render_pack(version, form, 400)  # the page says what to finish first
    services.record_pdf(g.coop, version, current_user, "pack", data={"aml": bool(aml), "addresses": secretary})
    if pdf is not None:
        return _pdf_response(pdf, filename)
    job = job_documents.start_document("rules.pack", coop=g.coop, user=current_user,
                                       params={"version": version.number, "show_addresses": secretary},
                                       filename=filename)
    return redirect(url_for("rules.pack_progress", job_token=job.token))


job_documents.add_job_pages(bp, action="rules.pack", prefix="pack", title="Registration pack (PDF)",
                            back="rules.index")


@bp.route("/versions/<int:version_number>/pack/bona-fide", methods=["POST"])
@requires("rules.edit")
def save_bona_fide(version_number: int):
    """Save the founders' bona fide explanation as their registration answer (founding journey)."""
    from coopkit.rules.forms import BonaFideForm

    version = _version_or_404(version_number)
    form = BonaFideForm()
    if form.validate_on_submit():
        try:
            services.save_bona_fide(g.coop, form.explanation.data, current_user)
        except services.RulesError as exc:
            form.explanation.errors.append(str(exc))
        else:
            flash("The bona fide explanation is saved with your registration details.", "success")
            return redirect(url_for("rules.pack", version_number=version.number) + "#bona-fide")
    return _render_pack(version, PackForm(formdata=None), 400, bona_fide_form=form)


