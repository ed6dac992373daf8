"""Forms for the founding journey. A step's form is built from the catalogue, so
one view serves every step; the checking itself is in validation.py (pure)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from coopkit.founding.catalogue import Question, Step, get_step
from coopkit.founding.validation import form_text

NUMERIC_TYPES = ("int", "percent")


def _condition_note(q: Question) -> str:
    if q.when is None:
        return ""
    key, allowed = q.when
    from coopkit.founding.catalogue import step_for_key

    other = step_for_key(key).question(key)
    if other.type == "bool":
        return f"Only needed if you answer {'yes' if allowed[0] else 'no'} to: {other.label}"
    wanted = " or ".join(other.label_for(v) for v in allowed)
    return f"Only needed if {other.label.lower()} is: {wanted}."


def _field(q: Question, founders: dict[int, str]):
    description = " ".join(part for part in (q.help, _condition_note(q)) if part)
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
    render_kw = {}
    if q.type in NUMERIC_TYPES:
        render_kw = {"inputmode": "numeric"}
    elif q.type == "pence":
        render_kw = {"inputmode": "decimal"}
    elif q.type == "daymonth":
        render_kw = {"placeholder": "DD-MM", "size": 6}
    return StringField(**common, render_kw=render_kw)


def step_form(step: Step, founders: dict[int, str], answers: dict, formdata=None) -> FlaskForm:
    """The form of one step, showing saved answers (or the usual default where none is saved).

    On a POST it shows what was typed, so a failed check keeps every value."""
    fields = {q.key: _field(q, founders) for q in step.questions}
    form_class = type(f"StepForm_{step.key}", (FlaskForm,), fields)
    data = {q.key: form_text(q, answers[q.key] if q.key in answers else q.default) for q in step.questions}
    if formdata is not None:
        return form_class(formdata=formdata, data=data)
    return form_class(data=data)


def raw_answers(step: Step, formdata) -> dict[str, str | None]:
    """What was typed for each question, straight from the request (a blank radio is None)."""
    return {q.key: formdata.get(q.key) for q in step.questions}


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
