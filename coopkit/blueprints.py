"""The list of blueprints, of job modules and of effect handlers; a feature adds its own here.

Imported by ``create_app`` only (it sits at the top of the package order)."""

from __future__ import annotations

from coopkit.accounts.views import bp as accounts
from coopkit.audit.views import bp as audit
from coopkit.calendar.views import bp as calendar
from coopkit.calendar.views import feeds as calendar_feeds
from coopkit.directory.views import bp as directory
from coopkit.directory.views import public as directory_public
from coopkit.founding.guides import bp as guides
from coopkit.founding.views import bp as founding
from coopkit.jobs.views import bp as jobs
from coopkit.meetings import (  # noqa: F401  (add the meeting page's buttons and the minutes PDF's pages)
    actions,
    member_views,
    minutes_views,
)
from coopkit.meetings import handlers as meetings_handlers
from coopkit.meetings.views import bp as meetings
from coopkit.mentoring.governance import bp as mentor_governance
from coopkit.mentoring.requests import bp as cohort_requests
from coopkit.mentoring.views import admin
from coopkit.mentoring.views import bp as mentoring
from coopkit.proposals.views import bp as proposals
from coopkit.register import handlers as register_handlers
from coopkit.register.views import bp as register
from coopkit.rules import handlers as rules_handlers
from coopkit.rules import views_pack  # noqa: F401  (adds the registration pack's pages to the blueprint)
from coopkit.rules.views import bp as rules
from coopkit.workspace.views import bp as coops
from coopkit.workspace.views import workspace

#: each feature's ``tasks.py`` (jobs and periodic jobs), imported by the factory
TASK_MODULES = (
    "coopkit.proposals.tasks",
    "coopkit.meetings.tasks",
    "coopkit.calendar.tasks",
    "coopkit.mentoring.tasks",
    "coopkit.register.tasks",
    "coopkit.rules.tasks",
)


def all_blueprints():
    return [accounts, coops, workspace, admin, mentoring, register, founding, guides, rules, proposals, meetings,
            audit, calendar, calendar_feeds, jobs, directory, directory_public, cohort_requests,
            mentor_governance]


def connect_effect_handlers() -> None:
    """Connect every package's handlers to the effects announced below it (see coopkit.effects).
    Idempotent: create_app calls it for every app."""
    for handlers in (register_handlers, rules_handlers, meetings_handlers):
        handlers.connect()
