"""Forms of the calendar."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, StringField
from wtforms.validators import InputRequired, Length, Optional

from coopkit.forms import NoControlCharacters, strip_filter


class DoneForm(FlaskForm):
    done_on = DateField("Date it was filed, sent or held", validators=[InputRequired(
        message="Give the date, for example 21/10/2025.")])
    reference = StringField("Reference", filters=[strip_filter],
                            validators=[Optional(), Length(max=120), NoControlCharacters()],
                            description="For example the submission reference the FCA's portal gave you.")
    note = StringField("Note", filters=[strip_filter], validators=[Optional(), Length(max=300), NoControlCharacters()],
                       description="Optional: anything the next secretary should know.")


class SettingsForm(FlaskForm):
    year_end = StringField("Financial year end (DD-MM)", filters=[strip_filter],
                           validators=[Optional(), Length(max=10), NoControlCharacters()],
                           description="For example 31-03. Leave empty to use the year end in your rules. "
                                       "The directors may change it as the law allows.")
    tracked_from = DateField("Show obligations falling due from", validators=[Optional()],
                             description="Optional: for a co-op that started using coopkit after registering, "
                                         "earlier deadlines are left out.")
