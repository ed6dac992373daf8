"""Shared set-up for the rules tests: co-ops whose founding answers are complete."""

from __future__ import annotations

import copy

from coopkit.extensions import db
from tests.founding.helpers import COMPLETE_ANSWERS


def save_answers(app, coop, user, answers=None, *, without=()):
    """Save founding answers (all steps complete by default) as ``user``; ``without`` blanks keys."""
    from coopkit.accounts.models import User
    from coopkit.coops.models import Coop
    from coopkit.founding.services import save_step

    answers = copy.deepcopy(answers or COMPLETE_ANSWERS)
    for step in answers.values():
        for key in without:
            if key in step:
                step[key] = ""
    with app.app_context():
        coop_row, actor = db.session.get(Coop, coop.id), db.session.get(User, user.id)
        for step_key, step_answers in answers.items():
            save_step(coop_row, step_key, step_answers, actor)
        db.session.commit()


def ready_coop(app, make, *, founders=3, mentor=None, without=(), answers=None):
    """A forming co-op with ``founders`` founders and complete answers: (coop, [users])."""
    users = [make.user(name=f"Founder {i + 1}") for i in range(founders)]
    coop = make.coop(users[0], name="Northern Pixels")
    for user in users[1:]:
        make.member(coop, user, status="founder")
    if mentor is not None:
        make.cohort(coops=(coop,), mentors=(mentor,))
    save_answers(app, coop, users[0], answers, without=without)
    return coop, users


def draft(app, coop, user):
    """Save a draft version as ``user``: its number."""
    from coopkit.accounts.models import User
    from coopkit.coops.models import Coop
    from coopkit.rules.services import generate_draft

    with app.app_context():
        version, _ = generate_draft(db.session.get(Coop, coop.id), db.session.get(User, user.id))
        db.session.commit()
        return version.number


def version_row(app, coop, number):
    """A detached copy of the version's columns, as a dict."""
    from coopkit.coops.models import Coop
    from coopkit.rules.queries import version_by_number

    with app.app_context():
        v = version_by_number(db.session.get(Coop, coop.id), number)
        return None if v is None else {c.name: getattr(v, c.name) for c in v.__table__.columns}
