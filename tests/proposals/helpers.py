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


def rules_with(app, coop_id: int, legal_form: str = "society", **params) -> int:
    """Give the co-op registered rules of its legal form's rule set rendered from complete answers
    and ``params`` (what a founding group chose). Returns the version's id."""
    import json

    import sqlalchemy as sa

    from coopkit.rules import render
    from coopkit.rules.models import RulesVersion
    from coopkit.rules.ruleset import default_ruleset_for
    from tests.rules.test_rulesets import COMPLETE

    ruleset = default_ruleset_for(legal_form)
    document = render.render_document(ruleset, {**COMPLETE, "legal_form": legal_form, **params})
    with app.app_context():
        number = (db.session.execute(sa.select(sa.func.max(RulesVersion.number))
                                     .where(RulesVersion.coop_id == coop_id)).scalar() or 0) + 1
        version = RulesVersion(coop_id=coop_id, number=number, ruleset_id=ruleset.id,
                               ruleset_version=ruleset.version, parameters=json.dumps(document.values.raw),
                               text=document.markdown, content_hash=document.content_hash, status="registered",
                               adopted_on=date(2024, 2, 20), registered_on=date(2024, 3, 1))
        db.session.add(version)
        db.session.commit()
        version_id = version.id
        db.session.remove()
        return version_id
