"""Forms for the registers."""

from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional, ValidationError

from coopkit.coops.models import OFFICES
from coopkit.forms import (
    DateField,
    MoneyField,
    NoControlCharacters,
    choices,
    lower_filter,
    strip_filter,
)

CLASS_CHOICES = choices([("voting", "Voting member"), ("non_voting", "Non-voting member")])
OFFICE_CHOICES = choices((o, o.capitalize()) for o in OFFICES)


def not_future(form, field):
    if field.data and field.data > date.today():
        raise ValidationError("This date can't be in the future.")


class DateOnlyForm(FlaskForm):
    on = DateField("Date", validators=[InputRequired(message="Give a date.")], default=date.today)


class ProbationEndForm(FlaskForm):
    on = DateField("Date probation ended", validators=[InputRequired(message="Give a date.")], default=date.today,
                   description="The day the applicant completed probation; admission can follow.")


class AdmitForm(FlaskForm):
    on = DateField("Date of admission", validators=[InputRequired(message="Give a date.")], default=date.today)
    by_proposal = SelectField("Approved by", coerce=int, choices=[], default=0, validators=[Optional()],
                              description="Where the rules make admission a members' decision, choose the "
                                          "proposal that passed it.")


class ApplicantForm(FlaskForm):
    full_name = StringField("Full name", filters=[strip_filter],
                            validators=[DataRequired(), Length(max=160), NoControlCharacters()])
    email = EmailField("Email address", filters=[lower_filter],
                       validators=[Optional(), Email(check_deliverability=False), Length(max=254)])
    consents_to_electronic = BooleanField("They agree to receive notices by email at this address")
    postal_address = TextAreaField("Postal address", filters=[strip_filter],
                                   validators=[Optional(), Length(max=500), NoControlCharacters()],
                                   description="Kept private: only the member and the secretary see it.")
    member_class = SelectField("Class of membership", choices=CLASS_CHOICES, default="voting",
                               description="A non-voting class exists only where the rules allow it.")
    applied_on = DateField("Date of application", validators=[InputRequired(message="Give a date."), not_future],
                           default=date.today)
    date_of_birth = DateField("Date of birth (optional)", validators=[Optional(), not_future],
                              description="Needed for anti-money-laundering checks on officers. Private.")
    address_since = DateField("Living at this address since (optional)", validators=[Optional(), not_future])


class CorrectionForm(FlaskForm):
    full_name = StringField("Full name", filters=[strip_filter],
                            validators=[DataRequired(), Length(max=160), NoControlCharacters()])
    email = EmailField("Email address", filters=[lower_filter],
                       validators=[Optional(), Email(check_deliverability=False), Length(max=254)])
    consents_to_electronic = BooleanField("Agrees to receive notices by email at this address")
    postal_address = TextAreaField("Postal address", filters=[strip_filter],
                                   validators=[Optional(), Length(max=500), NoControlCharacters()])
    member_class = SelectField("Class of membership", choices=CLASS_CHOICES)
    admitted_on = DateField("Date entered on the register", validators=[Optional()])
    ceased_on = DateField("Date ceased", validators=[Optional()])
    date_of_birth = DateField("Date of birth", validators=[Optional(), not_future])
    address_since = DateField("Living at this address since", validators=[Optional(), not_future])
    reason = StringField("Reason for the change", filters=[strip_filter],
                         validators=[DataRequired(message="Say why the entry changes."), Length(max=300),
                                     NoControlCharacters()],
                         description="Kept with the change in the entry's history.")


class ContactForm(FlaskForm):
    email = EmailField("Email address", filters=[lower_filter],
                       validators=[Optional(), Email(check_deliverability=False), Length(max=254)])
    consents_to_electronic = BooleanField("I agree to receive notices by email at this address")
    postal_address = TextAreaField("Postal address", filters=[strip_filter],
                                   validators=[DataRequired(), Length(max=500), NoControlCharacters()])
    date_of_birth = DateField("Date of birth (optional)", validators=[Optional(), not_future])
    address_since = DateField("Living at this address since (optional)", validators=[Optional(), not_future])
    reason = StringField("What changed (optional)", filters=[strip_filter],
                         validators=[Optional(), Length(max=300), NoControlCharacters()])


class CeaseForm(FlaskForm):
    on = DateField("Date ceased", validators=[InputRequired(message="Give a date.")], default=date.today)
    reason = SelectField("Why the membership ends", choices=[], validators=[DataRequired()])
    shares = RadioField("Their shares", choices=[], default="withdraw", validators=[DataRequired()])
    transfer_to = SelectField("Transfer the shares to", coerce=int, choices=[], validators=[Optional()])
    by_proposal = SelectField("Resolution", coerce=int, choices=[], default=0, validators=[Optional()],
                              description="An expulsion needs the special resolution that passed it.")


