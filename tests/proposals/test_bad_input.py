"""Bad input: a clear message, nothing recorded, never a 500."""

from __future__ import annotations

import re

import pytest

from coopkit.proposals.models import Ballot, BallotChange, Participation, Proposal
from tests.proposals.conftest import counts, make_election, make_open, time_travel

VOTES = (Participation, Ballot, BallotChange)


def problem(response) -> str:
    """The message in the vote page's error box."""
    assert response.status_code == 200, response.status_code
    match = re.search(r'role="alert"><h2>Your vote was not recorded</h2><p>([^<]+)</p>', response.text)
    assert match, response.text[:3000]
    return match.group(1).replace("&#39;", "'")


def test_vote_after_close(app, client, login, crew):
    _, pid = make_open(app, crew)
    time_travel(app, pid, hours=24 * 4)
    login(client, crew.users[0])
    response = client.post("/c/crew-coop/proposals/1/vote", data={"choice": "for", "seen": "0"})
    assert problem(response) == "Voting on this proposal has closed."
    assert 'name="choice"' not in response.text      # no form to try again
    assert counts(app, *VOTES) == (0, 0, 0)


def test_vote_after_closing_time_even_before_it_is_closed(app, crew):
    """The service refuses on the time alone, whatever has or has not closed the proposal."""
    from datetime import timedelta

    from coopkit.coops.models import Coop, Member
    from coopkit.database import utcnow
    from coopkit.extensions import db
    from coopkit.proposals import services, voting

    _, pid = make_open(app, crew, days=1)
    with app.app_context():
        proposal = db.session.get(Proposal, pid)
        with pytest.raises(services.VoteError, match="closed"):
            voting.cast_vote(proposal, db.session.get(Coop, crew.coop.id),
                               db.session.get(Member, crew.people[0][1].id), "for", now=utcnow() + timedelta(days=2))
        db.session.rollback()
    assert counts(app, *VOTES) == (0, 0, 0)


def test_vote_by_non_members(app, client, login, crew, make):
    make_open(app, crew)
    # an account with no place in the co-op: refused by the policy
    login(client, make.user())
    assert client.post("/c/crew-coop/proposals/1/vote", data={"choice": "for", "seen": "0"}).status_code == 403
    # a member of another co-op
    other = make.coop(make.user(), stage="registered")
    stranger = make.user(name="Stan Stranger")
    make.member(other, stranger)
    login(client, stranger)
    assert client.post("/c/crew-coop/proposals/1/vote", data={"choice": "for", "seen": "0"}).status_code == 403
    # someone who joined after voting opened: the roll was frozen without them
    late = make.user(name="Lee Late")
    make.member(crew.coop, late)
    login(client, late)
    response = client.post("/c/crew-coop/proposals/1/vote", data={"choice": "for", "seen": "0"})
    assert "not on the voter roll" in problem(response)
    # a member who has ceased since it opened stays on the roll's record but the policy stops them
    assert counts(app, *VOTES) == (0, 0, 0)


def test_voter_roll_is_frozen_at_opening(app, crew, make):
    from coopkit.extensions import db
    from coopkit.proposals.models import VoterRollEntry

    _, pid = make_open(app, crew)
    make.member(crew.coop)                                        # joins later
    make.member(crew.coop, status="ceased", with_user=False)      # never a voter
    with app.app_context():
        import sqlalchemy as sa

        roll = db.session.execute(
            sa.select(sa.func.count()).where(VoterRollEntry.proposal_id == pid)).scalar()
        assert roll == 5
        db.session.remove()


def test_non_voting_and_ceased_members_are_not_on_the_roll(app, crew, make):
    from coopkit.coops.models import Member
    from coopkit.extensions import db

    investor = make.member(crew.coop)
    gone = make.member(crew.coop, status="ceased")
    with app.app_context():
        db.session.get(Member, investor.id).member_class = "non_voting"
        db.session.commit()
    make_open(app, crew)
    with app.app_context():
        import sqlalchemy as sa

        from coopkit.proposals.models import VoterRollEntry

        on_roll = set(db.session.execute(sa.select(VoterRollEntry.member_id)).scalars())
        assert investor.id not in on_roll and gone.id not in on_roll and len(on_roll) == 5
        db.session.remove()


