"""A secret ballot is secret: nothing coopkit shows, prints, sends, logs or stores links a member
to their choice. The test collects every page (as every role), the minutes PDF, every email,
every log line and every database row, and searches each record for a voter's identity next
to their choice or their receipt code."""

from __future__ import annotations

import html
import io
import json
import logging
import re

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from coopkit.extensions import db
from tests import authz_params
from tests.proposals.conftest import counts, make_open, run_periodic_jobs, time_travel

#: how each method's choices are posted and shown
CASES = {
    "resolution": ({"kind": "written_ordinary"},
                   [("for", "For"), ("against", "Against"), ("abstain", "Abstain")]),
    "poll": ({"kind": "poll", "options": ["Teal paint", "Mustard paint", "Plum paint"]},
             [("0", "Teal paint"), ("1", "Mustard paint"), ("2", "Plum paint")]),
}
BLOCK_END = re.compile(r"(</(tr|li|p|div|h\d|dd|dt|caption|blockquote|title|section|article|header|nav|"
                       r"footer|main)>|<br\s*/?>)", re.I)


def chunks_of_html(page: str) -> list[str]:
    """The page as records: a table row, a list item, a paragraph... one per line of text."""
    flat = re.sub(r"\s+", " ", page)
    flat = BLOCK_END.sub("\n", flat)
    text = html.unescape(re.sub(r"<[^>]+>", " ", flat))
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


def pdf_chunks(data: bytes) -> list[str]:
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return [line.strip() for line in text.splitlines() if line.strip()]


def page_routes(app):
    """Every GET page whose URL needs only the co-op and the proposal number (or nothing)."""
    return [r for r in authz_params.routes(app, methods=("GET",))
            if r.methods and set(r.arguments) <= {"slug", "number"} and r.action is not None]


def collect_pages(app, login, viewers, *, number: int) -> list[tuple[str, str]]:
    """(where, record) for every page as every viewer (None = anonymous)."""
    from flask import url_for

    records = []
    for viewer in viewers:
        client = app.test_client()
        if viewer is not None:
            login(client, viewer)
        for route in page_routes(app):
            values = {k: v for k, v in (("slug", "crew-coop"), ("number", number)) if k in route.arguments}
            with app.test_request_context():
                url = url_for(route.endpoint, **values)
            response = client.get(url)
            where = f"{viewer.name if viewer else 'anonymous'} GET {url}"
            assert response.status_code < 500, where
            if response.mimetype == "application/pdf":
                records += [(where, line) for line in pdf_chunks(response.data)]
            elif response.mimetype.startswith("text/"):   # not an image such as the favicon
                records += [(where, line) for line in chunks_of_html(response.get_data(as_text=True))]
    return records


def mail_chunks(mailbox) -> list[tuple[str, str]]:
    out = []
    for message in mailbox.messages:
        where = f"mail to {message['X-Envelope-To']}: {message['Subject']}"
        for part in message.walk():
            if part.is_multipart():
                continue
            payload = part.get_payload(decode=True) or b""
            out += [(where, line) for line in payload.decode("utf-8", "replace").splitlines() if line.strip()]
        out += [(where, f"{k}: {v}") for k, v in message.items()]
    return out


def database_rows(app) -> list[tuple[str, dict]]:
    with app.app_context():
        rows = []
        for table in db.metadata.sorted_tables:
            for row in db.session.execute(sa.select(table)).mappings():
                rows.append((table.name, dict(row)))
        db.session.remove()
        return rows


def identity(voter, member) -> list[str]:
    return [voter.name, voter.email]


def assert_no_link(records, voters, choices, receipts):
    """No single record names a voter together with their choice or their receipt code."""
    for (user, member), (posted, label), receipt in zip(voters, choices, receipts, strict=True):
        words = [label] + ([] if posted.isdigit() else [posted])
        label_re = re.compile(rf"(?<![\w-])({'|'.join(map(re.escape, words))})(?![\w-])", re.I)
        for where, record in records:
            if any(ident in record for ident in identity(user, member)):
                assert receipt not in record, f"{where}: {record!r} links {user.name} to their receipt"
                assert not label_re.search(record), f"{where}: {record!r} links {user.name} to {label!r}"


