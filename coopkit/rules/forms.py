"""Forms of the rules pages."""

from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from coopkit.forms import DateField, NoControlCharacters, strip_filter


def _not_in_future(form, field):
    if field.data and field.data > date.today():
        raise ValidationError("The date can't be in the future.")


class AdoptForm(FlaskForm):
    adopted_on = DateField("Date the members adopted these rules", validators=[DataRequired(), _not_in_future],
                           description="The day of the founding meeting (or of the resolution) that agreed them.")


class RegisterForm(FlaskForm):
    registered_on = DateField("Date of registration", validators=[DataRequired(), _not_in_future],
                              description="The date on the registration certificate or acknowledgement.")
    registration_number = StringField(
        "Registration number", filters=[strip_filter],
        validators=[Optional(), Length(max=40), NoControlCharacters()],
        description="The society number from the FCA (or the company number from Companies House). "
                    "Needed when these are the co-op's first rules: registering them registers the co-op, "
                    "and the founders become its first members.")


class PackForm(FlaskForm):
    include_aml = BooleanField(
        "Include the anti-money-laundering details of the two officers",
        description="Only the secretary can add them. They are printed for this download only, "
                    "never kept in the document cache.")


class CompareForm(FlaskForm):
    """Pick two versions to compare (a GET form: it changes nothing, so no CSRF token)."""

    class Meta:
        csrf = False

    old = SelectField("Older version", coerce=int, validators=[InputRequired()])
    new = SelectField("Newer version", coerce=int, validators=[InputRequired()])

    def validate_new(self, field):
        if self.old.data is not None and field.data == self.old.data:
            raise ValidationError("Choose two different versions.")


class BonaFideForm(FlaskForm):
    explanation = TextAreaField(
        "Why the society is a bona fide co-operative", filters=[strip_filter],
        validators=[DataRequired(message="Write the explanation (start from the draft)."), Length(max=4000),
                    NoControlCharacters()],
        description="Drafted from your answers and rules. Edit it into your own words: it goes in the FCA "
                    "application beside the business plan questions.")
