from __future__ import annotations

from pathlib import Path

from flask import (
    Blueprint,
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

from coopkit.coops import forms, policy, queries
from coopkit.coops.models import Coop, Invitation
from coopkit.coops.policy import requires
from coopkit.coops.slugs import CoopError, suggest_slug
from coopkit.database import utcnow
from coopkit.extensions import db
from coopkit.mail import send_mail
from coopkit.web import (
    coop_blueprint,
    external_url,
    home_fact,
    home_facts,
    keep_changes,
    render_home_panels,
)
from coopkit.workspace import services

bp = Blueprint("coops", __name__)
workspace = coop_blueprint("workspace", __name__)


@bp.route("/")
@requires("public")
def landing():
    if current_user.is_authenticated:
        return redirect(url_for("coops.index"))
    return render_template("coops/landing.html")


@bp.route("/favicon.ico")
@requires("public")
def favicon():
    # Browsers ask for /favicon.ico whatever the page's <link rel="icon"> says.
    # Served from memory (4 KB) rather than as an open file the WSGI server must close.
    data = (Path(current_app.static_folder) / "favicon.ico").read_bytes()
    response = Response(data, mimetype="image/vnd.microsoft.icon")
    response.cache_control.public = True
    response.cache_control.max_age = 7 * 24 * 3600
    return response


@bp.route("/c/")
@requires("account")
def index():
    return render_template(
        "coops/index.html",
        memberships=queries.coops_of_user(current_user),
        mentored=queries.mentored_coops(current_user),
    )


@bp.route("/c/new", methods=["GET", "POST"])
@requires("account")
def new():
    form = forms.NewCoopForm()
    if form.validate_on_submit():
        slug = form.slug.data or suggest_slug(form.name.data)
        try:
            coop = services.create_coop(current_user, form.name.data, slug)
        except CoopError as exc:
            if not form.slug.data:
                form.slug.data = slug
            form.slug.errors.append(str(exc))
        else:
            flash(f"{coop.name} is ready. Invite your co-founders, then start the founding journey.", "success")
            return redirect(url_for("workspace.home", slug=coop.slug))
    return render_template("coops/new.html", form=form)


@bp.route("/invite/<token>", methods=["GET", "POST"])
@requires("public")
def accept(token: str):
    invitation = services.find_invitation(token)
    user = current_user if current_user.is_authenticated else None
    problem = services.invitation_problem(invitation, user)
    form = forms.EmptyForm()
    if problem is None and user is not None and form.validate_on_submit():
        try:
            services.accept_invitation(token, current_user)
        except CoopError as exc:
            flash(str(exc), "error")
            return redirect(url_for("coops.index"))
        coop = db.session.get(Coop, invitation.coop_id)
        flash(f"Welcome to {coop.name}.", "success")
        return redirect(url_for("workspace.home", slug=coop.slug))
    coop = db.session.get(Coop, invitation.coop_id) if invitation is not None else None
    status = 410 if problem and invitation is not None else (404 if invitation is None else 200)
    return render_template("coops/accept.html", invitation=invitation, coop=coop, problem=problem,
                           form=form, token=token), status


@home_fact("workspace")
def _home_counts(coop_id) -> dict:
    return {"people": queries.current_people_count(coop_id)}


@workspace.route("/")
@requires("coop.view")
def home():
    # Panels first: one that fails rolls the session back, which would expire ``people``.
    panels = render_home_panels()
    if policy.can(current_user, "register.names", g.coop):
        people_count, people = queries.current_people(g.coop)
    else:  # a mentor: the count only, asked with the panels' counts
        people_count, people = int(home_facts(g.coop)["workspace.people"]), []
    return render_template("coops/home.html", panels=panels, people=people, people_count=people_count)


@workspace.route("/people/invite", methods=["GET", "POST"])
@requires("coop.invite")
def invite():
    form = forms.InviteForm()
    link_form = forms.EmptyForm(prefix="link")
    new_link = None
    settings = current_app.extensions["coopkit.settings"]
    if request.method == "POST" and request.form.get("kind") == "link":
        if link_form.validate_on_submit():
            _, token = services.create_invitation(g.coop, current_user, None)
            new_link = external_url("coops.accept", token=token)
            keep_changes()
            flash("A new invitation link is below. Copy it now: it is shown only once.", "success")
    elif form.validate_on_submit():
        try:
            _, token = services.create_invitation(g.coop, current_user, form.email.data)
        except CoopError as exc:
            form.email.errors.append(str(exc))
        else:
            link = external_url("coops.accept", token=token)
            # Queued: it goes out once this request commits, and is retried if the mail
            # server is down, so the invitation stands either way.
            send_mail(form.email.data, f"{current_user.name} invites you to {g.coop.name} on coopkit",
                      f"Hello,\n\n{current_user.name} has invited you to join {g.coop.name} on coopkit, "
                      f"the toolkit for founding and running a worker co-operative.\n\n"
                      f"Open this link to accept (it works once, for {settings.invitation_days} days):"
                      f"\n\n{link}\n")
            flash(f"Invitation made: the email to {form.email.data} is on its way. If it has not arrived "
                  f"in a few minutes, revoke it below and make an invitation link instead.", "success")
            return redirect(url_for("workspace.invite"))
    return render_template("coops/invite.html", form=form, link_form=link_form, new_link=new_link,
                           invitations=queries.invitations(g.coop), now=utcnow(),
                           revoke_form=forms.EmptyForm(prefix="revoke"))


@workspace.route("/people/invite/<int:invitation_id>/revoke", methods=["POST"])
@requires("coop.invite")
def revoke(invitation_id: int):
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.coop_id != g.coop.id:
        abort(404)
    form = forms.EmptyForm(prefix="revoke")
    if form.validate_on_submit():
        try:
            services.revoke_invitation(invitation, current_user)
        except CoopError as exc:
            flash(str(exc), "error")
        else:
            flash("Invitation withdrawn.", "success")
    return redirect(url_for("workspace.invite"))


@workspace.route("/leave", methods=["GET", "POST"])
@requires("coop.leave")
def leave():
    form = forms.EmptyForm()
    if form.validate_on_submit():
        try:
            services.leave_coop(g.coop, current_user)
        except CoopError as exc:
            flash(str(exc), "error")
            return redirect(url_for("workspace.home"))
        flash(f"You have left {g.coop.name}. Your entry stays in its register with the date you left.", "info")
        return redirect(url_for("coops.index"))
    return render_template("coops/leave.html", form=form)
