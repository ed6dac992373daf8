"""`coopkit export` then `coopkit import`: the restored co-op is identical (registers, founding
answers, rules versions, proposals and ballots as secrecy allows, the audit log), and no
secret ballot is ever linked to a member."""

from __future__ import annotations

import io
import json
import zipfile
from unittest import mock

import pytest
import sqlalchemy as sa
from flask import current_app

from coopkit.audit import chain as chainlib
from coopkit.audit.models import ArchivedAuditEvent, AuditEvent
from coopkit.extensions import db
from coopkit.register import exchange
from coopkit.seal import ballot_context, box_key, unseal


@pytest.fixture()
def demo(app):
    from coopkit import demo as demo_data

    with app.app_context():
        demo_data.seed()
        db.session.commit()


def tables_of(data: bytes) -> tuple[dict, dict, list]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        users = json.loads(archive.read("users.json"))
        tables = {name: json.loads(archive.read(f"tables/{name}.json")) for name in manifest["tables"]}
    return manifest, tables, users


def normalise(tables: dict, users: list) -> dict:
    """Replace every id by something the same in both co-ops: integer keys by their rank in the
    table, foreign keys by the rank of what they point at, users by email; random keys dropped."""
    email = {u["id"]: u["email"] for u in users}
    metadata = db.metadata
    rank = {}
    for name, rows in tables.items():
        pk = [c.name for c in metadata.tables[name].primary_key.columns]
        if len(pk) == 1 and all(isinstance(r[pk[0]], int) for r in rows):
            rank[name] = {r[pk[0]]: i for i, r in enumerate(sorted(rows, key=lambda r: r[pk[0]]))}
    out = {}
    for name, rows in tables.items():
        table = metadata.tables[name]
        pk = [c.name for c in table.primary_key.columns]
        result = []
        for row in rows:
            new = {}
            for column, value in row.items():
                col = table.c[column]
                if column == "coop_id":
                    continue
                if column in pk:
                    new[column] = rank[name][value] if name in rank else None
                elif col.foreign_keys and value is not None:
                    target = next(iter(col.foreign_keys)).column.table.name
                    new[column] = email[value] if target == "users" else rank.get(target, {}).get(value, value)
                elif name == "ballot_box" and column == "sealed":
                    # re-sealed on restore (bound to the new proposal and box id): compare what it holds
                    new[column] = unseal(box_key(current_app.config["SECRET_KEY"]), value,
                                         ballot_context(row["proposal_id"], row["id"]))
                elif (name, column) in exchange.SOFT_REFERENCES and value is not None:
                    new[column] = rank[exchange.SOFT_REFERENCES[(name, column)]][value]
                else:
                    new[column] = value
            result.append(new)
        out[name] = sorted(result, key=lambda r: json.dumps(r, sort_keys=True))
    return out


