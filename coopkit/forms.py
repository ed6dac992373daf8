"""Form pieces shared by every feature."""

from __future__ import annotations

from wtforms import ValidationError


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
    from wtforms.fields.choices import SelectChoice

    return [SelectChoice(str(value), label) for value, label in pairs]