def test_replayed_form_is_refused(app, client, login, crew, csrf_enabled):
    amy = crew.users[0]
    make_open(app, crew)
    login(client, amy)
    page = client.get("/c/crew-coop/proposals/1/vote").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    form = {"csrf_token": token, "choice": "for", "seen": "0"}
    assert client.post("/c/crew-coop/proposals/1/vote", data=form).status_code == 302
    # the very same submission again (a double click, the back button, or a replay)
    again = client.post("/c/crew-coop/proposals/1/vote", data={**form, "choice": "against"})
    assert "changed since this page was loaded" in problem(again)
    assert counts(app, *VOTES) == (1, 1, 1)
    # a form without its CSRF token
    bare = client.post("/c/crew-coop/proposals/1/vote", data={"choice": "against", "seen": "1"})
    assert bare.status_code == 400 and "This form has expired" in bare.text
    assert counts(app, *VOTES) == (1, 1, 1)


def test_same_choice_again_changes_nothing(app, client, login, crew):
    make_open(app, crew)
    login(client, crew.users[0])
    client.post("/c/crew-coop/proposals/1/vote", data={"choice": "for", "seen": "0"})
    assert "already your vote" in problem(
        client.post("/c/crew-coop/proposals/1/vote", data={"choice": "for", "seen": "1"}))
    assert counts(app, *VOTES) == (1, 1, 1)


@pytest.mark.parametrize("data, message", [
    ({"rank_0": "1", "rank_1": "1"}, "Each place (1st, 2nd, ...) can go to only one candidate"),
    ({"rank_0": "1", "rank_1": "2", "rank_2": "2"}, "Each place (1st, 2nd, ...) can go to only one candidate"),
    ({"rank_0": "9"}, "Choose a place from the list."),
    ({"rank_0": "first"}, "Choose a place from the list."),
    ({"rank_7": "1", "rank_0": "x"}, "Choose a place from the list."),
])
def test_ranking_with_duplicates_or_nonsense(app, client, login, crew, data, message):
    make_election(app, crew, options=["Ann", "Bea", "Cal"], seats=1, ranking="irv")
    login(client, crew.users[0])
    response = client.post("/c/crew-coop/proposals/1/vote", data={**data, "seen": "0"})
    assert response.status_code == 200 and message in response.text
    assert counts(app, *VOTES) == (0, 0, 0)


def test_a_good_ranking_is_recorded_in_order(app, client, login, crew):
    from coopkit.extensions import db

    make_election(app, crew, options=["Ann", "Bea", "Cal"], seats=1, ranking="irv")
    login(client, crew.users[0])
    response = client.post("/c/crew-coop/proposals/1/vote", data={"rank_2": "1", "rank_0": "2", "seen": "0"})
    assert response.status_code == 302
    with app.app_context():
        import sqlalchemy as sa

        assert db.session.execute(sa.select(Ballot.choice)).scalar_one() == "[2, 0]"
        db.session.remove()
    page = client.get("/c/crew-coop/proposals/1/vote").text
    assert "1. Cal, 2. Ann" in page


@pytest.mark.parametrize("choice", ["yes", "", "0", "<script>", "for\x00"])
def test_choice_not_on_the_ballot(app, client, login, crew, choice):
    make_open(app, crew)
    login(client, crew.users[0])
    response = client.post("/c/crew-coop/proposals/1/vote", data={"choice": choice, "seen": "0"})
    assert response.status_code == 200 and "Choose one of the options shown." in response.text
    assert counts(app, *VOTES) == (0, 0, 0)