def test_round_trip_is_identical(app, demo):
    from coopkit.coops.models import Coop

    with app.app_context():
        original = db.session.execute(sa.select(Coop).where(Coop.slug == "preston-digital")).scalar_one()
        first = exchange.export_coop(original)
        db.session.commit()
        copy = exchange.import_coop(first, "preston-copy")
        db.session.commit()
        second = exchange.export_coop(copy)
        db.session.commit()
        copy_id = copy.id

    manifest1, tables1, users1 = tables_of(first)
    manifest2, tables2, users2 = tables_of(second)
    # the registers and everything else the co-op holds
    for name in ("members", "share_transactions", "officers", "member_property", "register_amendments",
                 "founding_answers", "rules_versions", "proposals", "ballots", "participations",
                 "voter_roll_entries"):
        assert name in tables1 and tables1[name], f"the demo should give {name} rows"
    audit1 = tables1.pop("audit_events")
    tables2.pop("audit_events")
    archived2 = tables2.pop("audit_archived_events")
    tables1.pop("audit_archived_events", None)
    with app.app_context():
        assert normalise(tables1, users1) == normalise(tables2, users2)
    assert {k: manifest1["coop"][k] for k in exchange.COOP_FIELDS} == \
        {k: manifest2["coop"][k] for k in exchange.COOP_FIELDS}

    # the audit log: kept verbatim in the copy, hashes and all, and still verifiable
    def strip(rows):
        return sorted(({k: v for k, v in r.items() if k not in ("id", "coop_id")} for r in rows),
                      key=lambda r: (r["chain"], r["seq"]))

    assert strip(archived2) == strip(audit1)
    with app.app_context():
        from coopkit.audit.services import chain_name, verify_archived, verify_chain

        reports = verify_archived(copy_id)
        assert [(r.events, r.problem) for r in reports] == [(len(audit1), None)]
        assert verify_chain(chain_name(copy_id)).problem is None
        imported = db.session.execute(sa.select(AuditEvent).where(AuditEvent.coop_id == copy_id,
                                                                  AuditEvent.action == "coop.imported")).scalar_one()
        assert json.loads(imported.data)["archived_head_hash"] == max(audit1, key=lambda r: r["seq"])["hash"]


def test_secret_ballots_are_never_linked_to_a_member(app, demo):
    from coopkit.coops.models import Coop, Member
    from coopkit.database import utcnow
    from coopkit.proposals.closing import close_proposal
    from coopkit.proposals.models import Ballot, Proposal

    with app.app_context():
        coop = db.session.execute(sa.select(Coop).where(Coop.slug == "preston-digital")).scalar_one()
        # the demo's secret poll is open (its ballots sealed in the box): close it, so the export
        # carries counted secret ballots as well
        for proposal in db.session.execute(sa.select(Proposal).where(
                Proposal.coop_id == coop.id, Proposal.secret.is_(True), Proposal.state == "open")).scalars():
            close_proposal(proposal, now=utcnow())
        db.session.commit()
        data = exchange.export_coop(coop)
        secret = set(db.session.execute(sa.select(Proposal.id).where(Proposal.coop_id == coop.id,
                                                                     Proposal.secret.is_(True))).scalars())
        assert secret, "the demo has a secret ballot"
        _, tables, _ = tables_of(data)
        secret_ballots = [b for b in tables["ballots"] if b["proposal_id"] in secret]
        assert secret_ballots and all(b["member_id"] is None for b in secret_ballots)
        assert not [c for c in tables.get("ballot_changes", []) if c["proposal_id"] in secret]
        # the database refuses a secret ballot that names a member ...
        ballot = db.session.execute(sa.select(Ballot).where(Ballot.proposal_id.in_(secret)).limit(1)).scalar_one()
        ballot.member_id = db.session.execute(sa.select(Member.id).where(Member.coop_id == coop.id).limit(1)
                                              ).scalar_one()
        with pytest.raises(sa.exc.IntegrityError):
            db.session.flush()
        db.session.rollback()
        # ... and the export refuses to write one, should such a row ever exist: here every
        # proposal with member-named ballots is treated as secret
        open_ids = set(db.session.execute(sa.select(Ballot.proposal_id).where(Ballot.member_id.is_not(None))
                                          ).scalars())
        assert open_ids
        coop = db.session.execute(sa.select(Coop).where(Coop.slug == "preston-digital")).scalar_one()
        with mock.patch.object(exchange, "_secret_proposal_ids", return_value=open_ids), \
                pytest.raises(exchange.ExchangeError, match="secret choice"):
            exchange.export_coop(coop)
        db.session.rollback()


