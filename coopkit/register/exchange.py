"""Export all of a co-op's data to a zip file, and restore it into a fresh co-op.

Generic over the schema, so features added later are included without changes
here: every table with a ``coop_id`` column is exported, plus the rows of child
tables that reach those by foreign key (ballots via proposals, for instance).
See docs/export-format.md for the format.

Never exported: a table or column whose ``info`` says ``{"export": False}``, the
tables in :data:`EXCLUDED_TABLES` (the PDF cache, the chain heads, invitation
tokens), and anything linking a member to a secret choice (a secret ballot row
carries no member by design; we also refuse to export any ballot row that has
both a member and a secret proposal, as a second line of defence).
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import logging
import secrets
import zipfile
from datetime import date, datetime

import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from coopkit.audit import chain as chainlib
from coopkit.audit.models import ArchivedAuditEvent
from coopkit.audit.services import record
from coopkit.coops.models import Coop
from coopkit.coops.slugs import CoopError, check_slug
from coopkit.database import utcnow
from coopkit.extensions import db
from coopkit.seal import SealError, ballot_context, box_key, meeting_ballot_context, seal, unseal

log = logging.getLogger("coopkit.register")

FORMAT = "coopkit-export"
FORMAT_VERSION = 1
#: never exported: caches, chain bookkeeping and one-time credentials
EXCLUDED_TABLES = {"cached_documents", "audit_chain_heads", "invitations",
                   # the platform's requests to join a cohort: a restored co-op is in no cohort
                   "cohort_requests"}
#: platform tables: referenced (users by email) but never copied wholesale
PLATFORM_TABLES = {"users", "coops", "cohorts", "mentor_assignments", "alembic_version"}
#: exported but not replayed into the new co-op (its own chain starts afresh; see the docs)
ARCHIVE_ONLY_TABLES = {"audit_events"}
#: plain integer columns that refer to another table's id without a foreign key
SOFT_REFERENCES = {
    ("members", "admitted_by_proposal_id"): "proposals",
    ("rules_versions", "adopted_by_proposal_id"): "proposals",
}
COOP_FIELDS = ("name", "legal_form", "stage", "registration_number", "registered_on", "registered_office")
MAX_MEMBER_BYTES = 200 * 1024 * 1024


class ExchangeError(ValueError):
    """A clear message about an archive that can't be written or restored."""


def _exportable(table: sa.Table) -> bool:
    return (table.name not in EXCLUDED_TABLES | PLATFORM_TABLES
            and table.info.get("export", True) is not False)


def _columns(table: sa.Table) -> list[sa.Column]:
    return [c for c in table.columns if c.info.get("export", True) is not False]


def plan(metadata: sa.MetaData) -> list[tuple[sa.Table, sa.Column | None, sa.Table | None]]:
    """(table, the foreign key column that ties it to an exported parent, that parent), in
    dependency order. Tables with ``coop_id`` have no parent column."""
    chosen: dict[str, tuple] = {}
    for table in metadata.sorted_tables:
        if not _exportable(table):
            continue
        if "coop_id" in table.columns:
            chosen[table.name] = (table, None, None)
            continue
        for column in table.columns:
            for fk in column.foreign_keys:
                parent = fk.column.table
                if parent.name in chosen and parent is not table:
                    chosen[table.name] = (table, column, parent)
                    break
            if table.name in chosen:
                break
    return list(chosen.values())


def _encode(value):
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    return value


def _decode(column: sa.Column, value):
    if value is None:
        return None
    python_type = None
    try:
        python_type = column.type.python_type
    except NotImplementedError:
        return value
    if python_type is datetime:
        return datetime.fromisoformat(value)
    if python_type is date:
        return date.fromisoformat(value)
    if python_type is bytes:
        return base64.b64decode(value)
    return value


def _secret_proposal_ids(coop_id: int) -> set[int]:
    proposals = db.metadata.tables.get("proposals")
    if proposals is None or "secret" not in proposals.columns:
        return set()
    return set(db.session.execute(sa.select(proposals.c.id).where(
        proposals.c.coop_id == coop_id, proposals.c.secret.is_(True))).scalars())


