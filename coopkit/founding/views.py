"""The founding journey's pages: one overview, one generic step page for every step,
and small POST endpoints for agreement, the checklist, private details and comments."""

from __future__ import annotations

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from jinja2 import TemplateNotFound

from coopkit.coops import policy
from coopkit.coops.forms import EmptyForm
from coopkit.coops.policy import requires
from coopkit.coops.slugs import suggest_slug
from coopkit.founding import catalogue, comments, forms, queries, services
from coopkit.founding.validation import display_text, recommend_legal_form, step_warnings
from coopkit.web import coop_blueprint

bp = coop_blueprint("founding", __name__, "/founding")

RULES_REVIEW_TEMPLATE = "rules/_review_step.html"


@bp.app_template_global()
def founding_journey(coop):
    """The co-op's journey for the home page panel, or None when the user may not see it
    (or the co-op is registered: its founding is over, its home is about running it)."""
    if coop is None or coop.stage == "registered" or not policy.can(current_user, "founding.view", coop):
        return None
    journey, _ = queries.journey_for(coop)
    return journey


def _step_or_404(step_key: str) -> catalogue.Step:
    step = catalogue.get_step(step_key)
    if step is None:
        abort(404)
    return step


def _template_exists(name: str) -> bool:
    try:
        current_app.jinja_env.get_template(name)
    except TemplateNotFound:
        return False
    return True


@bp.route("/")
@requires("founding.view")
def overview():
    journey, inputs = queries.journey_for(g.coop)
    return render_template("founding/overview.html", journey=journey, founders=inputs.founders)


@bp.route("/steps/<step_key>")
@requires("founding.view")
def step(step_key: str):
    return _render_step(_step_or_404(step_key))


def _display_for(coop):
    """How answers read: a founder's name only for who may see names (mentors see counts:
    coopkit.coops.policy.MENTORS_SEE_MEMBER_NAMES)."""
    if policy.can(current_user, "register.names", coop):
        return display_text

    def without_names(q, value, founder_names=None):
        if q.type == "founder" and value is not None:
            return "One of the founders"
        return display_text(q, value)

    return without_names


def _render_step(step: catalogue.Step, *, form=None, comment_form=None, reply_forms=None, status: int = 200):
    coop = g.coop
    journey, inputs = queries.journey_for(coop)
    state = journey.state(step.key)
    can_edit = policy.can(current_user, "founding.edit", coop)
    can_comment = policy.can(current_user, "founding.comment", coop)
    show_private = policy.can(current_user, "founding.private", coop)
    answers = dict(inputs.answers)
    if can_edit and step.questions and form is None:
        form = forms.step_form(step, dict(inputs.founders), answers)
    threads = queries.step_threads(coop, step.key)
    reply_forms = reply_forms or {}
    for thread, _ in threads:
        reply_forms.setdefault(thread.id, forms.ReplyForm(prefix=f"reply{thread.id}", formdata=None))
    extra = {}
    if step.kind == "legal_form":
        extra["recommendation"] = recommend_legal_form(answers, len(inputs.founders))
    if step.key == "purpose":
        extra["warnings"] = step_warnings(step, answers)
        extra["slug_suggestion"] = suggest_slug(answers["coop_name"]) if answers.get("coop_name") else None
    if step.kind == "checklist":
        extra["checklist"] = queries.checklist(coop)
    if step.kind == "registration":
        extra["private_summary"] = queries.private_details_summary(coop)
    if step.kind == "review":
        extra["has_rules_review"] = _template_exists(RULES_REVIEW_TEMPLATE)
    if step.signoff or step.kind == "team":
        extra["signoffs"] = queries.signoffs(coop, step.key)
        extra["reset_at"] = getattr(queries.step_row(coop, step.key), "signoffs_reset_at", None)
    steps = catalogue.steps()
    position = steps.index(step)
    return render_template(
        "founding/step.html", step=step, state=state, journey=journey, answers=answers, form=form,
        founders=inputs.founders, my_founder_id=queries.my_founder_id(coop, current_user),
        can_edit=can_edit, can_comment=can_comment, show_private=show_private,
        history=queries.step_history(coop, step.key), threads=threads,
        comment_form=comment_form or forms.CommentForm(prefix="comment", formdata=None),
        reply_forms=reply_forms, display=_display_for(coop), rules_review_template=RULES_REVIEW_TEMPLATE,
        previous_step=steps[position - 1] if position else None,
        next_step=steps[position + 1] if position + 1 < len(steps) else None,
        catalogue=catalogue.catalogue(), empty_form=EmptyForm(), parent_question=forms.parent_question,
        shown=forms.shown_now(step, answers, request.form if request.method == "POST" else None), **extra,
    ), status


@bp.route("/steps/<step_key>", methods=["POST"])
@requires("founding.edit")
def save(step_key: str):
    step = _step_or_404(step_key)
    if not step.questions:
        abort(404)
    _, inputs = queries.journey_for(g.coop)
    form = forms.step_form(step, dict(inputs.founders), dict(inputs.answers), formdata=request.form)
    # A refused form answers 422, so the request's transaction is rolled back whatever happened.
    if not form.validate_on_submit():
        flash("The form had expired. Please check your answers and save again.", "error")
        return _render_step(step, form=form, status=422)
    try:
        raw = forms.raw_answers(step, request.form, use_suggestions=bool(request.form.get("use_suggestions")))
        result = services.save_step(g.coop, step.key, raw, current_user)
    except services.StepInvalid as exc:
        for key, message in exc.errors.items():
            form[key].errors = [*form[key].errors, message]
        flash(str(exc), "error")
        return _render_step(step, form=form, status=422)
    except services.FoundingError as exc:
        flash(str(exc), "error")
        return _render_step(step, form=form, status=422)
    if result.changed:
        count = len(result.changed)
        flash(f"Saved: {count} answer{'s' if count != 1 else ''} changed.", "success")
    else:
        flash("Nothing changed.", "info")
    if result.signoffs_reset:
        flash("These answers changed after founders had agreed to them, so the agreement was reset: "
              "every founder needs to agree to this step again.", "warning")
    for warning in result.warnings:
        flash(warning, "warning")
    return redirect(url_for("founding.step", step_key=step.key))


