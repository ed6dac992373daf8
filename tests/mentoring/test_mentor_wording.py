"""A mentor's own pages speak to a mentor."""

from __future__ import annotations

from tests.founding.helpers import founding_team


def test_your_coops_speaks_to_a_mentor(app, make, login):
    mentor = make.user(name="Morgan Mentor")
    coop, founders = founding_team(make, cohort_mentor=mentor)
    text = login(app.test_client(), mentor).get("/c/").text
    assert "You are not part of a co-op yet" not in text
    assert "<h1>Co-ops you mentor</h1>" in text and "you are its mentor" in text
    assert f'href="/c/{coop.slug}/"' in text
    # a founder still sees their own co-ops
    founder_page = login(app.test_client(), founders[0]).get("/c/").text
    assert "<h1>Your co-ops</h1>" in founder_page


def test_a_mentor_sees_a_registered_coops_governance_without_personal_data(app, make, login):
    from coopkit.coops.models import Coop
    from coopkit.extensions import db

    mentor = make.user(name="Morgan Mentor")
    coop, founders = founding_team(make, cohort_mentor=mentor)
    with app.app_context():
        db.session.get(Coop, coop.id).stage = "registered"
        db.session.commit()
    text = login(app.test_client(), mentor).get(f"/c/{coop.slug}/").text
    assert "Governance at a glance" in text and "Open decisions" in text and "Statutory calendar" in text
    assert "Founder 2" not in text.split("Governance at a glance", 1)[1].split("</section>", 1)[0]
    # members see their own pages, not the mentor's summary
    assert "Governance at a glance" not in login(app.test_client(), founders[0]).get(f"/c/{coop.slug}/").text
