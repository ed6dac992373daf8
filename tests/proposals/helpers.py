"""Set-up shared by the proposals tests and their route-walk builders."""

from __future__ import annotations

from datetime import date

from coopkit.extensions import db


def rules_in_force(app, coop, user, *, registered: bool = True, answers: dict | None = None) -> int:
    """Give ``coop`` rules made from complete founding answers, adopted (and registered when
    ``registered``), as the rules pages would. Returns the version's id.

    The compliance check at adoption is the rules feature's concern (tested there); a test
    co-op may have fewer founders than it wants, so the version is marked adopted directly."""
    from coopkit.accounts.models import User
    from coopkit.coops.models import Coop
    from coopkit.rules.services import generate_draft
    from tests.rules.helpers import save_answers

    save_answers(app, coop, user, answers)
    with app.app_context():
        version, _ = generate_draft(db.session.get(Coop, coop.id), db.session.get(User, user.id))
        version.status = "registered" if registered else "adopted"
        version.adopted_on = date(2024, 2, 20)
        if registered:
            version.registered_on = date(2024, 3, 1)
        db.session.commit()
        version_id = version.id
        db.session.remove()
        return version_id
