from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from coopkit.coops.parameters import PARAMETERS
from coopkit.forms import NoControlCharacters, strip_filter
from coopkit.proposals.services import UNCHANGEABLE_PARAMETERS

CHANGE_ROWS = 3


def choices(pairs) -> list[SelectChoice]:
    """WTForms 3.3 wants SelectChoice objects rather than (value, label) tuples."""
    return [SelectChoice(str(value), label) for value, label in pairs]


def changeable_parameters() -> list[tuple[str, str]]:
    return choices([("", "(no change)")] + [
        (key, f"{spec[2]} ({value_format(spec[0])})") for key, spec in PARAMETERS.items()
        if key not in UNCHANGEABLE_PARAMETERS])


def value_format(kind: str) -> str:
    """How to type a new value of this parameter type, in words (never the internal key)."""
    if kind == "pence":
        return "an amount in pounds, such as £1 or £25.50"
    if kind == "percent":
        return "a percentage, 0 to 100"
    if kind == "int":
        return "a whole number"
    if kind == "bool":
        return "yes or no"
    if kind.startswith("choice:"):
        return "one of: " + ", ".join(v.replace("_", " ") for v in kind.split(":", 1)[1].split("|"))
    if kind == "date":
        return "a date, YYYY-MM-DD"
    return "text"


class ProposalForm(FlaskForm):
    title = StringField("Title", filters=[strip_filter],
                        validators=[DataRequired(), Length(max=200), NoControlCharacters()])
    body = TextAreaField("The proposal", validators=[Optional(), Length(max=20000), NoControlCharacters()],
                         description="Explain what you propose and why. You can use Markdown: *emphasis*, "
                                     "lists with -, links.")
    resolution_text = TextAreaField(
        "Wording of the resolution", validators=[Optional(), Length(max=4000), NoControlCharacters()],
        description="For a resolution: the exact words the members resolve, as they will appear in the minutes. "
                    "For example: That the co-op opens a second bank account with a co-operative bank.")
    kind = SelectField("Kind of decision", choices=[], validate_choice=False,
                       description="The kinds your rules allow outside a meeting, each with the rule that "
                                   "governs it. A vote outside a meeting is a written resolution: it counts "
                                   "everyone on the voter roll, not only those who vote.")
    subject = SelectField("The member it is about", coerce=int, choices=[], default=0, validate_choice=False,
                          description="Needed only when the decision admits or expels someone.")
    preset = RadioField("Threshold", default="ordinary", choices=choices([
        ("ordinary", "As your rules set it for this kind"),
        ("custom", "Stricter than your rules: set a threshold below"),
    ]))
    threshold_percent = IntegerField("Custom threshold (%)", validators=[Optional(), NumberRange(50, 100)],
                                     description="Only for a stricter resolution: between 50 and 100.")
    basis = SelectField("Custom threshold counted on", default="cast", choices=choices([
        ("cast", "votes cast (for and against)"), ("eligible", "all members on the voter roll")]))
    options = TextAreaField("Options or candidates", validators=[Optional(), Length(max=4000), NoControlCharacters()],
                            description="For a poll or an election: one a line.")
    seats = IntegerField("Seats to fill", default=1, validators=[Optional(), NumberRange(1, 29)],
                         description="For an election: how many directors are elected.")
    ranking = SelectField("Counting for an election", default="stv", choices=choices([
        ("stv", "Single transferable vote"), ("irv", "Instant runoff (one seat)")]))
    secret = BooleanField("Secret ballot (nobody sees how anyone voted)")
    allow_early_close = BooleanField("May close early once further votes can't change the outcome")
    closes_at = DateTimeLocalField("Voting closes (UK time)", format="%Y-%m-%dT%H:%M",
                                   validators=[Optional()],
                                   description="You can set this later, before opening the vote.")


def add_change_rows(form_class):
    """Rule-change rows: parameter and new value (a special resolution that amends the rules)."""
    for i in range(1, CHANGE_ROWS + 1):
        setattr(form_class, f"change_{i}_key", SelectField(f"Rule to change ({i})", choices=changeable_parameters(),
                                                           default=""))
        setattr(form_class, f"change_{i}_value", StringField(
            f"New value ({i})", filters=[strip_filter],
            description="In the format the chosen rule shows in brackets: pounds such as £25.50, "
                        "a whole number (days, months, hours or a percentage), or yes or no.",
                                                             validators=[Optional(), Length(max=2000),
                                                                         NoControlCharacters()]))
    return form_class


add_change_rows(ProposalForm)


class CommentForm(FlaskForm):
    body = TextAreaField("Add to the discussion", validators=[DataRequired(), Length(max=8000),
                                                            NoControlCharacters()])


class VoteForm(FlaskForm):
    """Choices are set per proposal; ``seen`` guards against a replayed or stale form."""

    choice = RadioField("Your vote", validators=[InputRequired(message="Choose an option.")], choices=[])
    seen = HiddenField()


class RankForm(FlaskForm):
    """A ranked ballot: one select per candidate, added per proposal (rank_0, rank_1, ...)."""

    seen = HiddenField()


class ReceiptForm(FlaskForm):
    """Looking up a secret ballot's receipt code. Posted, so the code never lands in an access log
    beside the voter's session."""

    receipt = StringField("Your receipt code", filters=[strip_filter],
                          validators=[DataRequired(message="Type the code you were given."), Length(max=20),
                                      NoControlCharacters()],
                          description="For example ABCD-EFGH-JK23. Letters and numbers, as shown when you voted.")


class OpenForm(FlaskForm):
    """Open voting on a draft that has no closing time yet: ask for it on the same page."""
    closes_at = DateTimeLocalField("Voting closes (UK time)", format="%Y-%m-%dT%H:%M", validators=[InputRequired(
        "Give the date and time voting closes.")], description="Suggested: a week from now at 17:00. "
        "At least an hour from now and at most 90 days away; format day, month, year and 24-hour time.")


class SubjectNoticeForm(FlaskForm):
    """When the member concerned was given written notice (expulsion)."""

    notified_on = DateField("Date written notice was given", validators=[InputRequired(message="Give the date.")])


class SubjectReplyForm(FlaskForm):
    """The member's written reply, or the record that they gave none."""

    reply = TextAreaField("Their reply", validators=[Optional(), Length(max=20000), NoControlCharacters()],
                          description="Paste or summarise the member's written reply. The members read it "
                                      "before voting.")
    none_given = BooleanField("They gave no reply by the end of the notice period")
