"""The vote page: phone-first, no JavaScript, one form per method. Called by views.vote."""

from __future__ import annotations

from flask import flash, g, make_response, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import SelectField

from coopkit.coops.queries import member_for_user
from coopkit.database import utcnow, write_transaction
from coopkit.forms import digits
from coopkit.proposals import closing, forms, queries, services, tally, voting
from coopkit.web import keep_changes


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def rank_form(proposal):
    """A form with one 'place' select per candidate (rank_0, rank_1, ...)."""
    options = proposal.options

    class RankForm(forms.RankForm):
        pass

    places = forms.choices([("", "Not ranked")] + [(k, f"{_ordinal(k)} choice") for k in range(1, len(options) + 1)])
    for i, name in enumerate(options):
        setattr(RankForm, f"rank_{i}", SelectField(name, choices=places, default=""))
    return RankForm()


def vote_form(proposal):
    form = forms.VoteForm()
    if proposal.method == "poll":
        form.choice.choices = forms.choices(list(enumerate(proposal.options)) + [(tally.ABSTAIN, "Abstain")])
    else:
        form.choice.choices = forms.choices((c, tally.CHOICE_LABELS[c]) for c in tally.SIMPLE_CHOICES[proposal.method])
    return form


def _ranking_from(form, proposal) -> list[int]:
    placed = []
    for i in range(len(proposal.options)):
        value = form[f"rank_{i}"].data
        if value:
            placed.append((int(value), i))
    places = [p for p, _ in placed]
    if len(set(places)) != len(places):
        raise services.VoteError("Each place (1st, 2nd, ...) can go to only one candidate. "
                                 "Give every candidate you rank a different place.")
    return [i for _, i in sorted(placed)]


def _why_not(proposal, member) -> str | None:
    """Why this member cannot vote on this proposal now, or None."""
    if proposal.state != "open":
        return {"draft": "Voting has not opened yet.", "withdrawn": "This proposal was withdrawn."}.get(
            proposal.state, "Voting on this proposal has closed.")
    if not voting.on_roll(proposal, member):
        return "You are not on the voter roll for this proposal (it was fixed when voting opened)."
    if proposal.secret and member is not None and voting.vote_version(proposal, member):
        return "You have voted in this secret ballot. A secret vote can't be changed."
    return None


def vote_page(proposal):
    member = member_for_user(g.coop, current_user)
    is_election = proposal.method == "election"
    form = rank_form(proposal) if is_election else vote_form(proposal)
    problem = None
    if request.method == "POST":
        if not form.validate_on_submit():
            if "choice" in form.errors:
                form.choice.errors = ["Choose one of the options shown."]
            for name in list(form.errors):
                if name.startswith("rank_"):
                    form[name].errors = ["Choose a place from the list."]
            problem = _why_not(proposal, member)
            if "csrf_token" in form.errors:
                problem = problem or "The form expired. Reload the page and vote again."
        elif member is None:
            problem = _why_not(proposal, member)
        else:
            # Everything up to here only read (the view writes late: on SQLite without the write
            # lock). The vote is one short write transaction, committed before the answer is
            # rendered; inside it cast_vote reads again all it decides on (open, on the roll, not
            # voted yet: the unique constraint) and writes nothing when it refuses.
            try:
                raw = _ranking_from(form, proposal) if is_election else form.choice.data
                seen = form.seen.data
                with write_transaction():
                    outcome, may_have_passed = closing.cast_vote_and_check(
                        proposal, g.coop, member, raw, seen=int(seen) if digits(seen) else None)
            except services.VoteError as exc:
                problem = str(exc)
            else:
                closed = None
                if may_have_passed and closing.passes_at_once(proposal):   # counted without the lock
                    with write_transaction():   # tests again, and closes claiming the row (close_proposal)
                        closed = closing.close_when_passed(proposal, actor=current_user)
                if closed is not None:
                    flash("That vote passed it: the required share of all members have agreed, so it has "
                          "closed.", "success")
                if outcome.receipt:
                    keep_changes()   # committed already; said for the commit rule's sake
                    # shown once and never stored with the voter: keep it out of the browser's cache too
                    response = make_response(render_template("proposals/receipt.html", proposal=proposal,
                                                             receipt=outcome.receipt))
                    response.headers["Cache-Control"] = "no-store"
                    return response
                flash("Your vote has been changed." if outcome.changed else "Your vote has been recorded.", "success")
                return redirect(url_for("proposals.show", number=proposal.number))
    if request.method == "GET":
        problem = _why_not(proposal, member)
    current = queries.my_open_choice(proposal, member)
    if request.method == "GET" or problem:
        form.seen.data = str(voting.vote_version(proposal, member) if member is not None else 0)
        if current is not None and request.method == "GET":
            if is_election:
                for place, index in enumerate(current, start=1):
                    form[f"rank_{index}"].data = str(place)
            else:
                form.choice.data = str(current)
    roll, voted = queries.roll_counts(proposal)
    # the form is offered only while this member can still vote (a wrong choice or a stale form
    # leaves it on the page, with the message, to try again)
    show_form = (proposal.state == "open" and voting.on_roll(proposal, member)
                 and not (proposal.closes_at is not None and utcnow() >= proposal.closes_at)
                 and not (proposal.secret and voting.vote_version(proposal, member)))
    return render_template(
        "proposals/vote.html", proposal=proposal, form=form, problem=problem, is_election=is_election,
        show_form=show_form,
        current=queries.describe_choice(proposal, current) if current is not None else None,
        weak_secrecy=proposal.secret and 0 < roll < services.WEAK_SECRECY_BELOW, roll=roll, voted=voted,
        rank_fields=[form[f"rank_{i}"] for i in range(len(proposal.options))] if is_election else [],
    )
