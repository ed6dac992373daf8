"""The registration pre-flight on the registration pack page: exactly what a co-op still lacks,
each with a link to where it is fixed; the fee said honestly; the bona fide explanation drafted
from the founding journey, edited and saved by the founders."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from coopkit.extensions import db
from coopkit.rules import preflight, values


@pytest.fixture()
def demo(app):
    from coopkit import demo as demo_data

    with app.app_context():
        assert demo_data.seed() is True
        db.session.commit()


def _coop(slug):
    from coopkit.coops.models import Coop

    return db.session.execute(sa.select(Coop).where(Coop.slug == slug)).scalar_one()


def _user(email):
    from coopkit.accounts.models import User

    return db.session.execute(sa.select(User).where(User.email == email)).scalar_one()


#: what the half-finished demo co-op lacks: its rules have gaps and are not adopted, no
#: secretary is chosen, the founders' addresses and the officers' AML details are not entered,
#: none of the application's questions is answered, and the bona fide explanation is not saved
NORTHERN_PIXELS_LACKS = {
    "rules", "adopted", "secretary", "addresses", "aml", "bona_fide",
    "question.business_description", "question.member_benefit", "question.member_participation",
    "question.member_control", "question.profit_use", "question.funding", "question.financial_year_end",
    "question.main_contact", "question.finance_contact",
}


def test_the_preflight_lists_exactly_what_the_half_finished_demo_coop_lacks(app, demo):
    from coopkit.rules.queries import latest_version

    with app.app_context():
        coop = _coop("northern-pixels")
        result = preflight.preflight(coop, latest_version(coop))
        assert {c.key for c in result.missing} == NORTHERN_PIXELS_LACKS
        assert {c.key for c in result.checks if c.ok} == {"name", "signatories"}
        assert all(c.fix is not None for c in result.missing), [c.key for c in result.missing if c.fix is None]
        by_key = {c.key: c for c in result.checks}
        assert "Asha Patel" in by_key["addresses"].detail and "0 of 2" in by_key["aml"].detail
        assert by_key["rules"].fix[0] == "founding.step"  # the first gap is fixed in the journey


def test_a_complete_coop_lacks_nothing_but_what_it_has_not_done(app, demo):
    from coopkit.rules.queries import governing_version

    with app.app_context():
        coop = _coop("preston-digital")
        result = preflight.preflight(coop, governing_version(coop))
        assert {c.key for c in result.missing} == {"bona_fide"}
        assert result.fee is not None and result.fee.own_rules_pence == 95000


def test_the_pack_page_shows_each_missing_item_with_a_link_to_fix_it(app, client, login, demo):
    from tests.factories import UserRec

    with app.app_context():
        user = _user("asha@northern-pixels.example")
        rec = UserRec(user.id, user.email, user.name, user.session_version)
    login(client, rec)
    page = client.get("/c/northern-pixels/rules/versions/1/pack")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "15 things still to do" in html
    for key in NORTHERN_PIXELS_LACKS:
        assert f'id="missing-{key.replace(".", "-")}"' in html, key
    assert 'href="/c/northern-pixels/founding/officers"' in html
    assert 'href="/c/northern-pixels/founding/steps/registration"' in html
    assert "your group's own rules" in html and "£950" in html
    assert "is a worker co-operative" in html  # the drafted explanation


@pytest.mark.parametrize(("departures", "pence"), [(0, 4000), (1, 12000), (6, 12000), (7, 35000), (10, 35000),
                                                   (11, 95000), (40, 95000)])
def test_fee_tiers(departures, pence):
    assert preflight.fee_tier(departures)[0] == pence


def test_departures_count_options_chosen_away_from_the_rule_set_defaults():
    from coopkit.rules.ruleset import load_ruleset
    from tests.rules.test_rulesets import COMPLETE

    ruleset = load_ruleset("worker-society")
    base = values.resolve_values(ruleset, COMPLETE).raw
    assert preflight.departures(ruleset, base) == ()
    changed = values.resolve_values(ruleset, {**COMPLETE, "probation": "period", "quorum_min_members": 3}).raw
    assert preflight.departures(ruleset, changed) == ("probation", "quorum_min_members")


def test_founders_save_the_bona_fide_explanation_and_bad_input_writes_nothing(app, client, login, demo):
    from coopkit.founding.queries import answers_as_parameters
    from tests.factories import UserRec

    with app.app_context():
        user = _user("dana@preston-digital.example")
        rec = UserRec(user.id, user.email, user.name, user.session_version)
    login(client, rec)
    url = "/c/preston-digital/rules/versions/1/pack/bona-fide"
    bad = client.post(url, data={"explanation": "   "})
    assert bad.status_code == 400
    assert "Write the explanation" in bad.get_data(as_text=True)
    with app.app_context():
        assert "bona_fide_explanation" not in answers_as_parameters(_coop("preston-digital"))
    ok = client.post(url, data={"explanation": "We are a worker co-op: one member, one vote."})
    assert ok.status_code == 302
    with app.app_context():
        coop = _coop("preston-digital")
        assert answers_as_parameters(coop)["bona_fide_explanation"] == "We are a worker co-op: one member, one vote."
        from coopkit.rules.queries import governing_version

        assert preflight.preflight(coop, governing_version(coop)).ready