class ShareForm(FlaskForm):
    member_id = SelectField("Member", coerce=int, choices=[], validators=[InputRequired()])
    amount = MoneyField("Amount (£)", validators=[InputRequired(message="Give an amount.")],
                        description="In pounds; a whole number of shares.")
    on = DateField("Date", validators=[InputRequired(message="Give a date.")], default=date.today)
    note = StringField("Note (optional)", filters=[strip_filter], validators=[Optional(), Length(max=300),
                                                                             NoControlCharacters()])


class WithdrawForm(ShareForm):
    notice_given_on = DateField("Written notice given on", validators=[Optional(), not_future],
                                description="The day the member gave written notice to withdraw. The one share "
                                            "every member holds stays until they leave.")


class TransferForm(FlaskForm):
    from_member_id = SelectField("From", coerce=int, choices=[], validators=[InputRequired()])
    to_member_id = SelectField("To", coerce=int, choices=[], validators=[InputRequired()])
    amount = MoneyField("Amount (£)", validators=[InputRequired(message="Give an amount.")])
    on = DateField("Date", validators=[InputRequired(message="Give a date.")], default=date.today)
    note = StringField("Note (optional)", filters=[strip_filter], validators=[Optional(), Length(max=300),
                                                                             NoControlCharacters()])


class PropertyForm(FlaskForm):
    kind = SelectField("Kind", choices=choices([("loan", "Loan to the co-op"), ("deposit", "Deposit")]))
    direction = RadioField("What happened", choices=choices([("in", "Money received from the member"),
                                                             ("out", "Money repaid to the member")]),
                           default="in")
    amount = MoneyField("Amount (£)", validators=[InputRequired(message="Give an amount.")])
    on = DateField("Date", validators=[InputRequired(message="Give a date.")], default=date.today)
    note = StringField("Terms (optional)", filters=[strip_filter], validators=[Optional(), Length(max=300),
                                                                              NoControlCharacters()],
                       description="For example: 3% a year, repayable on three months' notice.")


class AppointForm(FlaskForm):
    member_id = SelectField("Member", coerce=int, choices=[], validators=[InputRequired()])
    office = SelectField("Office", choices=OFFICE_CHOICES)
    on = DateField("Appointed on", validators=[InputRequired(message="Give a date.")], default=date.today)


class OtherOfficerForm(FlaskForm):
    name = StringField("Full name", filters=[strip_filter],
                       validators=[DataRequired(message="Give the officer's full name."), Length(max=160),
                                   NoControlCharacters()])
    office = SelectField("Office", choices=choices([("secretary", "Secretary"), ("manager", "Manager")]))
    on = DateField("Appointed on", validators=[InputRequired(message="Give a date."), not_future], default=date.today)
    service_address = TextAreaField("Address for the register", filters=[strip_filter],
                                    validators=[Optional(), Length(max=500), NoControlCharacters()])


class PscForm(FlaskForm):
    member_id = SelectField("Member", coerce=int, choices=[], validators=[InputRequired()])
    nature = StringField("Nature of control", filters=[strip_filter],
                         default="Holds more than 25% of the voting rights (one member, one vote)",
                         validators=[DataRequired(message="Say how they have significant control."),
                                     Length(max=300), NoControlCharacters()])
    became_on = DateField("From", validators=[InputRequired(message="Give a date."), not_future], default=date.today)


class ImportForm(FlaskForm):
    file = FileField("CSV file")
    csv_text = HiddenField()


def _text(label: str, limit: int, **kwargs) -> StringField:
    return StringField(label, filters=[strip_filter], validators=[Optional(), Length(max=limit), NoControlCharacters()],
                       **kwargs)


class OfficerParticularsForm(FlaskForm):
    """A director's particulars (Companies Act 2006 ss.162-163) or an officer's, and the dates."""

    person_name = _text("Full name", 160)
    former_names = _text("Former names (if any)", 160,
                         description="Any name used for business in the past, other than a married name.")
    service_address = TextAreaField("Service address", filters=[strip_filter],
                                    validators=[Optional(), Length(max=1000), NoControlCharacters()],
                                    description="Shown in the register: where documents can be sent. It can be "
                                                "the registered office.")
    residential_address = TextAreaField("Usual residential address", filters=[strip_filter],
                                        validators=[Optional(), Length(max=1000), NoControlCharacters()],
                                        description="Private: only the secretary sees it.")
    date_of_birth = DateField("Date of birth", validators=[Optional(), not_future],
                              description="The register shows the month and year only; the full date is private.")
    nationality = _text("Nationality", 80)
    country_of_residence = _text("Country or state of usual residence", 80)
    occupation = _text("Business occupation", 120)
    appointed_on = DateField("Date appointed", validators=[InputRequired(message="Give the date of appointment."),
                                                           not_future])
    ceased_on = DateField("Date ceased", validators=[Optional(), not_future])
    reason = StringField("Reason for the change", filters=[strip_filter],
                         validators=[Optional(), Length(max=300), NoControlCharacters()],
                         description="Needed when you correct something already entered: the old value is kept "
                                     "with your reason.")
