"""Demo: preston-digital publishes its profile and has issued one buyer pack."""

from __future__ import annotations

from datetime import date

from coopkit.directory import services


def seed(ctx) -> None:
    coop, secretary = ctx.preston_digital, ctx.users[ctx.secretary.email]
    services.save_profile(
        coop, secretary,
        description=("Preston Digital is a worker co-operative of twelve developers, designers and testers. "
                     "We build and look after accessible web services for councils, universities and the NHS."),
        services="Web applications\nAccessibility audits\nUser research\nHosting and support",
        areas="Preston\nLancashire\nNorth West England",
        contact_name="Bids team", contact_email="bids@preston-digital.example.coop",
        website="https://preston-digital.example.coop", workers=14, workers_as_at=date(2026, 11, 1),
        private_emails=set())
    services.publish(coop, secretary)
    services.issue_pack(coop, secretary, signed_by_name=ctx.secretary.full_name)
