"""`coopkit demo` prints every log-in a tester needs: a table of role, co-op and email."""

from __future__ import annotations

import sqlalchemy as sa

from coopkit.extensions import db


def test_the_demo_prints_every_account_with_its_role_and_co_op(app):
    from coopkit import demo
    from coopkit.accounts.models import User

    with app.app_context():
        assert demo.seed() is True
        db.session.commit()
        emails = db.session.execute(sa.select(User.email)).scalars().all()
        text = demo.logins_text()
    assert demo.DEMO_PASSWORD in text
    lines = text.splitlines()
    header = next(line for line in lines if line.split()[:3] == ["role", "co-op", "email"])
    assert header
    for email in emails:  # every account that exists can be logged into from the table
        assert sum(email in line for line in lines) >= 1, email
    dana = next(line for line in lines if "dana@preston-digital.example" in line)
    assert "secretary" in dana and "preston-digital" in dana
    asha = next(line for line in lines if "asha@northern-pixels.example" in line)
    assert "founder" in asha and "northern-pixels" in asha
    assert any("platform admin" in line for line in lines)
    assert any(line.strip().startswith("mentor") for line in lines)
