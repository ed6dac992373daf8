"""Demo rules (runs after the founding journey's demo answers are saved).

preston-digital: its rules were generated from its answers, adopted at the founding
meeting and registered by the FCA (version 1, in force).
northern-pixels: half-way through the journey, a draft with one compliance gap (the
registered office is not answered yet, so the text shows a marked gap there).
"""

from __future__ import annotations

from datetime import date

from coopkit.rules import services

PRESTON_ADOPTED_ON = date(2024, 2, 20)
PRESTON_REGISTERED_ON = date(2024, 3, 1)


def seed(ctx) -> None:
    secretary = ctx.users[ctx.secretary.email]
    version, _ = services.generate_draft(ctx.preston_digital, secretary)
    services.adopt_version(version, on=PRESTON_ADOPTED_ON, actor=secretary)
    services.register_version(version, PRESTON_REGISTERED_ON, secretary)

    founder = next(u for email, u in ctx.users.items() if email.endswith("@northern-pixels.example"))
    services.generate_draft(ctx.northern_pixels, founder)
