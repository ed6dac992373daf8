"""The notice by email: every member entitled gets it, with a calendar file and the notice PDF,
whose text sets out each resolution's exact words and kind and cites the rules."""

from __future__ import annotations

import io

from tests.meetings.helpers import call


def pdf_text(data: bytes) -> str:
    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(data))
    return " ".join(" ".join((page.extract_text() or "") for page in reader.pages).split())


def test_notice_goes_to_every_member_with_an_ics_and_a_pdf(app, assembly, mailbox):
    call(app, assembly, days=20, send=True, items=[
        dict(title="Receive the accounts", item_type="business"),
        dict(title="Change the leaving notice", item_type="resolution", kind="special",
             resolution_text="That the rules are amended so that a member gives 21 days' notice to leave.")])
    assert len(mailbox.messages) == 7
    addresses = {m["X-Envelope-To"] for m in mailbox.messages}
    assert assembly.secretary.email in addresses and assembly.user(5).email in addresses
    message = mailbox.to(assembly.user(1).email)[0]
    assert message["Subject"] == "Notice of meeting: Members' meeting"
    body = mailbox.body(message)
    assert "Special resolution: That the rules are amended" in body and "proxy" in body
    parts = {part.get_filename(): part for part in message.walk() if part.get_filename()}
    assert set(parts) == {"meeting-1.ics", "notice-meeting-1.pdf"}
    ics = parts["meeting-1.ics"].get_payload(decode=True).decode()
    assert "BEGIN:VEVENT" in ics and "DTSTART:" in ics and "Members' meeting" in ics
    text = pdf_text(parts["notice-meeting-1.pdf"].get_payload(decode=True))
    assert "That the rules are amended so that a member gives 21 days' notice to leave." in text
    assert "as a special resolution" in text
    assert "Rule " in text and "notice of general meetings: at least 14 clear days" in text
    assert "proxies" in text
