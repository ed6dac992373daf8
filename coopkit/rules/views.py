"""The rules pages: the preview of the current answers, the compliance checklist, the
versions and their lifecycle, the clause-by-clause diff, and the PDF downloads."""

from __future__ import annotations

import json
import logging

from flask import (
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from coopkit.coops import policy
from coopkit.coops.forms import EmptyForm
from coopkit.coops.policy import requires
from coopkit.forms import choices
from coopkit.founding.services import is_secretary
from coopkit.rules import diff, documents, queries, render, services
from coopkit.rules.forms import AdoptForm, CompareForm, RegisterForm
from coopkit.rules.ruleset import RuleSetError, load_ruleset
from coopkit.web import coop_blueprint

log = logging.getLogger("coopkit.rules")

bp = coop_blueprint("rules", __name__, "/rules")


# --- helpers -------------------------------------------------------------------------------

def gap_href(key: str) -> str | None:
    """Where a missing answer is given: the founding step that asks it."""
    step = queries.step_for(key)
    if step is None or "founding.step" not in current_app.view_functions:
        return None
    return url_for("founding.step", step_key=step[0], slug=g.coop.slug)


def gap_list(gaps) -> list[dict]:
    """Each missing answer with its wording, the step that asks it and a link there."""
    out = []
    for key in gaps:
        step = queries.step_for(key)
        out.append({"key": key, "label": queries.gap_message(key).removeprefix("to be decided: ").split(" — ")[0],
                    "step": step[1] if step else None, "href": gap_href(key)})
    return out


def withheld() -> frozenset[str]:
    """Private answers the current user may not read in the rules: a mentor's (who follows the
    co-op but is none of its founders or members) view leaves them out."""
    if policy.roles_for(current_user, g.coop) & {"founder", "member", "secretary"}:
        return frozenset()
    return queries.private_keys()


def _preview_or_none() -> tuple[queries.Preview | None, str | None]:
    try:
        return queries.current_preview(g.coop, withheld()), None
    except RuleSetError as exc:
        log.warning("No rule set for coop %s: %s", g.coop.id, exc)
        return None, ("coopkit has no rule set for this legal form yet, so it can't draft the rules. "
                      "Check the legal form in the founding journey.")


def _version_or_404(number: int):
    version = queries.version_by_number(g.coop, number)
    if version is None:
        abort(404)
    return version


def _is_secretary() -> bool:
    return is_secretary(g.coop, current_user)


def _pdf_response(pdf: bytes, filename: str) -> Response:
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.app_template_global()
def rules_summary(coop, with_preview: bool = True):
    """What the home panel and the founding journey's review step show about the rules:
    None when the user may not see them. Rendering the preview costs tens of milliseconds,
    so the home page of a registered co-op (which does not show it) skips it."""
    if coop is None or not policy.can(current_user, "rules.view", coop):
        return None
    preview = None
    if with_preview:
        try:
            preview = queries.current_preview(coop)
        except RuleSetError:
            preview = None
    return {"preview": preview, "latest": queries.latest_version(coop),
            "governing": queries.governing_version(coop),
            "gaps": gap_list(preview.gaps) if preview else []}


# --- the current answers ------------------------------------------------------------------

@bp.route("/")
@requires("rules.view")
def index():
    preview, problem = _preview_or_none()
    from coopkit.rules.facts import articles_to_file, upgrade_available

    return render_template("rules/index.html", preview=preview, problem=problem,
                           upgrade=upgrade_available(g.coop), to_file=articles_to_file(g.coop),
                           gaps=gap_list(preview.gaps) if preview else [],
                           versions=queries.versions(g.coop, limit=5), governing=queries.governing_version(g.coop),
                           generate_form=EmptyForm())


@bp.route("/preview")
@requires("rules.view")
def preview():
    preview, problem = _preview_or_none()
    if preview is None:
        flash(problem, "error")
        return redirect(url_for("rules.index"))
    body = render.to_html(preview.document.markdown, queries.gap_message, gap_href)
    name = preview.params.get("coop_name") or g.coop.name
    return render_template("rules/preview.html", preview=preview, body=body, gaps=gap_list(preview.gaps),
                           title=documents.document_title(preview.ruleset, name), generate_form=EmptyForm())


@bp.route("/check")
@requires("rules.view")
def check():
    preview, problem = _preview_or_none()
    if preview is None:
        flash(problem, "error")
        return redirect(url_for("rules.index"))
    return render_template("rules/check.html", report=preview.report, ruleset=preview.ruleset,
                           gaps=gap_list(preview.gaps), version=None)


@bp.route("/versions/new", methods=["POST"])
@requires("rules.edit")
def generate():
    form = EmptyForm()
    if not form.validate_on_submit():
        flash("The form expired. Please try again.", "error")
        return redirect(url_for("rules.index"))
    try:
        version, created = services.generate_draft(g.coop, current_user)
    except RuleSetError:
        flash("coopkit has no rule set for this legal form yet, so it can't draft the rules.", "error")
        return redirect(url_for("rules.index"))
    if created:
        flash(f"Version {version.number} saved as a draft.", "success")
    else:
        flash(f"Nothing has changed since version {version.number}: no new version was made.", "info")
    return redirect(url_for("rules.version", version_number=version.number))


# --- versions ------------------------------------------------------------------------------

def _compare_form(versions, formdata=None) -> CompareForm:
    form = CompareForm(formdata=formdata)
    options = choices([(v.number, f"Version {v.number} ({v.status}, {v.created_at:%d/%m/%Y})") for v in versions])
    form.old.choices = options
    form.new.choices = list(options)
    if formdata is None and len(versions) >= 2:
        form.old.data, form.new.data = versions[1].number, versions[0].number
    return form


@bp.route("/versions")
@requires("rules.view")
def versions():
    all_versions = queries.versions(g.coop)
    return render_template("rules/versions.html", versions=all_versions, compare_form=_compare_form(all_versions),
                           governing=queries.governing_version(g.coop))


def _render_version(version, *, adopt_form=None, register_form=None, status: int = 200):
    text = documents.rules_text(g.coop, version, redact=withheld(), gap_href=gap_href)
    return render_template(
        "rules/version.html", version=version, doc=text, body=text.body,
        gaps=gap_list(render.gaps_in(version.text)), report=queries.check_version(g.coop, version),
        adopt_form=adopt_form or AdoptForm(formdata=None), register_form=register_form or RegisterForm(formdata=None),
        blocked=documents.blocking_message(version), can_edit=policy.can(current_user, "rules.edit", g.coop),
        can_pack=policy.can(current_user, "rules.pack", g.coop), amendment_base=_amendment_base(version),
    ), status


@bp.route("/versions/<int:version_number>")
@requires("rules.view")
def version(version_number: int):
    return _render_version(_version_or_404(version_number))


@bp.route("/versions/<int:version_number>/adopt", methods=["POST"])
@requires("rules.edit")
def adopt(version_number: int):
    version = _version_or_404(version_number)
    form = AdoptForm()
    if form.validate_on_submit():
        try:
            services.adopt_version(version, on=form.adopted_on.data, actor=current_user)
        except services.RulesError as exc:
            form.adopted_on.errors.append(str(exc))
        else:
            flash(f"Version {version.number} recorded as adopted.", "success")
            return redirect(url_for("rules.version", version_number=version.number))
    return _render_version(version, adopt_form=form, status=400)


@bp.route("/versions/<int:version_number>/register", methods=["POST"])
@requires("rules.edit")
def register(version_number: int):
    version = _version_or_404(version_number)
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            services.register_version(version, form.registered_on.data, current_user,
                                      form.registration_number.data or "")
        except services.RegistrationNumberError as exc:
            form.registration_number.errors.append(str(exc))
        except services.RulesError as exc:
            form.registered_on.errors.append(str(exc))
        else:
            flash(f"Version {version.number} recorded as registered: these are now the rules in force.", "success")
            return redirect(url_for("rules.version", version_number=version.number))
    return _render_version(version, register_form=form, status=400)


@bp.route("/compare")
@requires("rules.view")
def compare():
    all_versions = queries.versions(g.coop)
    form = _compare_form(all_versions, formdata=request.args)
    if not request.args:
        return redirect(url_for("rules.versions"))
    if not form.validate():
        return render_template("rules/versions.html", versions=all_versions, compare_form=form,
                               governing=queries.governing_version(g.coop)), 400
    old, new = (queries.version_by_number(g.coop, n) for n in (form.old.data, form.new.data))
    if old.number > new.number:
        old, new = new, old
    hidden = withheld()
    changes = diff.clause_diff(documents.version_text(old, hidden), documents.version_text(new, hidden))
    old_params, new_params = json.loads(old.parameters), json.loads(new.parameters)
    if hidden:
        old_params, new_params = render.redact_values(old_params, hidden), render.redact_values(new_params, hidden)
    return render_template(
        "rules/compare.html", old=old, new=new, changes=changes, compare_form=form,
        parameter_changes=diff.parameter_changes(old_params, new_params),
        changed=[c for c in changes if c.status != "unchanged" and not c.numbers_only],
        references=[c for c in changes if c.numbers_only],
    )


# --- documents -----------------------------------------------------------------------------

@bp.route("/versions/<int:version_number>/rules.pdf")
@requires("rules.view")
def rules_pdf(version_number: int):
    version = _version_or_404(version_number)
    try:
        pdf = documents.rules_pdf(g.coop, version, withheld())
    except documents.DocumentBlocked as exc:
        flash(str(exc), "error")
        return redirect(url_for("rules.version", version_number=version.number))
    kind = "articles" if load_ruleset(version.ruleset_id).legal_form == "company" else "rules"
    return _pdf_response(pdf, f"{g.coop.slug}-{kind}-v{version.number}.pdf")


def _amendment_base(version):
    """What an amendment to ``version`` changes: the rules in force, when they are older."""
    governing = queries.governing_version(g.coop)
    return governing if governing is not None and governing.number < version.number else None


@bp.route("/versions/<int:version_number>/amendment.pdf")
@requires("rules.view")
def amendment_pdf(version_number: int):
    version = _version_or_404(version_number)
    base = _amendment_base(version)
    try:
        pdf = documents.amendment_pdf(g.coop, base, version, withheld())
    except documents.DocumentBlocked as exc:
        flash(str(exc), "error")
        return redirect(url_for("rules.version", version_number=version.number))
    suffix = f"v{base.number}-to-v{version.number}" if base else f"v{version.number}"
    return _pdf_response(pdf, f"{g.coop.slug}-rules-amendment-{suffix}.pdf")


@bp.route("/upgrade")
@requires("rules.view")
def upgrade():
    """What changes if the rules in force are redrawn from the rule set's newer version."""
    from coopkit.rules.facts import upgrade_preview

    preview = upgrade_preview(g.coop)
    if preview is None:
        flash("Your rules already use the newest version of their rule set.", "info")
        return redirect(url_for("rules.index"))
    changed = [c for c in preview.changes if c.status != "unchanged" and not c.numbers_only]
    return render_template("rules/upgrade.html", preview=preview, changed=changed,
                           can_propose=policy.can(current_user, "proposals.create", g.coop)
                           and "proposals.new" in current_app.view_functions)
