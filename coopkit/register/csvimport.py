"""Reading a register of members from CSV: a pure core with no Flask or database import.

Every row is checked and every problem is reported with its line number; the
caller writes nothing unless the whole file is valid.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from coopkit.money import parse_pence

COLUMNS = ("full_name", "email", "consents_to_electronic", "postal_address", "status", "member_class",
           "admitted_on", "ceased_on", "ceased_reason", "shares")
REQUIRED_COLUMNS = ("full_name",)
STATUSES = ("member", "applicant", "ceased")
REASONS = ("resigned", "left_employment", "expelled", "died", "withdrew_application")
YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0", ""}
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_ROWS = 10_000


@dataclass
class ImportRow:
    line: int
    full_name: str
    email: str | None
    consents_to_electronic: bool
    postal_address: str
    status: str
    member_class: str
    admitted_on: date | None
    ceased_on: date | None
    ceased_reason: str | None
    shares_pence: int


@dataclass
class ImportResult:
    rows: list[ImportRow] = field(default_factory=list)
    #: line number (1 is the header) -> problems on that line; 0 for the file as a whole
    errors: dict[int, list[str]] = field(default_factory=dict)
    #: the raw cells of every data line, for the preview
    raw: list[tuple[int, dict[str, str]]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)

    def add(self, line: int, message: str) -> None:
        self.errors.setdefault(line, []).append(message)


def parse_date(text: str) -> date:
    text = text.strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"'{text}' is not a date (use 2024-03-01 or 01/03/2024)")


def parse_pounds(text: str) -> int:
    return parse_pence(text, f"'{text}' is not an amount in pounds (like 1 or 1.00)")


def parse_members_csv(text: str, *, existing_emails: set[str], non_voting_allowed: bool,
                      share_value_pence: int, max_holding_pence: int, today: date) -> ImportResult:
    """Check every row of a members CSV. Nothing is written: the caller does that if ``ok``."""
    result = ImportResult()
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\x00" in text:
        result.add(0, "The file contains characters that can't be stored (is it really a CSV file?).")
        return result
    reader = csv.DictReader(io.StringIO(text))
    headers = [h.strip().lower() for h in (reader.fieldnames or [])]
    if not headers:
        result.add(0, "The file is empty.")
        return result
    missing = [c for c in REQUIRED_COLUMNS if c not in headers]
    unknown = [h for h in headers if h not in COLUMNS]
    if missing:
        result.add(1, "Missing column: " + ", ".join(missing) + ".")
    if unknown:
        result.add(1, "Unknown column: " + ", ".join(unknown) + ". The columns are: " + ", ".join(COLUMNS) + ".")
    if missing or unknown:
        return result
    reader.fieldnames = headers
    seen_emails: dict[str, int] = {}
    for index, raw in enumerate(reader):
        line = index + 2
        if index >= MAX_ROWS:
            result.add(line, f"A file may hold at most {MAX_ROWS} members.")
            break
        if None in raw:
            result.add(line, "This line has more cells than there are columns.")
            continue
        cells = {k: (v or "").strip() for k, v in raw.items()}
        result.raw.append((line, cells))
        row = _check_row(line, cells, result, existing_emails, seen_emails, non_voting_allowed,
                         share_value_pence, max_holding_pence, today)
        if row is not None:
            result.rows.append(row)
    if not result.raw and not result.errors:
        result.add(0, "The file has a header line but no members.")
    return result


def _check_row(line, cells, result, existing_emails, seen_emails, non_voting_allowed, share_value_pence,
               max_holding_pence, today) -> ImportRow | None:
    problems_before = len(result.errors.get(line, []))

    def problem(message):
        result.add(line, message)

    name = cells.get("full_name", "")
    if not name:
        problem("The name is missing.")
    elif len(name) > 160:
        problem("The name is longer than 160 characters.")
    if any(ord(c) < 32 and c not in "\r\n\t" for text in cells.values() for c in text):
        problem("A cell contains control characters.")
    email = cells.get("email", "").lower() or None
    if email:
        if not EMAIL_RE.match(email) or len(email) > 254:
            problem(f"'{email}' is not an email address.")
        elif email in existing_emails:
            problem(f"{email} is already in the register.")
        elif email in seen_emails:
            problem(f"{email} is also on line {seen_emails[email]}.")
        else:
            seen_emails[email] = line
    consent_text = cells.get("consents_to_electronic", "").lower()
    consents = consent_text in YES
    if consent_text not in YES | NO:
        problem("consents_to_electronic must be yes or no.")
    if consents and not email:
        problem("Consent to electronic communication needs an email address.")
    if len(cells.get("postal_address", "")) > 500:
        problem("The postal address is longer than 500 characters.")
    status = cells.get("status", "").lower() or "member"
    if status not in STATUSES:
        problem(f"status must be one of {', '.join(STATUSES)}.")
    member_class = cells.get("member_class", "").lower() or "voting"
    if member_class not in ("voting", "non_voting"):
        problem("member_class must be voting or non_voting.")
    elif member_class == "non_voting" and not non_voting_allowed:
        problem("The rules have no non-voting class.")
    dates = {}
    for key in ("admitted_on", "ceased_on"):
        if cells.get(key):
            try:
                dates[key] = parse_date(cells[key])
            except ValueError as exc:
                problem(f"{key}: {exc}.")
                continue
            if dates[key] > today:
                problem(f"{key} is in the future.")
    admitted, ceased = dates.get("admitted_on"), dates.get("ceased_on")
    if status in ("member", "ceased") and not admitted and "admitted_on" not in _errored(result, line):
        problem("admitted_on is needed for a member.")
    if status == "applicant" and (cells.get("admitted_on") or cells.get("ceased_on")):
        problem("An applicant has no admitted_on or ceased_on.")
    if status == "ceased":
        if not ceased and "ceased_on" not in _errored(result, line):
            problem("ceased_on is needed for a former member.")
        reason = cells.get("ceased_reason", "").lower()
        if reason not in REASONS:
            problem(f"ceased_reason must be one of {', '.join(REASONS)}.")
    elif cells.get("ceased_on") or cells.get("ceased_reason"):
        problem("Only a former member (status ceased) has ceased_on or ceased_reason.")
    if admitted and ceased and ceased < admitted:
        problem("ceased_on is before admitted_on.")
    shares = 0
    if cells.get("shares"):
        try:
            shares = parse_pounds(cells["shares"])
        except ValueError as exc:
            problem(f"shares: {exc}.")
        else:
            if share_value_pence and shares % share_value_pence:
                problem("shares must be a whole number of shares.")
            if max_holding_pence and shares > max_holding_pence:
                problem("shares are above the largest holding the rules allow.")
            if shares and status == "applicant":
                problem("An applicant holds no shares yet.")
    if len(result.errors.get(line, [])) > problems_before:
        return None
    return ImportRow(line=line, full_name=name, email=email, consents_to_electronic=consents,
                     postal_address=cells.get("postal_address", ""), status=status, member_class=member_class,
                     admitted_on=admitted, ceased_on=ceased,
                     ceased_reason=cells.get("ceased_reason", "").lower() or None, shares_pence=shares)


def _errored(result: ImportResult, line: int) -> str:
    return " ".join(result.errors.get(line, []))


def template_csv() -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    writer.writerow(["Ada Example", "ada@example.org", "yes", "1 Example Street, Preston PR1 1AA", "member",
                     "voting", "2024-03-01", "", "", "1.00"])
    return out.getvalue()