def test_vote_on_a_draft_or_withdrawn_proposal(app, client, login, crew):
    from coopkit.extensions import db

    make_open(app, crew)
    amy = crew.users[0]
    login(client, amy)
    client.post("/c/crew-coop/proposals/new", data={"title": "Still a draft", "kind": "written_ordinary",
                                                    "preset": "ordinary", "basis": "cast", "ranking": "stv"})
    assert "Voting has not opened yet." == problem(
        client.post("/c/crew-coop/proposals/2/vote", data={"choice": "for", "seen": "0"}))
    login(client, crew.secretary)
    client.post("/c/crew-coop/proposals/1/withdraw")
    login(client, amy)
    assert problem(client.post("/c/crew-coop/proposals/1/vote", data={"choice": "for", "seen": "0"})) == \
        "This proposal was withdrawn."
    assert counts(app, *VOTES) == (0, 0, 0)
    with app.app_context():
        assert db.session.get(Proposal, 2).state == "draft"
        db.session.remove()


FORM = {"title": "A proposal", "kind": "written_ordinary", "preset": "ordinary", "basis": "cast", "seats": "1",
        "ranking": "stv", "closes_at": "2027-01-20T18:00"}


@pytest.mark.parametrize("changes, message", [
    ({"preset": "custom", "threshold_percent": "40"}, "Number must be between 50 and 100."),
    ({"preset": "custom", "threshold_percent": "50", "basis": "cast", "change_1_key": "leaving_notice_days",
      "change_1_value": "21"}, "no adopted rules yet"),
    ({"kind": "poll", "options": "Only one"}, "List at least two options"),
    ({"kind": "poll", "options": "Same\nsame"}, "Each option must be different."),
    ({"kind": "election", "options": "Ann\nBea\nCal"}, "do not provide for that kind"),   # collective management
    ({"kind": "special"}, "only be decided at a general meeting"),
    ({"kind": "expulsion"}, "only be decided at a general meeting"),
    ({"closes_at": "2001-01-01T10:00"}, "The closing time must be in the future."),
    ({"closes_at": "tomorrow"}, "Not a valid datetime value."),
    ({"title": ""}, "This field is required."),
    ({"kind": "lottery"}, "do not provide for that kind"),
    ({"change_1_key": "not_a_rule", "change_1_value": "1"}, "Not a valid choice."),
])
def test_bad_proposal_forms_save_nothing(app, client, login, crew, changes, message):
    login(client, crew.users[0])
    response = client.post("/c/crew-coop/proposals/new", data={**FORM, **changes})
    assert response.status_code == 200 and message in response.text.replace("&#39;", "'")
    assert counts(app, Proposal) == (0,)


def test_custom_threshold_cannot_weaken_the_rules(app, crew):
    """A custom threshold is only ever stricter than the kind's own (checked in the service)."""
    from coopkit.coops.models import Coop
    from coopkit.extensions import db
    from coopkit.proposals import services

    with app.app_context():
        coop = db.session.get(Coop, crew.coop.id)
        special = services.counting_rule(coop, services.Draft(title="x", kind="written_special"))
        assert special == (75, "eligible")                                 # a written resolution: all members
        stricter = services.Draft(title="x", kind="written_ordinary", preset="custom", threshold_percent=60,
                                  basis="eligible")
        assert services.counting_rule(coop, stricter) == (60, "eligible")
        on_votes_cast = services.Draft(title="x", kind="written_ordinary", preset="custom", threshold_percent=60,
                                       basis="cast")
        with pytest.raises(services.ProposalError, match="stricter, never weaker"):
            services.counting_rule(coop, on_votes_cast)                    # "of votes cast" is weaker
        weaker = services.Draft(title="x", kind="written_special", preset="custom", threshold_percent=60,
                                basis="eligible")
        with pytest.raises(services.ProposalError, match="stricter, never weaker"):
            services.counting_rule(coop, weaker)                           # weaker than special 75%
        db.session.remove()
