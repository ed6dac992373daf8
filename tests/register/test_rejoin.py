"""Someone who leaves and joins again keeps both memberships, each with its own dates: a new
register entry for the new membership, the old one ceased. The register "as at" a day inside the
first membership shows the first, inside the second the second, and in the gap neither (the page,
its PDF and the CSV export); the account's roles come from the current entry; an export and
import keeps the link between the two entries; the migration keeps existing rows."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

import pytest
import sqlalchemy as sa

from coopkit.coops.models import Member
from coopkit.extensions import db
from coopkit.register import services
from coopkit.register.models import ShareTransaction
from tests.register.test_register_page import pdf_text, squash

BASE = "/c/ribble-web/register"
FIRST, GAP = date(2024, 3, 1), date(2024, 9, 1)


@pytest.fixture()
def rejoined(society, in_app, client, login):
    """Amy: a member from 1 January 2024 holding one £1 share, left on 30 June 2024 (her share
    withdrawn), joined again through an invitation and was admitted again today."""
    from coopkit.workspace.services import create_invitation

    def leave_and_invite(ctx):
        actor = ctx.user(society.secretary.id)
        amy = ctx.member(society.member.id)
        services.issue_shares(amy, 100, on=date(2024, 1, 1), actor=actor)
        services.cease_member(amy, on=date(2024, 6, 30), reason="resigned", actor=actor)
        return create_invitation(ctx.coop(society.coop.id), actor, None)[1]

    token = in_app(leave_and_invite)
    login(client, society.member_user)
    assert client.post(f"/invite/{token}").status_code == 302
    new_id = in_app(lambda c: db.session.execute(sa.select(Member.id).where(
        Member.user_id == society.member_user.id, Member.status == "applicant")).scalar_one())
    login(client, society.secretary)
    response = client.post(f"{BASE}/members/{new_id}/admit",
                           data={"admit-on": date.today().isoformat(), "admit-by_proposal": "0"})
    assert response.status_code == 302
    return {"old": society.member.id, "new": new_id}


def test_the_second_membership_is_a_new_entry_and_the_first_keeps_its_dates(app, society, rejoined):
    from coopkit.accounts.models import User
    from coopkit.coops import policy
    from coopkit.coops.models import Coop
    from coopkit.coops.queries import member_for_user

    with app.app_context():
        old, new = db.session.get(Member, rejoined["old"]), db.session.get(Member, rejoined["new"])
        assert (old.status, old.admitted_on, old.ceased_on, old.ceased_reason) == (
            "ceased", date(2024, 1, 1), date(2024, 6, 30), "resigned")
        assert (new.status, new.admitted_on, new.ceased_on, new.previous_member_id) == (
            "member", date.today(), None, old.id)
        assert new.user_id == old.user_id == society.member_user.id
        # the account is the current entry's: its roles and "the member for this user"
        user, coop = db.session.get(User, society.member_user.id), db.session.get(Coop, society.coop.id)
        assert member_for_user(coop, user).id == new.id
        assert "member" in policy.roles_for(user, coop)
        # the share ledger: each membership its own entries
        ledger = {m: [(t.kind, t.amount_pence, t.on) for t in db.session.execute(
            sa.select(ShareTransaction).where(ShareTransaction.member_id == m).order_by(ShareTransaction.id)
        ).scalars()] for m in (old.id, new.id)}
        assert ledger[old.id] == [("issue", 100, date(2024, 1, 1)), ("withdrawal", -100, date(2024, 6, 30))]
        # the second admission issued the membership share again (the test society's rules set one)
        share_value = services.share_params(coop)[0]
        assert share_value and ledger[new.id] == [("issue", share_value, date.today())]
        # a second current entry for the same account is refused by the database itself
        with pytest.raises(sa.exc.IntegrityError):
            with db.session.begin_nested():
                db.session.add(Member(coop_id=coop.id, user_id=user.id, full_name="Amy again", status="applicant"))
                db.session.flush()
        db.session.rollback()


def ids_on(client, url: str, ids: dict) -> set[str]:
    page = client.get(url).get_data(as_text=True)
    page = page[page.index('<table class="register-table">'):]
    page = page[:page.index("</table>")]
    return {name for name, member_id in ids.items() if f"/register/members/{member_id}\"" in page}


def test_as_at_views_show_the_membership_of_that_day(client, login, society, rejoined):
    login(client, society.secretary)
    assert ids_on(client, f"{BASE}/?as_at={FIRST}", rejoined) == {"old"}
    assert ids_on(client, f"{BASE}/?as_at={GAP}", rejoined) == set()
    assert ids_on(client, f"{BASE}/?as_at={date.today()}", rejoined) == {"new"}
    assert ids_on(client, f"{BASE}/", rejoined) == {"new"}
    assert ids_on(client, f"{BASE}/?view=all", rejoined) == {"old", "new"}
    # the entry pages link the two memberships
    page = squash(client.get(f"{BASE}/members/{rejoined['new']}").get_data(as_text=True))
    assert "Other memberships" in page and "entered 01/01/2024, ceased 30/06/2024" in page


def test_the_pdf_as_at_each_day(client, login, society, rejoined):
    login(client, society.secretary)
    old, new = f"No. {rejoined['old']} · Amy Adams", f"No. {rejoined['new']} · Amy Adams"

    def sections(day):
        text = pdf_text(client.get(f"{BASE}/register.pdf?as_at={day}").data)
        current, former = text.split("Former members (ceased on or before", 1)
        return current, former

    current, former = sections(FIRST)
    assert old in current and new not in current and "Amy Adams" not in former
    current, former = sections(GAP)
    assert "Amy Adams" not in current and old in former and "30/06/2024 (Resigned)" in former
    current, former = sections(date.today())
    assert new in current and old not in current and old in former
    assert f"Joined again (earlier membership: No. {rejoined['old']})" in current


def test_the_csv_export_as_at_each_day(client, login, society, rejoined):
    login(client, society.secretary)

    def amy_rows(day=None):
        url = f"{BASE}/export/members.csv" + (f"?as_at={day}" if day else "")
        rows = csv.DictReader(io.StringIO(client.get(url).get_data(as_text=True)))
        return [(r["member_id"], r["status"], r["admitted_on"], r["ceased_on"], r["previous_member_id"])
                for r in rows if r["full_name"] == "Amy Adams"]

    old, new = str(rejoined["old"]), str(rejoined["new"])
    assert amy_rows(FIRST) == [(old, "member", "2024-01-01", "", "")]
    assert amy_rows(GAP) == []
    today = date.today().isoformat()
    assert amy_rows(date.today()) == [(new, "member", today, "", old)]
    assert sorted(amy_rows()) == sorted([(old, "ceased", "2024-01-01", "2024-06-30", ""),
                                         (new, "member", today, "", old)])


def test_export_and_import_keep_both_memberships_linked(app, society, rejoined):
    from coopkit.coops.models import Coop
    from coopkit.register import exchange

    with app.app_context():
        data = exchange.export_coop(db.session.get(Coop, society.coop.id))
        copy = exchange.import_coop(data, "ribble-copy")
        db.session.commit()
        rows = db.session.execute(sa.select(Member).where(Member.coop_id == copy.id, Member.full_name == "Amy Adams")
                                  .order_by(Member.id)).scalars().all()
        assert [(m.status, m.admitted_on, m.ceased_on) for m in rows] == [
            ("ceased", date(2024, 1, 1), date(2024, 6, 30)), ("member", date.today(), None)]
        assert rows[1].previous_member_id == rows[0].id and rows[0].id != rejoined["old"]
        assert rows[0].user_id == rows[1].user_id is not None


def test_leaving_again_and_a_third_membership(client, app, login, society, rejoined, in_app):
    """The account may hold any number of ceased entries; still one current one."""
    from coopkit.workspace.services import create_invitation

    login(client, society.member_user)
    assert client.post("/c/ribble-web/leave").status_code == 302
    token = in_app(lambda c: create_invitation(c.coop(society.coop.id), c.user(society.secretary.id), None)[1])
    assert client.post(f"/invite/{token}").status_code == 302
    with app.app_context():
        rows = db.session.execute(sa.select(Member.status, Member.previous_member_id).where(
            Member.user_id == society.member_user.id).order_by(Member.id)).all()
        assert [tuple(r) for r in rows] == [("ceased", None), ("ceased", rejoined["old"]),
                                            ("applicant", rejoined["new"])]


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_the_migration_keeps_every_entry(kind, tmp_path):
    from flask_migrate import upgrade

    from tests.test_migrations import migration_app, throwaway_database

    with throwaway_database(kind, tmp_path) as url, migration_app(url):
        upgrade(revision="e4b7a2c9d1f0")
        meta = sa.MetaData()
        meta.reflect(db.engine, only=("users", "coops", "members"))
        with db.engine.begin() as conn:
            user = conn.execute(_filled(meta.tables["users"], email="amy@example.org")).inserted_primary_key[0]
            coop = conn.execute(_filled(meta.tables["coops"], slug="kept", stage="registered")).inserted_primary_key[0]
            conn.execute(_filled(meta.tables["members"], coop_id=coop, user_id=user, full_name="Amy Adams",
                                 status="member", member_class="voting", admitted_on=date(2024, 1, 1)))
        upgrade()
        with db.engine.begin() as conn:
            members = sa.Table("members", sa.MetaData(), autoload_with=conn)
            assert [tuple(r) for r in conn.execute(sa.select(members.c.full_name, members.c.previous_member_id))] \
                == [("Amy Adams", None)]
            # a second entry for the same account once the first has ceased: allowed now
            conn.execute(members.update().values(status="ceased", ceased_on=date(2024, 6, 30)))
            conn.execute(_filled(members, coop_id=coop, user_id=user, full_name="Amy Adams", status="applicant",
                                 member_class="voting", previous_member_id=1))
        with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as conn:
            conn.execute(_filled(members, coop_id=coop, user_id=user, full_name="Amy twice", status="applicant",
                                 member_class="voting"))


def _filled(table: sa.Table, **values):
    """An INSERT giving every NOT NULL column without a default a plain value."""
    plain = {sa.String: "x", sa.Text: "", sa.Integer: 0, sa.Boolean: False, sa.DateTime: datetime(2024, 1, 1),
             sa.Date: date.today()}
    for column in table.columns:
        if column.name in values or column.nullable or column.primary_key or column.server_default is not None:
            continue
        values[column.name] = next(v for t, v in plain.items() if isinstance(column.type, t))
    return table.insert().values(**values)