@bp.route("/steps/<step_key>/agree", methods=["POST"])
@requires("founding.edit")
def sign_off(step_key: str):
    step = _step_or_404(step_key)
    if EmptyForm().validate_on_submit():
        try:
            services.sign_off(g.coop, step.key, current_user)
        except services.FoundingError as exc:
            flash(str(exc), "error")
        else:
            flash("Thank you: your confirmation is recorded." if step.kind == "team"
                  else "Your agreement to these answers is recorded.", "success")
    return redirect(url_for("founding.step", step_key=step.key) + "#agreement")


@bp.route("/checklist/<item_key>", methods=["POST"])
@requires("founding.edit")
def tick(item_key: str):
    if EmptyForm().validate_on_submit():
        ticked = request.form.get("state") == "done"
        try:
            changed = services.set_checklist_item(g.coop, item_key, ticked, current_user)
        except services.FoundingError as exc:
            flash(str(exc), "error")
        else:
            item = catalogue.catalogue().checklist_item(item_key)
            if changed:
                flash(f"{'Ticked' if ticked else 'Unticked'}: {item.label}.", "success")
    return redirect(url_for("founding.step", step_key="register") + "#checklist")


@bp.route("/officers")
@requires("founding.private")
def officers():
    return _render_officers()


def _render_officers(failed_slot: int | None = None, failed_form=None):
    visible = services.visible_private_details(g.coop, current_user)
    summary = dict(queries.private_details_summary(g.coop))
    slots = []
    for slot in (1, 2):
        if failed_slot == slot:
            form = failed_form
        elif slot in visible:
            form = forms.officer_form(slot, visible[slot])
        elif slot in summary:
            form = None  # entered by someone else: private to them and the secretary
        else:
            form = forms.officer_form(slot)
        slots.append({"slot": slot, "form": form, "entered_by": summary.get(slot), "mine": slot in visible})
    choice = services.secretary_choice(g.coop)
    return render_template("founding/officers.html", slots=slots, choice=choice,
                           secretaries=queries.registered_secretaries(g.coop),
                           secretary_step=services.secretary_step())


@bp.route("/officers/<int:slot>", methods=["POST"])
@requires("founding.private")
def save_officer(slot: int):
    if slot not in (1, 2):
        abort(404)
    form = forms.officer_form(slot, formdata=request.form)
    if not form.validate_on_submit():
        flash("The form had expired. Please enter the details again.", "error")
        return _render_officers(slot, form), 422
    raw = {name: request.form.get(f"officer{slot}-{name}") for name in
           ("full_name", "date_of_birth", "address", "years_at_address", "months_at_address")}
    try:
        services.save_private_details(g.coop, slot, raw, current_user)
    except services.StepInvalid as exc:
        for key, message in exc.errors.items():
            form[key].errors = [*form[key].errors, message]
        return _render_officers(slot, form), 422
    except services.FoundingError as exc:
        flash(str(exc), "error")
        return redirect(url_for("founding.officers"))
    flash(f"Officer {slot}'s details are saved. Only you and the secretary can see them.", "success")
    return redirect(url_for("founding.officers"))


def _by_mentor() -> bool:
    roles = policy.roles_for(current_user, g.coop)
    return "mentor" in roles and "founder" not in roles


@bp.route("/steps/<step_key>/comments", methods=["POST"])
@requires("founding.comment")
def comment(step_key: str):
    step = _step_or_404(step_key)
    form = forms.CommentForm(prefix="comment")
    if form.validate_on_submit():
        try:
            comments.start_thread(g.coop, step.key, form.body.data or "", current_user,
                                            by_mentor=_by_mentor())
        except comments.CommentError as exc:
            form.body.errors = [str(exc)]
            return _render_step(step, comment_form=form, status=422)
        flash("Comment added.", "success")
    return redirect(url_for("founding.step", step_key=step.key) + "#comments")


def _thread_or_404(comment_id: int):
    thread = queries.thread(g.coop, comment_id)
    if thread is None:
        abort(404)
    return thread


@bp.route("/comments/<int:comment_id>/reply", methods=["POST"])
@requires("founding.comment")
def reply(comment_id: int):
    thread = _thread_or_404(comment_id)
    form = forms.ReplyForm(prefix=f"reply{thread.id}")
    if form.validate_on_submit():
        try:
            comments.reply(g.coop, thread, form.body.data or "", current_user, by_mentor=_by_mentor())
        except comments.CommentError as exc:
            form.body.errors = [str(exc)]
            return _render_step(_step_or_404(thread.step_key), reply_forms={thread.id: form}, status=422)
        flash("Reply added.", "success")
    return redirect(url_for("founding.step", step_key=thread.step_key) + f"#thread-{thread.id}")


@bp.route("/comments/<int:comment_id>/resolve", methods=["POST"])
@requires("founding.edit")
def resolve(comment_id: int):
    thread = _thread_or_404(comment_id)
    if EmptyForm().validate_on_submit():
        try:
            comments.resolve(g.coop, thread, current_user)
        except comments.CommentError as exc:
            flash(str(exc), "error")
        else:
            flash("Marked as resolved.", "success")
    return redirect(url_for("founding.step", step_key=thread.step_key) + f"#thread-{thread.id}")
