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
