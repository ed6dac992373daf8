"""Demo calendar. preston-digital (registered 1 March 2024, year end 31 March from its rules):
every annual return whose deadline has passed was filed, with its AGM held and the audit
exemption taken, so one return is filed and the next is coming due with its AGM window
ahead; its rule amendment (from the proposals demo) waits to be registered.
northern-pixels is still forming: its page shows what will fall due once it registers.

Runs after the proposals demo. Dates are counted from ``today`` so the demo looks the same
whenever it is seeded."""

from __future__ import annotations

from datetime import date, timedelta

from coopkit.calendar import queries, services
from coopkit.database import utcnow

#: how long before each deadline the demo secretary filed or held it
FILED_DAYS_EARLY = {"annual_return": 10, "agm": 21, "audit": 21}


def seed(ctx, today: date | None = None) -> None:
    today = today or utcnow().date()
    coop = ctx.preston_digital
    secretary = ctx.users[ctx.secretary.email]
    cal = queries.calendar_for(coop, today)
    for item in cal.items:
        ob = item.obligation
        early = FILED_DAYS_EARLY.get(ob.kind)
        if early is None or item.status == "done" or ob.due_on >= today:
            continue
        reference = f"AR30-{ob.period_end.year}-{coop.registration_number}" if ob.kind == "annual_return" else ""
        note = {"agm": "Held online and at the office; accounts presented.",
                "audit": "Audit exemption resolution passed at the AGM."}.get(ob.kind, "")
        services.record_done(coop, ob.key, done_on=ob.due_on - timedelta(days=early), reference=reference,
                             note=note, actor=secretary, today=today)
