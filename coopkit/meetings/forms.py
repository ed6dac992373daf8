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
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from coopkit.forms import NoControlCharacters, choices, strip_filter
from coopkit.meetings.memberitems import HEARD
from coopkit.meetings.models import MEETING_KINDS, MODES
from coopkit.meetings.procedure import KIND_LABELS, STATUTORY_PURPOSES
from coopkit.proposals.forms import add_change_rows

TEXT = [Length(max=4000), NoControlCharacters()]


class MeetingForm(FlaskForm):
    title = StringField("Title", filters=[strip_filter], validators=[DataRequired(), Length(max=200),
                                                                    NoControlCharacters()],
                        description="For example: Annual general meeting 2026.")
    kind = RadioField("Kind of meeting", default="general", choices=choices(MEETING_KINDS.items()))
    starts_at = DateTimeLocalField("Starts (UK time)", format="%Y-%m-%dT%H:%M",
                                   validators=[InputRequired(message="Give the date and time.")],
                                   description="Your rules' notice in clear days decides the earliest date: "
                                               "neither the day notice is sent nor the meeting day counts.")
    mode = RadioField("How members take part", default="in_person", choices=choices(MODES.items()))
    place = TextAreaField("Where members meet in person", filters=[strip_filter], validators=[Optional(), *TEXT])
    online_details = TextAreaField("How to join online", filters=[strip_filter], validators=[Optional(), *TEXT],
                                   description="The video link or dial-in members will be sent with the notice.")


class RequisitionForm(MeetingForm):
    requisition_text = TextAreaField("The business the meeting is asked to deal with", filters=[strip_filter],
                                     validators=[DataRequired(), *TEXT])


class ItemForm(FlaskForm):
    title = StringField("Agenda item", filters=[strip_filter],
                        validators=[DataRequired(), Length(max=200), NoControlCharacters()])
    item_type = RadioField("Type", default="resolution", choices=choices([
        ("resolution", "A resolution to vote on"), ("business", "Business to receive (a report, the accounts)"),
        ("minutes", "Approve the minutes of an earlier meeting")]))
    kind = SelectField("Kind of resolution", choices=choices(KIND_LABELS.items()), default="ordinary")
    resolution_text = TextAreaField("Exact words of the resolution", filters=[strip_filter],
                                    validators=[Optional(), *TEXT],
                                    description="Printed in the notice and the minutes, e.g. That the co-op "
                                                "opens a second bank account.")
    purpose = SelectField("Statutory special resolution for", default="",
                          choices=choices([("", "(not a statutory special resolution)"),
                                           *STATUTORY_PURPOSES.items()]))
    confirms_item_id = SelectField("Statutory special resolution confirmed", default="", choices=[])
    approves_meeting_id = SelectField("Minutes of", default="", choices=[])
    secret = BooleanField("Vote by secret poll")


#: a special resolution that amends the rules: up to three changes, each checked against the law
add_change_rows(ItemForm)


class MemberItemForm(FlaskForm):
    kind = RadioField("The resolution", choices=[], validators=[InputRequired(message="Choose what is to be decided.")])
    member = SelectField("Member concerned (expulsion or admission)", choices=[], default="")
    reasons = TextAreaField("Reasons for the proposal to expel", filters=[strip_filter],
                            validators=[Optional(), *TEXT],
                            description="The member must be told them in writing; they are printed in the notice.")
    notified_on = DateField("Written notice given to the member on", validators=[Optional()],
                            description="Your rules need this at least the clear days shown before the meeting.")
    email_notice = BooleanField("Email the written notice with the reasons to the member now")
    seats = IntegerField("Directors to elect", validators=[Optional(), NumberRange(1, 15)])
    secret = BooleanField("Vote by secret poll")


class ReplyForm(FlaskForm):
    reply = TextAreaField("The member's written reply", filters=[strip_filter], validators=[Optional(), *TEXT])
    none_given = BooleanField("The member gave no written reply")


class HearingForm(FlaskForm):
    heard = RadioField("At the meeting, the member", choices=choices(HEARD.items()),
                       validators=[InputRequired(message="Choose whether the member attended and spoke.")])


class NominationForm(FlaskForm):
    member = SelectField("Member standing", choices=[], validators=[DataRequired()])
    nominated_on = DateField("Nomination received in writing on", validators=[InputRequired(
        message="Give the day the nomination reached the secretary.")])


class NoticeForm(FlaskForm):
    short_notice = BooleanField("Send at short notice (the meeting can start only once enough members agree)")


class ProxyForm(FlaskForm):
    holder = SelectField("Member who will hold your proxy", choices=[], validators=[DataRequired()])


class AttendanceForm(FlaskForm):
    member = SelectField("Member", choices=[], validators=[DataRequired()])
    status = SelectField("How they take part", choices=choices([("in_person", "Present in person"),
                                                        ("online", "Present online"), ("apologies", "Apologies")]))


class MemberForm(FlaskForm):
    member = SelectField("Member", choices=[], validators=[DataRequired()])


class StartForm(FlaskForm):
    chair = SelectField("Chair", choices=[], validators=[DataRequired()])


class HandsForm(FlaskForm):
    votes_for = IntegerField("For", validators=[InputRequired(), NumberRange(0, 100000)])
    votes_against = IntegerField("Against", validators=[InputRequired(), NumberRange(0, 100000)])
    votes_abstain = IntegerField("Abstaining", default=0, validators=[Optional(), NumberRange(0, 100000)])


class PollForm(FlaskForm):
    secret = BooleanField("Secret ballot")


class VoteForm(FlaskForm):
    choice = RadioField("Your vote", choices=choices([("for", "For"), ("against", "Against"),
                                                      ("abstain", "Abstain")]),
                        validators=[InputRequired(message="Choose for, against or abstain.")])
    for_member = HiddenField()


class NoteForm(FlaskForm):
    note = TextAreaField("What the meeting recorded", filters=[strip_filter], validators=[Optional(), *TEXT],
                         description="For example: The accounts for 2025 were received.")