def test_import_refuses_a_changed_archive_and_writes_nothing(app, demo):
    from coopkit.coops.models import Coop

    with app.app_context():
        coop = db.session.execute(sa.select(Coop).where(Coop.slug == "preston-digital")).scalar_one()
        data = exchange.export_coop(coop)
        db.session.commit()
        coops_before = db.session.execute(sa.select(sa.func.count()).select_from(Coop)).scalar_one()

    def rewrite(data: bytes, name: str, change) -> bytes:
        source = zipfile.ZipFile(io.BytesIO(data))
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as target:
            for info in source.infolist():
                body = source.read(info.filename)
                target.writestr(info.filename, change(body) if info.filename == name else body)
        return out.getvalue()

    def edit_event(body: bytes) -> bytes:
        rows = json.loads(body)
        rows[3]["action"] = "member.forged"
        return json.dumps(rows).encode()

    tampered_members = rewrite(data, "tables/members.json", lambda b: b.replace(b"Eli Morgan", b"Evil Morgan"))
    # an edited audit event whose checksum was recomputed too: the chain itself catches it
    forged = rewrite(data, "tables/audit_events.json", edit_event)
    with zipfile.ZipFile(io.BytesIO(forged)) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        import hashlib

        manifest["tables"]["audit_events"]["sha256"] = hashlib.sha256(
            archive.read("tables/audit_events.json")).hexdigest()
    forged = rewrite(forged, "manifest.json", lambda b: json.dumps(manifest).encode())
    cases = [(tampered_members, "does not match its checksum"), (forged, "broken at event 4"),
             (b"not a zip", "not a zip archive"), (data, "already uses this address")]
    for archive_bytes, message in cases:
        slug = "preston-digital" if archive_bytes is data else "tampered-copy"
        with app.app_context():
            with pytest.raises(exchange.ExchangeError, match=message):
                exchange.import_coop(archive_bytes, slug)
            db.session.rollback()
            assert db.session.execute(sa.select(sa.func.count()).select_from(Coop)).scalar_one() == coops_before
            assert not db.session.execute(sa.select(ArchivedAuditEvent.id)).first()


def test_cli_export_and_import(app, demo, tmp_path):
    runner = app.test_cli_runner()
    out = tmp_path / "preston.zip"
    result = runner.invoke(args=["export", "preston-digital", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Exported preston-digital" in result.output and out.stat().st_size > 1000
    result = runner.invoke(args=["import", str(out), "--slug", "preston-restored"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["import", str(out), "--slug", "preston-restored"])
    assert result.exit_code == 1 and "Nothing was imported" in result.output
    result = runner.invoke(args=["export", "no-such-coop", "--out", str(tmp_path / "x.zip")])
    assert result.exit_code != 0 and "No co-op" in result.output
    with app.app_context():
        from coopkit.coops.models import Coop, Member

        ids = dict(db.session.execute(sa.select(Coop.slug, Coop.id)).all())
        names = [sorted(db.session.execute(sa.select(Member.full_name, Member.status, Member.admitted_on)
                                           .where(Member.coop_id == ids[slug])).all())
                 for slug in ("preston-digital", "preston-restored")]
        assert names[0] == names[1] and len(names[0]) >= 14
    assert chainlib.GENESIS  # the chain module is what verify uses


def test_audit_verify_checks_the_archived_log_too(app, demo, tmp_path):
    runner = app.test_cli_runner()
    out = tmp_path / "preston.zip"
    assert runner.invoke(args=["export", "preston-digital", "--out", str(out)]).exit_code == 0
    assert runner.invoke(args=["import", str(out), "--slug", "preston-restored"]).exit_code == 0
    result = runner.invoke(args=["audit", "verify", "preston-restored"])
    assert result.exit_code == 0 and "archive of coop:" in result.output and "BROKEN" not in result.output
    with app.app_context():
        db.session.execute(sa.update(ArchivedAuditEvent).where(ArchivedAuditEvent.seq == 7)
                           .values(action="member.forged"))
        db.session.commit()
    result = runner.invoke(args=["audit", "verify", "preston-restored"])
    assert result.exit_code == 1
    assert "BROKEN at event 7: its content does not match its hash (edited)" in result.output
    assert runner.invoke(args=["audit", "verify"]).exit_code == 1
