"""The public guides, the demo co-op's half-finished journey, and the answers the rules read."""

from __future__ import annotations

import sqlalchemy as sa

from coopkit.extensions import db
from coopkit.founding.catalogue import steps
from coopkit.founding.guides import ORDER, all_guides, render_markdown
from tests.founding.helpers import COMPLETE_ANSWERS, founding_team, post_step


def test_the_guides_are_public_and_rendered_from_markdown(client):
    index = client.get("/guides/")
    assert index.status_code == 200
    assert list(all_guides()) == list(ORDER)
    for slug, guide in all_guides().items():
        assert f'href="/guides/{slug}"' in index.text
        page = client.get(f"/guides/{slug}")
        assert page.status_code == 200 and f"<h1>{guide.title}</h1>" in page.text
        assert "<h2>" in page.text and "<p>" in page.text  # Markdown became HTML
        assert "##" not in page.text
    principles = client.get("/guides/principles").text
    for principle in ("Voluntary and open membership", "Democratic member control", "Concern for community"):
        assert principle.lower() in principles.lower()
    assert client.get("/guides/nope").status_code == 404


def test_markdown_is_sanitised():
    html = render_markdown("Hello <script>alert(1)</script> [x](javascript:alert(1)) **bold**")
    assert "<script" not in html and "javascript:" not in html and "<strong>bold</strong>" in html


def test_every_step_links_the_guides_it_explains(app, make, login):
    coop, users = founding_team(make)
    client = login(app.test_client(), users[0])
    for step in steps():
        page = client.get(f"/c/{coop.slug}/founding/steps/{step.key}").text
        for slug in step.guides:
            assert f'href="/guides/{slug}?coop={coop.slug}&amp;from={step.key}"' in page, (step.key, slug)


def test_answers_as_parameters_and_the_step_for_a_parameter(app, make, login):
    from coopkit.coops.models import Coop
    from coopkit.founding.queries import answers_as_parameters, step_for_parameter

    coop, users = founding_team(make)
    client = login(app.test_client(), users[0])
    post_step(client, coop, "legal_form", COMPLETE_ANSWERS["legal_form"])
    post_step(client, coop, "money", COMPLETE_ANSWERS["money"])
    with app.app_context():
        params = answers_as_parameters(db.session.get(Coop, coop.id))
    assert params == {"legal_form": "society", "surplus_reserves_percent": 40, "surplus_common_good_percent": 10,
                      "surplus_bonus_percent": 50, "bonus_basis": "hours", "dissolution": "asset_lock",
                      "asset_lock_recipient": "Another co-operative chosen by the members",
                      "borrowing_limit_pence": 25_000_000}
    assert "wants_member_shares" not in params  # journey-only answers feed no rule
    assert step_for_parameter("quorum_percent") == ("decisions", "5. Decision-making")
    assert step_for_parameter("not_a_parameter") is None


def test_the_demo_coop_has_a_half_finished_journey_with_one_open_mentor_comment(app):
    from coopkit import demo
    from coopkit.coops.models import Coop
    from coopkit.founding.models import StepComment
    from coopkit.founding.queries import journey_for

    with app.app_context():
        assert demo.seed() is True
        db.session.commit()
        coop = db.session.execute(sa.select(Coop).where(Coop.slug == "northern-pixels")).scalar_one()
        journey, inputs = journey_for(coop)
        statuses = {s.step.key: s.status for s in journey.states}
        assert statuses["team"] == statuses["purpose"] == statuses["legal_form"] == "complete"
        assert statuses["membership"] == "needs_changes"
        assert statuses["decisions"] == "in_progress"
        assert statuses["register"] == "not_started"
        assert 20 <= journey.percent <= 60
        open_threads = db.session.execute(
            sa.select(StepComment).where(StepComment.coop_id == coop.id, StepComment.thread_id.is_(None),
                                         StepComment.resolved_at.is_(None))).scalars().all()
        assert len(open_threads) == 1 and open_threads[0].by_mentor and open_threads[0].step_key == "membership"


def test_a_guide_links_back_to_the_step_that_opened_it(app, make, login):
    coop, users = founding_team(make)
    client = login(app.test_client(), users[0])
    page = client.get(f"/guides/legal-forms?coop={coop.slug}&from=legal_form").text
    back = f'href="/c/{coop.slug}/founding/steps/legal_form"'
    assert back in page and "Back to step 3: Legal form" in page
    assert f"?coop={coop.slug}&amp;from=legal_form" in page  # the next guide keeps the way back
    # an unknown step, someone else's co-op, or nobody logged in: no back link, still the guide
    for query in (f"?coop={coop.slug}&from=nope", "?coop=not-a-coop&from=legal_form"):
        assert back not in client.get(f"/guides/legal-forms{query}").text
    assert back not in app.test_client().get(f"/guides/legal-forms?coop={coop.slug}&from=legal_form").text
    other = login(app.test_client(), make.user(email="outsider@example.org"))
    assert back not in other.get(f"/guides/legal-forms?coop={coop.slug}&from=legal_form").text


def test_the_tour_is_linked_from_the_landing_page_and_says_order_time_and_cost(client):
    assert 'href="/guides/tour"' in client.get("/").text
    page = client.get("/guides/tour")
    assert page.status_code == 200
    text = page.text
    positions = [text.index(f"<strong>{step.title}.</strong>") for step in steps()]
    assert positions == sorted(positions)  # the steps in the journey's order
    for fact in ("15 working days", "7 months", "£40", "£120", "£350", "£950", "check the current fees"):
        assert fact in text, fact
    assert 'href="/"' in text  # a way back
