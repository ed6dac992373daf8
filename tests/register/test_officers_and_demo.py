"""The register of officers and its warnings; the demo co-op's register with history."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from coopkit.coops.models import Member, Officer
from coopkit.extensions import db
from coopkit.register import queries, services
from coopkit.register.models import ShareTransaction

BASE = "/c/ribble-web/register"


def warnings_for(client) -> list[str]:
    page = client.get(f"{BASE}/officers").get_data(as_text=True)
    return [chunk.split("</p>")[0] for chunk in page.split('<p class="flash flash-warning" role="status">')[1:]]


def test_warnings_for_no_secretary_and_too_few_directors(app, client, login, society, in_app):
    login(client, society.member_user)  # members may read the register of officers
    warnings = warnings_for(client)
    assert any("The rules require at least 2 directors; the register shows 0." in w for w in warnings)
    assert any("every member is a director" in w for w in warnings)
    assert not any("no secretary" in w for w in warnings)

    def appoint_directors(ctx):
        actor = ctx.user(society.secretary.id)
        for member_id in (society.secretary_member.id, society.member.id, society.people[1][1].id):
            services.appoint_officer(ctx.member(member_id), "director", on=date(2024, 1, 1), actor=actor)

    in_app(appoint_directors)
    assert warnings_for(client) == []

    def end_secretary(ctx):
        officer = db.session.execute(sa.select(Officer).where(Officer.office == "secretary")).scalar_one()
        services.end_appointment(officer, on=date(2024, 6, 1), actor=ctx.user(society.secretary.id))

    in_app(end_secretary)
    warnings = warnings_for(client)
    assert len(warnings) == 1 and "no secretary" in warnings[0]
    page = client.get(f"{BASE}/officers").get_data(as_text=True)
    assert "01/06/2024" in page  # the ended appointment stays in the register


def test_appoint_and_end_through_the_page(app, client, login, society, in_app):
    login(client, society.secretary)
    response = client.post(f"{BASE}/officers/appoint", data={
        "appoint-member_id": str(society.member.id), "appoint-office": "treasurer", "appoint-on": "2024-02-01"},
        follow_redirects=True)
    assert "Amy Adams is appointed treasurer." in response.get_data(as_text=True)
    response = client.post(f"{BASE}/officers/appoint", data={
        "appoint-member_id": str(society.people[1][1].id), "appoint-office": "treasurer",
        "appoint-on": "2024-02-01"}, follow_redirects=True)
    assert "Someone already holds the office of treasurer" in response.get_data(as_text=True)
    officer_id = in_app(lambda c: db.session.execute(sa.select(Officer.id).where(Officer.office == "treasurer"))
                        .scalar_one())
    response = client.post(f"{BASE}/officers/{officer_id}/end", data={"end-on": "2024-01-01"},
                           follow_redirects=True)
    assert "can&#39;t end before it started" in response.get_data(as_text=True)
    response = client.post(f"{BASE}/officers/{officer_id}/end", data={"end-on": "2024-05-01"},
                           follow_redirects=True)
    assert "The appointment has ended." in response.get_data(as_text=True)
    assert client.post(f"{BASE}/officers/99999/end", data={"end-on": "2024-05-01"}).status_code == 404


def test_demo_register_has_a_full_history(app):
    from coopkit import demo as demo_data
    from coopkit.coops.models import Coop

    with app.app_context():
        demo_data.seed()
        db.session.commit()
        coop = db.session.execute(sa.select(Coop).where(Coop.slug == "preston-digital")).scalar_one()
        members = db.session.execute(sa.select(Member).where(Member.coop_id == coop.id)).scalars().all()
        by_status: dict[str, list[Member]] = {}
        for m in members:
            by_status.setdefault(m.status, []).append(m)
        assert len(by_status["member"]) == 12
        assert len(by_status["ceased"]) == 1 and by_status["ceased"][0].ceased_on is not None
        assert len(by_status.get("applicant", [])) == 1
        assert len({m.admitted_on for m in by_status["member"]}) > 1  # joins over time
        officers = db.session.execute(sa.select(Officer.office, Member.email).join(Member, Member.id == Officer.member_id)
                                      .where(Officer.coop_id == coop.id, Officer.ceased_on.is_(None))).all()
        assert ("secretary", "dana@preston-digital.example") in [tuple(o) for o in officers]
        assert {"secretary", "chair", "treasurer", "director"} <= {o for o, _ in officers}
        kinds = db.session.execute(sa.select(ShareTransaction.kind).where(ShareTransaction.coop_id == coop.id)
                                   ).scalars().all()
        # the rules make shares non-transferable: the leaver's share was withdrawn, not transferred
        assert "withdrawal" in kinds and "transfer_out" not in kinds
        assert queries.officer_warnings(coop) == []
        counts = queries.counts(coop)
        assert counts["current"] == 12 and counts["share_capital_pence"] == 1200
        # the leaver is on the register as at a date before she left, not after
        leaver = by_status["ceased"][0]
        before = {r.member.id for r in queries.register_all(coop, as_at=leaver.admitted_on)}
        after = {r.member.id for r in queries.register_all(coop, as_at=leaver.ceased_on)}
        assert leaver.id in before and leaver.id not in after
