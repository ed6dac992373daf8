from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length

from coopkit.forms import NoControlCharacters, lower_filter, strip_filter


class CohortForm(FlaskForm):
    name = StringField("Cohort name", filters=[strip_filter],
                       validators=[DataRequired(), Length(max=120), NoControlCharacters()],
                       description="For example: UCLan digital graduates 2026.")
    description = TextAreaField("Description", filters=[strip_filter],
                                validators=[Length(max=2000), NoControlCharacters()])


class AddCoopForm(FlaskForm):
    coop_id = SelectField("Co-op", coerce=int, validate_choice=True)


class AssignMentorForm(FlaskForm):
    email = EmailField("Mentor's email address", filters=[lower_filter],
                       validators=[DataRequired(message="Enter the mentor's email address."),
                                   Email(check_deliverability=False,
                                         message="Enter the mentor's email address, like name@example.org."),
                                   Length(max=254)],
                       description="The mentor needs a coopkit account already.")