def export_coop(coop) -> bytes:
    """The co-op's data as a zip archive (bytes). Reads only (records the export in the audit log)."""
    tables: dict[str, list[dict]] = {}
    ids: dict[str, set] = {}
    secret = _secret_proposal_ids(coop.id)
    user_ids: set[int] = set()
    for table, parent_column, parent in plan(db.metadata):
        if parent_column is None:
            query = sa.select(table).where(table.c.coop_id == coop.id)
        else:
            parent_pk = list(parent.primary_key.columns)[0]
            query = sa.select(table).where(parent_column.in_(sa.select(parent_pk).where(
                parent_pk.in_(ids.get(parent.name) or {None}))))
        query = query.order_by(*table.primary_key.columns)
        rows = []
        for row in db.session.execute(query).mappings():
            if "choice" in table.columns and "member_id" in table.columns and "proposal_id" in table.columns \
                    and row["member_id"] is not None and row["proposal_id"] in secret:
                raise ExchangeError("A ballot links a member to a secret choice: refusing to export it.")
            rows.append({c.name: _encode(row[c.name]) for c in _columns(table)})
            for column in table.columns:
                if any(fk.column.table.name == "users" for fk in column.foreign_keys) and row[column.name]:
                    user_ids.add(row[column.name])
        pk = list(table.primary_key.columns)
        ids[table.name] = {r[pk[0].name] for r in rows} if len(pk) == 1 else set()
        tables[table.name] = rows
    users = db.metadata.tables["users"]
    people = [{"id": r.id, "email": r.email, "name": r.name} for r in db.session.execute(
        sa.select(users.c.id, users.c.email, users.c.name).where(users.c.id.in_(user_ids or {0}))
        .order_by(users.c.id))]
    buffer = io.BytesIO()
    manifest = {"format": FORMAT, "version": FORMAT_VERSION, "exported_at": utcnow().isoformat(),
                "coop": {"slug": coop.slug, **{f: _encode(getattr(coop, f)) for f in COOP_FIELDS}},
                "tables": {}, "users": len(people)}
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, rows in tables.items():
            body = json.dumps(rows, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")
            archive.writestr(f"tables/{name}.json", body)
            manifest["tables"][name] = {"rows": len(rows), "sha256": hashlib.sha256(body).hexdigest()}
        archive.writestr("users.json", json.dumps(people, ensure_ascii=False, indent=1).encode("utf-8"))
        archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8"))
    record("coop.exported", coop=coop, data={"tables": len(tables),
                                             "rows": sum(len(r) for r in tables.values())})
    log.info("Coop %s exported", coop.id)
    return buffer.getvalue()


def _read(archive: zipfile.ZipFile, name: str):
    try:
        info = archive.getinfo(name)
    except KeyError:
        raise ExchangeError(f"The archive has no {name}: is it a coopkit export?") from None
    if info.file_size > MAX_MEMBER_BYTES:
        raise ExchangeError(f"{name} is too large.")
    return archive.read(name)


def import_coop(data: bytes, slug: str, actor=None):
    """Restore an archive into a new co-op at ``slug``. All or nothing: any problem raises
    ExchangeError and nothing is kept. Changes: a Coop and every restored row. Flushes."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise ExchangeError("That file is not a zip archive.") from None
    manifest = json.loads(_read(archive, "manifest.json"))
    if manifest.get("format") != FORMAT or manifest.get("version") != FORMAT_VERSION:
        raise ExchangeError("This archive was not made by this version of coopkit's export.")
    try:
        check_slug(slug)
    except CoopError as exc:
        raise ExchangeError(str(exc)) from None
    with db.session.begin_nested():
        source = manifest["coop"]
        coop = Coop(slug=slug, **{f: _decode(Coop.__table__.c[f], source.get(f)) for f in COOP_FIELDS})
        db.session.add(coop)
        db.session.flush()
        user_map = _map_users(json.loads(_read(archive, "users.json")))
        id_map: dict[str, dict] = {}
        soft: list[tuple[sa.Table, object, str, str, object]] = []
        for table, _, _ in plan(db.metadata):
            name = f"tables/{table.name}.json"
            if table.name in ARCHIVE_ONLY_TABLES or table.name not in manifest["tables"]:
                continue
            body = _read(archive, name)
            if hashlib.sha256(body).hexdigest() != manifest["tables"][table.name]["sha256"]:
                raise ExchangeError(f"{name} does not match its checksum: the archive was changed.")
            id_map[table.name] = _restore_table(table, json.loads(body), coop.id, user_map, id_map, soft)
        archived = _archive_audit_log(archive, manifest, coop.id)
        for table, new_pk, column, target, old in soft:
            new_value = id_map.get(target, {}).get(old)
            if target == "proposals" and isinstance(old, int) and old < 0:
                # minus a meeting agenda item's id: a resolution passed at a general meeting (register.authority)
                item = id_map.get("meeting_items", {}).get(-old)
                new_value = -item if item else None
            pk = list(table.primary_key.columns)[0]
            db.session.execute(sa.update(table).where(pk == new_pk).values({column: new_value}))
        db.session.flush()
        record("coop.imported", coop=coop, actor=actor, subject=coop,
               data={"from_slug": source.get("slug"), "archive_sha256": hashlib.sha256(data).hexdigest(),
                     "archived_audit_events": archived[0], "archived_head_hash": archived[1]})
    log.info("Coop %s imported from an archive", coop.id)
    return coop


def _archive_audit_log(archive: zipfile.ZipFile, manifest: dict, coop_id: int) -> tuple[int, str | None]:
    """Keep the exported co-op's audit log verbatim (its hashes still verify) in the new co-op's
    archived events, after checking every chain in it. Returns (events, the last event's hash)."""
    name = "tables/audit_events.json"
    if "audit_events" not in manifest["tables"]:
        return 0, None
    body = _read(archive, name)
    if hashlib.sha256(body).hexdigest() != manifest["tables"]["audit_events"]["sha256"]:
        raise ExchangeError(f"{name} does not match its checksum: the archive was changed.")
    columns = ArchivedAuditEvent.__table__.c
    by_chain: dict[str, list[ArchivedAuditEvent]] = {}
    try:
        for row in json.loads(body):
            event = ArchivedAuditEvent(
                coop_id=coop_id, chain=row["chain"], seq=row["seq"],
                created_at=_decode(columns.created_at, row["created_at"]), actor_id=row.get("actor_id"),
                action=row["action"], subject_type=row.get("subject_type") or "",
                subject_id=row.get("subject_id") or "", data=row.get("data") or "{}",
                prev_hash=row["prev_hash"], hash=row["hash"])
            by_chain.setdefault(event.chain, []).append(event)
    except (KeyError, TypeError, ValueError):
        raise ExchangeError(f"{name} is not an audit log this version of coopkit can read.") from None
    held = set(db.session.execute(sa.select(ArchivedAuditEvent.chain).where(
        ArchivedAuditEvent.coop_id == coop_id).distinct()).scalars())
    last_hash = None
    for chain_name, events in sorted(by_chain.items()):
        if chain_name in held:
            raise ExchangeError(f"The archive holds two audit logs named {chain_name}: it can't be restored here.")
        events.sort(key=lambda e: e.seq)
        problem = chainlib.verify((e.seq, e.prev_hash, e.hash, e.hashed_fields()) for e in events)
        if problem is not None:
            raise ExchangeError(f"The archive's audit log ({chain_name}) is broken at event {problem.seq}: "
                                f"{problem.reason}.")
        db.session.add_all(events)
        last_hash = events[-1].hash
    db.session.flush()
    return sum(len(e) for e in by_chain.values()), last_hash


def _map_users(people: list[dict]) -> dict[int, int]:
    users = db.metadata.tables["users"]
    result = {}
    for person in people:
        email = (person.get("email") or "").lower()
        existing = db.session.execute(sa.select(users.c.id).where(users.c.email == email)).scalar_one_or_none()
        if existing is None:
            # A restored account nobody can log in to until its owner resets the password.
            existing = db.session.execute(users.insert().values(
                email=email, name=person.get("name") or email, is_admin=False, session_version=1,
                created_at=utcnow(),
                password_hash=generate_password_hash(secrets.token_urlsafe(32), method="scrypt"),
            ).returning(users.c.id)).scalar_one()
        result[person["id"]] = existing
    return result


def _restore_table(table, rows, coop_id, user_map, id_map, soft) -> dict:
    pk_columns = list(table.primary_key.columns)
    single_pk = pk_columns[0] if len(pk_columns) == 1 else None
    mapping = {}
    for row in rows:
        values = {}
        pending_soft = []
        for column in _columns(table):
            if column.name not in row:
                continue
            value = _decode(column, row[column.name])
            if column is single_pk:
                continue  # the database (or the column's default) gives a new key
            if column.name == "coop_id":
                value = coop_id
            elif column.foreign_keys and value is not None:
                target = next(iter(column.foreign_keys)).column.table.name
                if target == "users":
                    value = user_map.get(value)
                elif target == "coops":
                    value = coop_id
                elif target in id_map:
                    value = id_map[target].get(value)
                else:
                    value = None
                if value is None and not column.nullable:
                    raise ExchangeError(f"{table.name}: a row refers to something missing from the archive.")
            elif value is not None:
                target = SOFT_REFERENCES.get((table.name, column.name)) or column.info.get("references")
                if target:
                    pending_soft.append((column.name, target, value))
                    value = None
            values[column.name] = value
        if table.name == "ballot_box":
            values.update(_resealed(row, values["proposal_id"]))
        elif table.name == "meeting_ballot_box":
            values.update(_resealed(row, values["item_id"], meeting=True))
        if single_pk is not None:
            new_pk = db.session.execute(table.insert().values(values).returning(single_pk)).scalar_one()
            mapping[row[single_pk.name]] = new_pk
            soft.extend((table, new_pk, name, target, old) for name, target, old in pending_soft)
        else:
            db.session.execute(table.insert().values(values))
    return mapping


def _resealed(row: dict, new_owner_id: int, *, meeting: bool = False) -> dict:
    """A sealed ballot of an open secret vote (a proposal's, or a poll at a meeting), bound again to
    its restored proposal or agenda item and a new box id. It opens only with the key of the
    installation that sealed it (the same COOPKIT_SECRET_KEY): elsewhere the restore stops rather
    than lose votes."""
    from flask import current_app


    key = box_key(current_app.config["SECRET_KEY"])
    context = meeting_ballot_context if meeting else ballot_context
    try:
        payload = unseal(key, row["sealed"], context(row["item_id" if meeting else "proposal_id"], row["id"]))
    except (SealError, KeyError):
        raise ExchangeError("The archive holds sealed ballots of an open secret vote, and they only open with the "
                            "secret key of the installation that made it (COOPKIT_SECRET_KEY). Restore it there, "
                            "or export again once the vote has closed.") from None
    new_id = secrets.token_hex(16)
    return {"id": new_id, "sealed": seal(key, payload, context(new_owner_id, new_id))}
