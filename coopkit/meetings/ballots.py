"""The ballots of a poll at a general meeting: an open poll stores each choice with the member;
a secret poll seals it in the ballot box (coopkit.seal, as the proposals' secret votes do) and
writes the choices, with no member and in random order, only when the poll closes.

Who voted is a MeetingVoter row (written by coopkit.meetings.conduct); what was chosen is never
stored beside it: while a secret poll is open, the voter's transaction writes only a sealed row
with a random id; at close every sealed row of the item is opened, deleted, and its choice
written with a new random id, shuffled, in the closing transaction.
"""

from __future__ import annotations

import json
import logging
import secrets

import sqlalchemy as sa
from flask import current_app

from coopkit.extensions import db
from coopkit.meetings.common import MeetingError
from coopkit.meetings.models import (
    AgendaItem,
    MeetingBallot,
    MeetingBallotBox,
    MeetingRanking,
    random_id,
)
from coopkit.seal import SealError, box_key, meeting_ballot_context, seal, unseal

log = logging.getLogger("coopkit.meetings")


def _key() -> bytes:
    return box_key(current_app.config["SECRET_KEY"])


def put(item: AgendaItem, member_id: int, choice: str | None = None, ranking: list[int] | None = None) -> None:
    """Store one ballot: with the member on an open poll, sealed in the box on a secret one.
    Changes: one MeetingBallot, MeetingRanking or MeetingBallotBox row. Flushes."""
    if item.secret:
        box_id = random_id()
        payload = {"ranking": list(ranking)} if ranking is not None else {"choice": choice}
        db.session.add(MeetingBallotBox(id=box_id, item_id=item.id,
                                        sealed=seal(_key(), payload, meeting_ballot_context(item.id, box_id))))
    elif ranking is not None:
        db.session.add(MeetingRanking(item_id=item.id, member_id=member_id, ranking=json.dumps(list(ranking))))
    else:
        db.session.add(MeetingBallot(item_id=item.id, member_id=member_id, choice=choice))
    db.session.flush()


def empty_box(item: AgendaItem) -> int:
    """Open every sealed ballot of a secret poll, delete the box rows and write the choices with no
    member, new random ids, in random order. Changes: MeetingBallotBox rows deleted, MeetingBallot
    or MeetingRanking rows added. Flushes. Returns how many."""
    rows = db.session.execute(sa.select(MeetingBallotBox.id, MeetingBallotBox.sealed)
                              .where(MeetingBallotBox.item_id == item.id)).all()
    if not rows:
        return 0
    key, opened = _key(), []
    for box_id, sealed in rows:
        try:
            opened.append(unseal(key, sealed, meeting_ballot_context(item.id, box_id)))
        except SealError:
            log.error("Meeting item %s: a sealed ballot does not open (altered, or the secret key changed)", item.id)
            raise MeetingError("A sealed ballot of this poll does not open (it was altered, or the site's secret "
                               "key changed while the poll was open): the poll can't be counted. Ask the site's "
                               "operator.") from None
    secrets.SystemRandom().shuffle(opened)
    db.session.execute(sa.delete(MeetingBallotBox).where(MeetingBallotBox.item_id == item.id)
                       .execution_options(synchronize_session=False))
    choices = [{"id": random_id(), "item_id": item.id, "member_id": None, "choice": b["choice"]}
               for b in opened if "choice" in b]
    rankings = [{"id": random_id(), "item_id": item.id, "member_id": None, "ranking": json.dumps(b["ranking"])}
                for b in opened if "ranking" in b]
    if choices:
        db.session.execute(sa.insert(MeetingBallot), choices)
    if rankings:
        db.session.execute(sa.insert(MeetingRanking), rankings)
    db.session.flush()
    return len(opened)


def rankings(item: AgendaItem) -> list[tuple[int, ...]]:
    """The ranked ballots of an election (after the box is emptied). Reads only."""
    return [tuple(json.loads(r)) for r in db.session.execute(
        sa.select(MeetingRanking.ranking).where(MeetingRanking.item_id == item.id)).scalars()]
