"""Public pages (/p/: the directory, a profile, its JSON, pack verification) and the
secretary's page for the profile and buyer packs (/c/<slug>/profile/)."""

from __future__ import annotations

from datetime import date

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from coopkit.coops.forms import EmptyForm
from coopkit.coops.policy import requires
from coopkit.directory import documents, forms, queries, services
from coopkit.directory import facts as factlib
from coopkit.web import coop_blueprint, external_url

public = Blueprint("directory_public", __name__, url_prefix="/p")
bp = coop_blueprint("directory", __name__, "/profile")


@public.app_template_filter("fact_value")
def fact_value(value) -> str:
    """A fact from the JSON, in words (for the table of what changed)."""
    if value is None or value == "" or value == []:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        if "holds" in value:
            return ("yes" if value["holds"] else "no") + (f", rule {value['clause']}" if value.get("clause") else "")
        if "scheme" in value:
            return f"{value['scheme']}-{value['id']}"
        if "management" in value:
            return f"{value['management'] or 'not stated'}" + (f", rule {value['clause']}" if value.get("clause") else "")
    if isinstance(value, list):
        return "; ".join(f"{v['name']} ({v['office']})" if isinstance(v, dict) and "office" in v
                         else (f"rule {v['clause']}" if isinstance(v, dict) else str(v)) for v in value)
    return str(value)


# --- public ---------------------------------------------------------------------------------

@public.route("/")
@requires("public")
def index():
    service = request.args.get("service", "")[:100]
    area = request.args.get("area", "")[:100]
    return render_template("directory/index.html", results=queries.directory(service, area), service=service,
                           area=area)


def _published_or_404(slug: str):
    found = queries.published_profile(slug)
    if found is None:
        abort(404)
    return found


@public.route("/<slug>")
@requires("public")
def profile(slug: str):
    coop, profile = _published_or_404(slug)
    facts = queries.compute_facts(coop, profile)
    clauses, _, _ = queries.evidence_clauses(coop)
    return render_template("directory/profile.html", coop=coop, profile=profile, facts=facts, clauses=clauses,
                           json_url=url_for("directory_public.profile_json", slug=slug))


@public.route("/<slug>.json")
@requires("public")
def profile_json(slug: str):
    coop, profile = _published_or_404(slug)
    facts = queries.compute_facts(coop, profile)
    party = factlib.to_party(facts, profile.as_dict(),
                             external_url("directory_public.profile", slug=slug))
    response = jsonify(party)
    response.headers["Access-Control-Allow-Origin"] = "*"  # public data, for buyers' own tools
    return response


@public.route("/verify")
@requires("public")
def verify():
    form = forms.VerifyForm(request.args, meta={"csrf": False})
    result, problem, status = None, None, 200
    if "code" in request.args:
        if not form.validate():
            problem = " ".join(form.code.errors)
        elif queries.normalise_code(form.code.data) is None:
            problem = ("That is not a buyer pack code: a code is twelve letters and digits in three groups, "
                       "such as K7QX-3M9P-T2HD.")
        elif (found := queries.pack_by_code(form.code.data)) is None:
            problem = ("No buyer pack has this code. Check it against the pack; a code that still does not "
                       "match was not issued by coopkit, and the pack should not be relied on.")
            status = 404
        else:
            pack, coop = found
            result = {"pack": pack, "coop": coop, **queries.pack_status(pack, coop)}
    return render_template("directory/verify.html", form=form, result=result, problem=problem), status


# --- the secretary's page ---------------------------------------------------------------------

@bp.route("/", methods=["GET", "POST"])
@requires("directory.manage")
def manage():
    profile = queries.profile_of(g.coop)
    form = forms.ProfileForm(obj=profile)
    if form.validate_on_submit():
        try:
            services.save_profile(
                g.coop, current_user, description=form.description.data or "", services=form.services.data or "",
                areas=form.areas.data or "", contact_name=form.contact_name.data or "",
                contact_email=form.contact_email.data or "", website=form.website.data or "",
                workers=form.workers.data, workers_as_at=form.workers_as_at.data,
                private_emails=queries.private_emails(g.coop))
        except services.DirectoryError as exc:
            getattr(form, exc.field or "description").errors.append(str(exc))
        else:
            flash("Profile saved." + (" It is public now." if profile and profile.published else
                                      " Check what will be public below, then publish it."), "success")
            return redirect(url_for("directory.manage"))
    facts = queries.compute_facts(g.coop, profile)
    clauses, _, _ = queries.evidence_clauses(g.coop)
    pack_form = forms.PackForm(signed_by_name=_secretary_name(g.coop))
    return render_template("directory/manage.html", form=form, profile=profile, facts=facts, clauses=clauses,
                           packs=queries.packs(g.coop), switch_form=EmptyForm(), pack_form=pack_form,
                           today=date.today())


def _secretary_name(coop) -> str:
    return next((name for name, office in queries.current_officers(coop) if office == "secretary"), "")


@bp.route("/publish", methods=["POST"])
@requires("directory.manage")
def publish():
    if EmptyForm().validate_on_submit():
        try:
            services.publish(g.coop, current_user)
        except services.DirectoryError as exc:
            flash(str(exc), "error")
            return redirect(url_for("directory.manage"))
        flash("The profile is public now.", "success")
    return redirect(url_for("directory.manage"))


@bp.route("/unpublish", methods=["POST"])
@requires("directory.manage")
def unpublish():
    if EmptyForm().validate_on_submit():
        services.unpublish(g.coop, current_user)
        flash("The profile is switched off: it is no longer public, and packs issued before say so.", "success")
    return redirect(url_for("directory.manage"))


@bp.route("/packs", methods=["POST"])
@requires("directory.manage")
def issue_pack():
    form = forms.PackForm()
    if not form.validate_on_submit():
        flash(" ".join(e for errs in form.errors.values() for e in errs), "error")
        return redirect(url_for("directory.manage"))
    try:
        pack = services.issue_pack(g.coop, current_user, form.signed_by_name.data)
    except services.DirectoryError as exc:
        flash(str(exc), "error")
        return redirect(url_for("directory.manage"))
    flash(f"Buyer pack issued with code {pack.code}. Download it below.", "success")
    return redirect(url_for("directory.manage"))


@bp.route("/packs/<int:pack_id>.pdf")
@requires("directory.manage")
def pack_pdf(pack_id: int):
    pack = queries.pack_in_coop(g.coop, pack_id)
    if pack is None:
        abort(404)
    pdf = documents.pack_pdf(g.coop, pack, verify_url=external_url("directory_public.verify", code=pack.code))
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{g.coop.slug}-buyer-pack-{pack.code}.pdf"'})


@bp.route("/eligibility")
@requires("directory.check")
def eligibility():
    profile = queries.profile_of(g.coop)
    facts = queries.compute_facts(g.coop, profile)
    _, _, params = queries.evidence_clauses(g.coop)
    conditions = factlib.eligibility(facts, registered=g.coop.stage == "registered",
                                     non_voting_class=bool(params.get("non_voting_class")))
    return render_template("directory/eligibility.html", conditions=conditions, facts=facts)
