"""Forms for the founding journey. A step's form is built from the catalogue, so
one view serves every step; the checking itself is in validation.py (pure)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from coopkit.founding.catalogue import Question, Step, get_step, step_for_key
from coopkit.founding.validation import form_text

NUMERIC_TYPES = ("int", "percent")


def _condition_note(q: Question) -> str:
    if q.when is None:
        return ""
    key, allowed = q.when
    other = parent_question(q)
    if other.type == "bool":
        return f"Only needed if you answer {'yes' if allowed[0] else 'no'} to: {other.label}"
    wanted = " or ".join(other.label_for(v) for v in allowed)
    return f"Only needed when the answer to “{other.label.rstrip('?:. ')}” is: {wanted}."


def parent_question(q: Question) -> Question:
    """The question whose answer makes ``q`` apply (``q.when`` must be set)."""

    return step_for_key(q.when[0]).question(q.when[0])


def suggestion(q: Question) -> str:
    """The usual answer in words ("" when there is none): shown as a suggestion, never pre-filled."""
    if q.default is None or q.default == "" or q.type == "founder":
        return ""
    if q.type == "bool":
        return "Yes" if q.default else "No"
    if q.type == "choice":
        return q.label_for(q.default)
    if q.type == "pence":
        return "£" + form_text(q, q.default)
    if q.type == "percent":
        return f"{q.default}%"
    return form_text(q, q.default)


def _field(q: Question, founders: dict[int, str]):
    suggested = suggestion(q)
    description = " ".join(part for part in (q.help, f"Suggested: {suggested}." if suggested else "",
                                             _condition_note(q)) if part)
    common = {"label": q.label, "description": description}
    if q.type == "text":
        return TextAreaField(**common, render_kw={"rows": 4})
    if q.type == "bool":
        return RadioField(**common, choices=[SelectChoice("yes", "Yes"), SelectChoice("no", "No")], validate_choice=False)
    if q.type == "choice":
        return RadioField(**common, choices=[SelectChoice(v, label) for v, label in q.choice_pairs], validate_choice=False)
    if q.type == "founder":
        choices = [SelectChoice("", "Choose a founder")] + [SelectChoice(str(mid), name) for mid, name in founders.items()]
        return SelectField(**common, choices=choices, validate_choice=False)
    render_kw = {"placeholder": f"suggested: {form_text(q, q.default)}"} if suggested else {}
    if q.type in NUMERIC_TYPES:
        render_kw["inputmode"] = "numeric"
    elif q.type == "pence":
        render_kw["inputmode"] = "decimal"
    elif q.type == "daymonth":
        render_kw.update({"placeholder": "DD-MM", "size": 6})
    return StringField(**common, render_kw=render_kw)


def step_form(step: Step, founders: dict[int, str], answers: dict, formdata=None) -> FlaskForm:
    """The form of one step, showing saved answers; a question not yet answered stays blank
    with its usual answer offered as a suggestion (help text and placeholder).

    On a POST it shows what was typed, so a failed check keeps every value."""
    fields = {q.key: _field(q, founders) for q in step.questions}
    form_class = type(f"StepForm_{step.key}", (FlaskForm,), fields)
    data = {q.key: form_text(q, answers.get(q.key)) for q in step.questions}
    if formdata is not None:
        return form_class(formdata=formdata, data=data)
    return form_class(data=data)


def raw_answers(step: Step, formdata, *, use_suggestions: bool = False) -> dict[str, str | None]:
    """What was typed for each question, straight from the request (a blank radio is None);
    with ``use_suggestions`` a question left blank takes its suggested (usual) answer."""
    raw = {q.key: formdata.get(q.key) for q in step.questions}
    if use_suggestions:
        for q in step.questions:
            if not (raw[q.key] or "").strip() and suggestion(q):
                raw[q.key] = form_text(q, q.default)
    return raw


def shown_now(step: Step, answers: dict, formdata=None) -> set[str]:
    """The questions that apply to the answers saved, or to the ones just typed when a form is
    shown again: a follow-up question is asked only once its parent answer makes it relevant."""
    current = dict(answers)
    if formdata is not None:
        for q in step.questions:
            typed = formdata.get(q.key)
            if typed:
                current[q.key] = {"yes": True, "no": False}.get(typed, typed) if q.type == "bool" else typed
    return {q.key for q in step.questions if q.applies(current)}


class CommentForm(FlaskForm):
    body = TextAreaField("Comment", render_kw={"rows": 3},
                         description="Plain text. Everyone in the founding group and its mentors can read it.")


class ReplyForm(FlaskForm):
    body = TextAreaField("Your reply", render_kw={"rows": 2},
                         description="Plain text, added to this thread.")


class OfficerForm(FlaskForm):
    full_name = StringField("Full name", render_kw={"autocomplete": "off"})
    date_of_birth = StringField("Date of birth", render_kw={"type": "date", "autocomplete": "off"},
                                description="As YYYY-MM-DD if your browser shows a text box.")
    address = TextAreaField("Home address", render_kw={"rows": 3, "autocomplete": "off"})
    years_at_address = StringField("Time at this address: years", render_kw={"inputmode": "numeric"})
    months_at_address = StringField("and months", render_kw={"inputmode": "numeric"})


def officer_form(slot: int, details=None, formdata=None) -> OfficerForm:
    data = {}
    if details is not None:
        years, months = divmod(details.months_at_address, 12)
        data = {"full_name": details.full_name, "date_of_birth": details.date_of_birth.isoformat(),
                "address": details.address, "years_at_address": str(years), "months_at_address": str(months)}
    if formdata is not None:
        return OfficerForm(prefix=f"officer{slot}", formdata=formdata, data=data)
    return OfficerForm(prefix=f"officer{slot}", formdata=None, data=data)


def step_or_none(key: str) -> Step | None:
    return get_step(key)
