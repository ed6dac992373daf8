"""A registered co-op sees when its rule set changed since its rules were drawn, reads the
clause-by-clause diff, and proposes the upgrade as an amendment (a special resolution)."""

from __future__ import annotations

import json
from datetime import date

import pytest

from coopkit.extensions import db
from coopkit.rules import render
from coopkit.rules.ruleset import changes_since, load_ruleset
from tests.register.conftest import run, society  # noqa: F401  (society: the fixture)
from tests.rules.test_rulesets import COMPLETE

OLD_SENTENCE = ("A meeting of the Directors at which enough Members are present to form the quorum for a General "
                "Meeting may also act as a General Meeting for any business for which these Rules do not require "
                "notice, provided every Member was told of the meeting in the usual way.")


@pytest.fixture()
def registered_on_1_0(app, society):  # noqa: F811
    """The society's rules in force were drawn from worker-society 1.0 (an older wording)."""
    ruleset = load_ruleset("worker-society")
    document = render.render_document(ruleset, COMPLETE)
    text = document.markdown
    start = text.index("Although every Member is a Director, a meeting of the Directors is never a General Meeting")
    end = text.index("\n", start)
    old_text = text[:start] + OLD_SENTENCE + text[end:]

    def add(c):
        from coopkit.rules.models import RulesVersion

        db.session.add(RulesVersion(coop_id=society.coop.id, number=1, ruleset_id=ruleset.id, ruleset_version="1.0",
                                    parameters=json.dumps(document.values.raw, sort_keys=True), text=old_text,
                                    content_hash="0" * 64, status="registered", adopted_on=date(2024, 1, 1),
                                    registered_on=date(2024, 1, 1)))
    run(app, add)
    return society


def test_changes_since_lists_the_newer_releases_only():
    ruleset = load_ruleset("worker-society")
    assert [r.version for r in changes_since(ruleset, "1.0")] == ["1.1"]
    assert changes_since(ruleset, ruleset.version) == []


def test_the_rules_page_says_the_rule_set_changed_and_shows_the_diff(app, client, login, registered_on_1_0):
    login(client, registered_on_1_0.member_user)
    page = client.get(f"/c/{registered_on_1_0.coop.slug}/rules/").get_data(as_text=True)
    assert "Your rule set has changed" in page and "version 1.0" in page and "Version 1.1" in page
    assert "Statutory Special Resolution" in page
    upgrade = client.get(f"/c/{registered_on_1_0.coop.slug}/rules/upgrade")
    assert upgrade.status_code == 200
    html = upgrade.get_data(as_text=True)
    diff = html[html.index("clause changed, added or removed"):]
    assert "1 clause changed" in html and "Management by all the Members" in diff
    assert "<ins>" in diff and "<del>" in diff
    assert "Propose the upgrade as an amendment" in html


def test_the_upgrade_is_prefilled_as_a_special_resolution(app, client, login, registered_on_1_0):
    login(client, registered_on_1_0.secretary)
    html = client.get(f"/c/{registered_on_1_0.coop.slug}/proposals/new?upgrade=1").get_data(as_text=True)
    assert "Adopt version 1.1 of our rules" in html
    assert 'value="1.1"' in html and "ruleset_version" in html


def test_a_passed_upgrade_redraws_the_rules_from_the_new_version(app, registered_on_1_0):
    from coopkit.coops.models import Coop
    from coopkit.proposals import services as proposals
    from coopkit.rules import services

    def go(c):
        coop = db.session.get(Coop, registered_on_1_0.coop.id)
        actor = c.user(registered_on_1_0.secretary.id)
        with pytest.raises(proposals.ProposalError, match="no newer version"):
            proposals._check_rule_changes(coop, {"ruleset_version": "9.9"})
        assert proposals._check_rule_changes(coop, {"ruleset_version": "1.1"}) == {"ruleset_version": "1.1"}
        with pytest.raises(services.RulesError, match="version available now is 1.1"):
            services.create_amended_version(coop, {"ruleset_version": "1.0"}, actor, 7)
        version = services.create_amended_version(coop, {"ruleset_version": "1.1"}, actor, 7)
        assert version.ruleset_version == "1.1" and version.status == "adopted"
        assert "never a General Meeting" in version.text and OLD_SENTENCE not in version.text
    run(app, go)
