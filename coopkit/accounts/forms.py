from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from coopkit.forms import NoControlCharacters, lower_filter, strip_filter

PASSWORD_HELP = "At least 10 characters. A few unrelated words make a strong password."


def _password(label: str) -> PasswordField:
    return PasswordField(label, validators=[DataRequired(), Length(min=10, max=200, message="Use at least 10 characters (and at most 200).")], description=PASSWORD_HELP)


class SignupForm(FlaskForm):
    name = StringField("Your name", filters=[strip_filter],
                       validators=[DataRequired(), Length(max=120), NoControlCharacters()])
    email = EmailField("Email address", filters=[lower_filter],
                       validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)],
                       description="We send a link to this address to finish creating your account.")


class FinishSignupForm(FlaskForm):
    password = _password("Choose a password")
    confirm = PasswordField("Type the password again",
                            validators=[DataRequired(), EqualTo("password", message="The two passwords differ.")])


class LoginForm(FlaskForm):
    email = EmailField("Email address", filters=[lower_filter],
                       validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])
    remember = BooleanField("Keep me logged in on this device")


class ChangePasswordForm(FlaskForm):
    current = PasswordField("Current password", validators=[DataRequired(), Length(max=200)])
    password = _password("New password")
    confirm = PasswordField("Type the new password again",
                            validators=[DataRequired(), EqualTo("password", message="The two passwords differ.")])


class ResetRequestForm(FlaskForm):
    email = EmailField("Email address", filters=[lower_filter],
                       validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)])


class ResetPasswordForm(FlaskForm):
    password = _password("New password")
    confirm = PasswordField("Type the new password again",
                            validators=[DataRequired(), EqualTo("password", message="The two passwords differ.")])


class ProfileForm(FlaskForm):
    name = StringField("Your name", filters=[strip_filter],
                       validators=[DataRequired(), Length(max=120), NoControlCharacters()])


class ChangeEmailForm(FlaskForm):
    email = EmailField("New email address", filters=[lower_filter],
                       validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)],
                       description="We send a link to this address; your address changes when you open it.")
    current = PasswordField("Current password", validators=[DataRequired(), Length(max=200)])