@pytest.mark.parametrize("kind", sorted(CASES))
def test_nothing_links_a_member_to_a_secret_choice(app, client, login, crew, make, mailbox, caplog, kind):
    caplog.set_level(logging.DEBUG)
    draft, choices = CASES[kind]
    mentor = make.user(name="Mel Mentor")
    make.cohort(coops=(crew.coop,), mentors=(mentor,))
    outsider = make.user(name="Oz Outsider")
    admin = make.user(name="Ada Admin", is_admin=True)
    voters = crew.people            # Amy, Bo and Cy vote; the secretary and the founder do not
    number, pid = make_open(app, crew, secret=True, title="Decide in secret", **draft)

    receipts = []
    for (user, _), (posted, _label) in zip(voters, choices, strict=True):
        login(client, user)
        response = client.post(f"/c/crew-coop/proposals/{number}/vote", data={"choice": posted, "seen": "0"})
        assert response.status_code == 200 and "Your secret ballot is in" in response.text
        assert "no-store" in response.headers["Cache-Control"]
        receipts.append(re.search(r'class="copyable">([A-Z0-9-]{14})<', response.text).group(1))
    assert counts(app, *_models()) == (3, 0, 0)      # sealed in the ballot box until close
    assert counts(app, _box()) == (3,)

    viewers = [None, outsider, admin, mentor, crew.secretary, *crew.users]
    # while voting is open: no results anywhere, no counted ballots, no minutes
    login(client, voters[0][0])
    assert client.get(f"/c/crew-coop/proposals/{number}/results").status_code == 302
    assert client.get(f"/c/crew-coop/proposals/{number}/ballots").status_code == 404
    assert client.get(f"/c/crew-coop/proposals/{number}/minutes.pdf").status_code == 404
    during = collect_pages(app, login, viewers, number=number)
    for _, label in choices:
        assert not any(re.search(rf"\b{re.escape(label)}\b\W*\d", record) for _, record in during
                       if "Decide in secret" not in record), f"a running count of {label} is shown"
    assert not any("<svg" in record for _, record in during)

    time_travel(app, pid, hours=24 * 10)
    run_periodic_jobs(app)
    after = collect_pages(app, login, viewers, number=number)
    with app.app_context():
        from coopkit.proposals.models import Proposal

        assert db.session.get(Proposal, pid).state == "closed"
        db.session.remove()
    assert any("Minutes" in w or w.endswith("minutes.pdf") for w, _ in after)
    assert any(r.startswith("Turnout") or "Turnout" in r for _, r in after)

    # each voter finds their receipt, counted as cast, in the published list
    for (user, _), (_, label), receipt in zip(voters, choices, receipts, strict=True):
        login(client, user)
        page = client.post(f"/c/crew-coop/proposals/{number}/ballots", data={"receipt": receipt.lower()})
        assert f"Found: ballot {receipt} was counted as “{label}”" in page.text
    wrong = client.post(f"/c/crew-coop/proposals/{number}/ballots", data={"receipt": "AAAA-BBBB-CCCC"})
    assert "No counted ballot has the code AAAA-BBBB-CCCC" in wrong.text
    published = client.get(f"/c/crew-coop/proposals/{number}/ballots").text
    assert all(r in published for r in receipts)

    records = during + after + mail_chunks(mailbox)
    assert any("Outcome" in r for w, r in records if w.startswith("mail"))     # emails were collected
    records += [(f"log {r.name}", r.getMessage()) for r in caplog.records]
    assert any("closed" in r for w, r in records if w.startswith("log"))      # logs were collected
    assert_no_link(records, voters, choices, receipts)
    assert not any(receipt in r for receipt in receipts for w, r in records if w.startswith(("mail", "log")))

    # the database: only the ballots table holds choices, with no member, no time and a random key
    rows = database_rows(app)
    member_ids = {m.id for _, m in voters}
    user_ids = {u.id for u, _ in voters}
    ballots = [row for table, row in rows if table == "ballots"]
    assert len(ballots) == 3
    assert all(set(row) == {"id", "proposal_id", "member_id", "receipt", "choice"} for row in ballots)
    assert all(row["member_id"] is None and re.fullmatch(r"[0-9a-f]{32}", row["id"]) for row in ballots)
    assert sorted(row["receipt"] for row in ballots) == sorted(receipts)
    for table, row in rows:
        if table == "ballots":
            continue
        names_voter = any(row.get(col) in member_ids for col in ("member_id", "proposer_member_id")) or any(
            row.get(col) in user_ids for col in ("actor_id", "user_id", "author_id", "created_by_id")) or any(
            isinstance(v, str) and any(u.name in v or u.email in v for u, _ in voters) for v in row.values())
        text = json.dumps(row, default=str)
        assert not any(receipt in text for receipt in receipts), f"{table} row {row} holds a receipt code"
        assert "choice" not in row, f"{table} has a choice column"
        if names_voter:
            assert '"choice' not in text and "choice\\" not in text, f"{table} row {row} records a choice"
            for posted, _ in choices:
                assert f'\\"{posted}\\"' not in text, f"{table} row {row} holds {posted!r}"


