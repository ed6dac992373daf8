"""Form pieces shared by every feature."""

from __future__ import annotations

from datetime import date

import wtforms
from wtforms import Field, ValidationError
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import TextInput

from coopkit.money import MoneyError, as_typed, parse_pence

#: the dates a form accepts: far enough back for a date of birth, far enough ahead for any
#: plan, and clear of the calendar's ends (date arithmetic on 9999-12-31 overflows)
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2199, 12, 31)


class DateField(wtforms.DateField):
    """A date field that refuses dates before 1900 or after 2199 with a message."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None and not (EARLIEST_DATE <= self.data <= LATEST_DATE):
            self.data = None
            raise ValueError(f"Give a date between {EARLIEST_DATE.year} and {LATEST_DATE.year}.")


def digits(text) -> bool:
    """Whether ``text`` is a whole number written in the digits 0-9 only. (``str.isdigit`` also
    accepts characters such as "²" that ``int()`` refuses, which would answer a 500.)"""
    return isinstance(text, str) and text.isascii() and text.isdigit()


def strip_filter(value):
    return value.strip() if isinstance(value, str) else value


def lower_filter(value):
    return value.strip().lower() if isinstance(value, str) else value


class NoControlCharacters:
    """Refuse NUL and other control characters (they break PDFs and some databases)."""

    def __call__(self, form, field):
        data = field.data
        if isinstance(data, str) and any(ord(c) < 32 and c not in "\r\n\t" for c in data):
            raise ValidationError("This field contains characters that can't be stored.")


def choices(pairs) -> list:
    """``(value, label)`` pairs as the SelectChoice objects WTForms 3.3 wants.

    Values become strings; a field with ``coerce=int`` still compares them correctly.
    """
    return [SelectChoice(str(value), label) for value, label in pairs]


class MoneyField(Field):
    """An amount typed in pounds, held as integer pence in ``data`` (see :mod:`coopkit.money`)."""

    widget = TextInput()

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        if isinstance(self.data, int):
            return as_typed(self.data)
        return ""

    def process_formdata(self, valuelist):
        if valuelist:
            try:
                self.data = parse_pence(valuelist[0])
            except MoneyError as exc:
                self.data = None
                raise ValueError(str(exc)) from None
