"""coopkit.jsonrows: a correlated select's rows as one column, typed, ordered, [] for none
(on SQLite and on PostgreSQL, whichever the suite runs on)."""

from __future__ import annotations

import json
from datetime import date, datetime

import sqlalchemy as sa

from coopkit.calendar.models import ObligationDone
from coopkit.coops.models import Coop, Member
from coopkit.extensions import db
from coopkit.founding.models import ChecklistTick, FoundingStep, StepAnswer
from coopkit.jsonrows import json_rows, json_value
from coopkit.meetings.models import Meeting


def test_rows_come_back_typed_ordered_and_per_coop(app, make):
    busy, quiet = make.coop(), make.coop()
    make.member(busy, name="Zoe Able", with_user=False)
    make.member(busy, name="Adam Baker", with_user=False)
    with app.app_context():
        db.session.add_all([
            ObligationDone(coop_id=busy.id, key="agm-2025", kind="agm", due_on=date(2025, 9, 30),
                           done_on=date(2025, 9, 1), reference=""),
            ChecklistTick(coop_id=busy.id, item_key="bank", ticked=True),
            ChecklistTick(coop_id=busy.id, item_key="insurance", ticked=False),
            Meeting(coop_id=busy.id, number=1, title="AGM", kind="agm", starts_at=datetime(2025, 9, 1, 18, 30, 0, 250),
                    called_by="directors"),
        ])
        db.session.commit()
        statement = sa.select(
            Coop.id,
            json_rows(sa.select(Member.full_name, Member.admitted_on).where(Member.coop_id == Coop.id)
                      .order_by(Member.full_name.desc()), Coop).label("members"),
            json_rows(sa.select(ObligationDone.key, ObligationDone.done_on).where(ObligationDone.coop_id == Coop.id),
                      Coop).label("done"),
            json_rows(sa.select(ChecklistTick.item_key, ChecklistTick.ticked).where(ChecklistTick.coop_id == Coop.id)
                      .order_by(ChecklistTick.item_key), Coop).label("ticks"),
            json_rows(sa.select(Meeting.starts_at, Meeting.started_at).where(Meeting.coop_id == Coop.id), Coop)
            .label("meetings"),
            json_rows(sa.select(Member.status, sa.func.count(Member.id)).where(Member.coop_id == Coop.id)
                      .group_by(Member.status), Coop).label("statuses"),
        ).where(Coop.id.in_(sa.bindparam("ids", expanding=True))).order_by(Coop.id)
        rows = {row.id: row for row in db.session.execute(statement, {"ids": [busy.id, quiet.id]})}

    names = [name for name, _ in rows[busy.id].members]
    assert names == sorted(names, reverse=True) and {"Zoe Able", "Adam Baker"} <= set(names)  # the select's order
    assert rows[busy.id].done == [("agm-2025", date(2025, 9, 1))]
    assert rows[busy.id].ticks == [("bank", True), ("insurance", False)]
    assert rows[busy.id].meetings == [(datetime(2025, 9, 1, 18, 30, 0, 250), None)]
    assert dict(rows[busy.id].statuses)["founder"] == len(names)
    quiet_row = rows[quiet.id]
    assert (quiet_row.done, quiet_row.ticks, quiet_row.meetings) == ([], [], [])
    assert len(quiet_row.members) == 1


def test_a_json_text_column_comes_back_as_its_value(app, make):
    coop = make.coop()
    values = {"shares": 2500, "name": "Caf\u00e9 \"Co\"-op", "board": True, "none": None, "list": [1, "two"],
              "ratio": 0.25}
    with app.app_context():
        step = FoundingStep(coop_id=coop.id, step_key="test")
        db.session.add(step)
        db.session.flush()
        db.session.add_all([StepAnswer(coop_id=coop.id, step_id=step.id, key=key, value=json.dumps(value))
                            for key, value in values.items()])
        db.session.commit()
        column = json_rows(sa.select(StepAnswer.key, json_value(StepAnswer.value))
                           .where(StepAnswer.coop_id == Coop.id), Coop)
        answers = dict(db.session.execute(sa.select(column).where(Coop.id == coop.id)).scalar_one())
    assert answers == values