def _models():
    from coopkit.proposals.models import Ballot, BallotChange, Participation

    return Participation, Ballot, BallotChange


def _box():
    from coopkit.proposals.models import BallotBox

    return BallotBox


def test_the_checker_would_catch_a_leak():
    """The search itself can fail: a record naming a voter beside their choice or receipt."""

    class Who:
        name, email = "Amy Adams", "amy@example.org"

    with pytest.raises(AssertionError):
        assert_no_link([("page", "Amy Adams For")], [(Who, None)], [("for", "For")], ["ABCD-EFGH-JKLM"])
    with pytest.raises(AssertionError):
        assert_no_link([("mail", "amy@example.org ABCD-EFGH-JKLM")], [(Who, None)], [("for", "For")],
                       ["ABCD-EFGH-JKLM"])
    assert_no_link([("page", "Amy Adams"), ("page", "For 1")], [(Who, None)], [("for", "For")], ["ABCD-EFGH-JKLM"])
    assert chunks_of_html("<table><tr><td>Amy Adams</td>\n<td>For</td></tr><tr><td>Bo</td></tr></table>") == [
        "Amy Adams For", "Bo"]


def test_secret_vote_cannot_be_changed_and_open_history_is_kept(app, client, login, crew):
    amy = crew.users[0]
    make_open(app, crew, secret=True)
    login(client, amy)
    client.post("/c/crew-coop/proposals/1/vote", data={"choice": "for", "seen": "0"})
    again = client.post("/c/crew-coop/proposals/1/vote", data={"choice": "against", "seen": "1"})
    assert "a secret vote can" in again.text.lower().replace("&#39;", "'") and "Your vote was not recorded" in again.text
    assert counts(app, *_models(), _box()) == (1, 0, 0, 1)


def test_small_electorate_warning(app, client, login, make):
    from tests.proposals.conftest import Crew

    founder = make.user(name="Tiny Founder")
    coop = make.coop(founder, stage="registered", slug="tiny-coop")
    sec, _ = make.secretary(coop)
    other = make.user(name="Tiny Two")
    make.member(coop, other)
    tiny = Crew(coop, sec, [(other, None)])
    make_open(app, tiny, secret=True)
    login(client, other)
    for path in ("/c/tiny-coop/proposals/1", "/c/tiny-coop/proposals/1/vote"):
        text = client.get(path).text
        assert re.search(r"Only 3 people (are on the voter roll|can vote)", text), path
        assert "how individuals voted" in text, path
    make_open(app, tiny, secret=False)
    assert "Only 3 people" not in client.get("/c/tiny-coop/proposals/2").text


def test_no_warning_for_a_larger_roll(app, client, login, crew, make):
    for _ in range(2):
        make.member(crew.coop)
    make_open(app, crew, secret=True)
    login(client, crew.users[0])
    assert "Only" not in client.get("/c/crew-coop/proposals/1/vote").text
