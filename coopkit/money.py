"""Money: every amount is held as integer pence; this module is the one place that turns pence
into text and text into pence. Pure (no Flask, no database).

- :func:`format_pence` - "£1,234.50", "-£2.00": registers, ledgers, forms, the ``money`` filter.
- :func:`format_pounds` - "£1,234" for whole pounds, else "£1,234.50": prose such as the rules'
  text, plain-language changes and messages.
- :func:`parse_pence` - what a person typed ("£1", "1.5", "25,000", "12.05") into pence.
"""

from __future__ import annotations

import re
from typing import Any

#: "£" optional, thousands separated by commas or not at all, at most two decimals; at most £999,999,999.99
_AMOUNT_RE = re.compile(r"^£?\s*(\d{1,3}(?:,\d{3}){1,2}|\d{1,9})(?:\.(\d{1,2}))?$")

PARSE_MESSAGE = "Give an amount in pounds, like 1, 25.50 or 25,000."


class MoneyError(ValueError):
    """Text that is not an amount of money; the message is for the person who typed it."""


def parse_pence(text: str | None, message: str = PARSE_MESSAGE) -> int:
    """Pounds as typed -> pence, never negative. Raises :class:`MoneyError` (with ``message``)."""
    match = _AMOUNT_RE.match((text or "").strip())
    if not match:
        raise MoneyError(message)
    pounds, pence = match.groups()
    return int(pounds.replace(",", "")) * 100 + int((pence or "0").ljust(2, "0"))


def format_pence(pence: Any) -> str:
    """Pence -> "£1,234.50" (always two decimals; a negative amount "-£2.00"; None is £0.00)."""
    pence = int(pence or 0)
    sign = "-" if pence < 0 else ""
    pounds, rest = divmod(abs(pence), 100)
    return f"{sign}£{pounds:,}.{rest:02d}"


def format_pounds(pence: Any) -> str:
    """Pence -> "£1,234" when it is whole pounds, else "£1,234.50": for prose."""
    pence = int(pence or 0)
    sign = "-" if pence < 0 else ""
    pounds, rest = divmod(abs(pence), 100)
    return f"{sign}£{pounds:,}" + (f".{rest:02d}" if rest else "")


def as_typed(pence: Any) -> str:
    """Pence -> "1234.50": an amount as a form field shows it for editing."""
    pence = int(pence or 0)
    return f"{pence // 100}.{pence % 100:02d}"
