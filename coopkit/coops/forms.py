from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional

from coopkit.forms import NoControlCharacters, lower_filter, strip_filter


class NewCoopForm(FlaskForm):
    name = StringField("Working name of your co-op", filters=[strip_filter],
                       validators=[DataRequired(), Length(min=2, max=160), NoControlCharacters()],
                       description="You can change it later in the founding journey.")
    slug = StringField("Web address", filters=[lower_filter],
                       validators=[Optional(), Length(max=60)],
                       description="Lower-case letters, digits and hyphens: your workspace will be at /c/<address>/. "
                                   "Leave empty and we suggest one from the name.")


class InviteForm(FlaskForm):
    email = EmailField("Their email address", filters=[lower_filter],
                       validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)])


class EmptyForm(FlaskForm):
    """A form with only the CSRF token: for buttons that change something."""
