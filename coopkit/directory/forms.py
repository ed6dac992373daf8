"""Forms for the public profile and the buyer pack."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, EmailField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional

from coopkit.forms import NoControlCharacters, lower_filter, strip_filter


class ProfileForm(FlaskForm):
    description = TextAreaField(
        "What the co-op does", filters=[strip_filter],
        validators=[DataRequired("Say in a few sentences what the co-op does."), Length(max=2000),
                    NoControlCharacters()],
        description="A paragraph for buyers: the work you do and for whom. Up to 2,000 characters.")
    services = TextAreaField(
        "Services", filters=[strip_filter], validators=[DataRequired("List at least one service."),
                                                        Length(max=1000), NoControlCharacters()],
        description="One per line, e.g. Web applications. Buyers search the directory by these words.")
    areas = TextAreaField(
        "Areas served", filters=[strip_filter], validators=[Optional(), Length(max=500), NoControlCharacters()],
        description="One per line, e.g. Preston or Lancashire.")
    contact_name = StringField(
        "Contact name or team", filters=[strip_filter], validators=[Optional(), Length(max=120),
                                                                    NoControlCharacters()],
        description="Shown to buyers, e.g. Bids team.")
    contact_email = EmailField(
        "Contact email", filters=[lower_filter],
        validators=[Optional(), Email("Give an email address such as hello@example.coop."), Length(max=254)],
        description="A shared address for the co-op, not a member's own.")
    website = StringField(
        "Website", filters=[strip_filter], validators=[Optional(), Length(max=300), NoControlCharacters()],
        description="A full address starting with https://")
    workers = IntegerField(
        "Workers the co-op employs", validators=[Optional(), NumberRange(min=0, max=100000,
                                                                        message="Give a whole number of workers.")],
        description="Everyone who works for the co-op, members or not: buyers see the share who are members.")
    workers_as_at = DateField(
        "Date of that figure", validators=[Optional()], description="The day the number of workers is for.")


class PackForm(FlaskForm):
    signed_by_name = StringField(
        "Signed by (the secretary)", filters=[strip_filter],
        validators=[InputRequired("Give the name of the secretary who signs the statement."), Length(max=160),
                    NoControlCharacters()])


class VerifyForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form that only reads

    code = StringField("Verification code", filters=[strip_filter],
                       validators=[InputRequired("Type the code printed on the pack."), Length(max=40)],
                       description="Twelve letters and digits, as printed on the pack, e.g. K7QX-3M9P-T2HD.")
