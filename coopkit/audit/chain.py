"""Hash chaining for the audit log: a pure core with no Flask or database import.

Each event's hash is SHA-256 over the previous event's hash and the canonical
JSON of the event's own fields, so editing, removing or reordering any event
breaks every hash after it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

GENESIS = "0" * 64


def canonical_json(value: object) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def event_hash(previous_hash: str, fields: Mapping[str, object]) -> str:
    payload = previous_hash + "\n" + canonical_json(dict(fields))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Problem:
    seq: int
    reason: str


def verify(events: Iterable[tuple[int, str, str, Mapping[str, object]]]) -> Problem | None:
    """Check a chain given as (seq, prev_hash, hash, fields) in stored order.

    Returns the first problem found, or None when the chain is intact.
    """
    expected_prev = GENESIS
    expected_seq = 1
    for seq, prev_hash, stored_hash, fields in events:
        if seq != expected_seq:
            return Problem(seq, f"expected event {expected_seq} here, found {seq} (removed or reordered)")
        if prev_hash != expected_prev:
            return Problem(seq, "its previous-hash does not match the event before it")
        if event_hash(prev_hash, fields) != stored_hash:
            return Problem(seq, "its content does not match its hash (edited)")
        expected_prev = stored_hash
        expected_seq += 1
    return None
