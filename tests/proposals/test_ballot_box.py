"""The ballot box: sealing (a pure core), a tampered box stopping the close, and an open secret
vote surviving a co-op's export and restore on the same installation (and only there)."""

from __future__ import annotations

import base64
import json

import pytest
import sqlalchemy as sa

from coopkit.extensions import db
from coopkit.seal import PAD, SealError, ballot_context, box_key, seal, unseal
from tests.proposals.conftest import make_open

KEY = box_key("a test secret key, long enough")


def test_a_sealed_ballot_opens_only_unaltered_with_its_key_and_its_place():
    sealed = seal(KEY, {"receipt": "ABCD-EFGH-JKLM", "choice": '"for"'}, ballot_context(1, "aa"))
    assert "ABCD" not in sealed and "for" not in sealed
    assert unseal(KEY, sealed, ballot_context(1, "aa")) == {"receipt": "ABCD-EFGH-JKLM", "choice": '"for"'}
    raw = bytearray(base64.b64decode(sealed))
    raw[40] ^= 1
    flipped = base64.b64encode(bytes(raw)).decode()
    for key, text, context in ((KEY, flipped, ballot_context(1, "aa")),          # altered
                               (KEY, sealed, ballot_context(2, "aa")),           # moved to another proposal
                               (KEY, sealed, ballot_context(1, "bb")),           # copied to another row
                               (box_key("another secret key, long enough"), sealed, ballot_context(1, "aa")),
                               (KEY, "not base64 at all!", ballot_context(1, "aa"))):
        with pytest.raises(SealError):
            unseal(key, text, context)


def test_sealed_ballots_are_all_the_same_size_and_never_repeat():
    ranking = json.dumps(list(range(30)))
    sizes = {len(seal(KEY, {"receipt": "ABCD-EFGH-JKLM", "choice": c}, "x"))
             for c in ('"for"', '"against"', '"stand_aside"', "0", ranking)}
    assert len(sizes) == 1 and sizes.pop() >= PAD
    same = {seal(KEY, {"choice": '"for"'}, "x") for _ in range(20)}
    assert len(same) == 20           # a fresh nonce each time: equal choices don't look equal


def _vote(app, pid, member_id, choice):
    from coopkit.coops.models import Coop, Member
    from coopkit.proposals import voting
    from coopkit.proposals.models import Proposal

    with app.app_context():
        proposal = db.session.get(Proposal, pid)
        outcome = voting.cast_vote(proposal, db.session.get(Coop, proposal.coop_id),
                                   db.session.get(Member, member_id), choice)
        db.session.commit()
        db.session.remove()
        return outcome.receipt


def test_a_tampered_ballot_box_stops_the_close_and_counts_nothing(app, crew):
    from coopkit.proposals import closing
    from coopkit.proposals.ballotbox import BallotBoxError
    from coopkit.proposals.models import Ballot, BallotBox, Proposal

    _, pid = make_open(app, crew, secret=True)
    for (_, member), choice in zip(crew.people, ("for", "against", "for"), strict=True):
        _vote(app, pid, member.id, choice)
    with app.app_context():
        one = db.session.execute(sa.select(BallotBox)).scalars().first()
        other = seal(box_key(app.config["SECRET_KEY"]), {"receipt": "ZZZZ-ZZZZ-ZZZZ", "choice": '"against"'},
                     ballot_context(pid, "forged"))
        one.sealed = other            # a forged ballot sealed for another row
        db.session.commit()
        with pytest.raises(BallotBoxError):
            closing.close_proposal(db.session.get(Proposal, pid), notify=False)
        db.session.rollback()
        assert db.session.get(Proposal, pid).state == "open"
        assert db.session.execute(sa.select(sa.func.count()).select_from(Ballot)).scalar_one() == 0
        db.session.remove()


def test_an_open_secret_vote_survives_export_and_restore(app, crew):
    from coopkit.coops.models import Coop
    from coopkit.proposals import closing
    from coopkit.proposals.models import Ballot, BallotBox, Proposal
    from coopkit.register.exchange import ExchangeError, export_coop, import_coop

    number, pid = make_open(app, crew, secret=True)
    receipts = {_vote(app, pid, member.id, choice): choice
                for (_, member), choice in zip(crew.people, ("for", "against", "for"), strict=True)}
    with app.app_context():
        archive = export_coop(db.session.get(Coop, crew.coop.id))
        assert not any(r.encode() in archive for r in receipts)
        restored = import_coop(archive, "crew-restored")
        db.session.commit()
        new = db.session.execute(sa.select(Proposal).where(Proposal.coop_id == restored.id,
                                                           Proposal.number == number)).scalar_one()
        assert db.session.execute(sa.select(sa.func.count()).where(BallotBox.proposal_id == new.id)).scalar() == 3
        closing.close_proposal(new, notify=False)
        db.session.commit()
        counted = dict(db.session.execute(sa.select(Ballot.receipt, Ballot.choice)
                                          .where(Ballot.proposal_id == new.id)).all())
        assert counted == {r: json.dumps(c) for r, c in receipts.items()}
        # another installation (another secret key) can't open them: the restore stops, keeps nothing
        key = app.config["SECRET_KEY"]
        app.config["SECRET_KEY"] = "a different installation's secret key"
        try:
            with pytest.raises(ExchangeError, match="only open with the secret key"):
                import_coop(archive, "crew-elsewhere")
        finally:
            app.config["SECRET_KEY"] = key
        db.session.rollback()
        assert db.session.execute(sa.select(Coop.id).where(Coop.slug == "crew-elsewhere")).first() is None
        db.session.remove()
