"""The audit page's filter form (a GET form: no state changes, so no CSRF token)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import Length, Optional, Regexp, ValidationError

from coopkit.forms import DateField, strip_filter


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False

    # Stripped, so a value of spaces means "any" rather than a choice that is not there.
    action = SelectField("Action", choices=[], filters=[strip_filter], validators=[Optional()])
    actor = SelectField("Who", choices=[], filters=[strip_filter], validators=[Optional()])
    date_from = DateField("From", validators=[Optional()])
    date_to = DateField("To", validators=[Optional()])
    subject_type = SelectField("Subject", choices=[], filters=[strip_filter], validators=[Optional()])
    subject_id = StringField("Subject number", filters=[strip_filter],
                             validators=[Optional(), Length(max=40), Regexp(r"^[A-Za-z0-9_-]*$",
                                                                            message="Use letters and digits only.")])

    def validate_date_to(self, field):
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError("The end date is before the start date.")
