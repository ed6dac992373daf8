"""Sealing a secret ballot while its vote is open: a pure core with no Flask or database import
(in the base layer because the co-op export re-seals the ballot box when a co-op is restored).

A sealed ballot is encrypted and authenticated with a key that never enters the database (it is
derived from the application's secret key), padded to a fixed length so its size says nothing
about the choice, and bound to the proposal and the box row it was written for, so a row copied
to another proposal or another id does not open. Built only on the standard library (HMAC-SHA256):

- keystream block i = HMAC(enc_key, nonce || i), XORed with the padded plaintext (a PRF in
  counter mode, with a fresh 16-byte random nonce per ballot);
- tag = HMAC(mac_key, context || nonce || ciphertext), checked in constant time before anything
  is decrypted (encrypt-then-MAC).
"""

from __future__ import annotations

import base64
import functools
import hmac
import json
import secrets

#: every sealed plaintext is padded to a multiple of this many bytes
PAD = 512
NONCE = 16
TAG = 32


class SealError(ValueError):
    """A sealed ballot that does not open: altered, moved, or sealed under another key."""


def ballot_context(proposal_id: int, box_id: str) -> str:
    """What a sealed ballot is bound to: its proposal and its ballot-box row."""
    return f"coopkit ballot: proposal {proposal_id}, box {box_id}"


def meeting_ballot_context(item_id: int, box_id: str) -> str:
    """What a sealed ballot of a secret poll at a general meeting is bound to: its agenda item and box row."""
    return f"coopkit meeting ballot: item {item_id}, box {box_id}"


def box_key(secret_key: str | bytes) -> bytes:
    """The ballot box's key, derived from the application's secret key (kept outside the database)."""
    if isinstance(secret_key, str):
        secret_key = secret_key.encode("utf-8")
    return hmac.digest(secret_key, b"coopkit ballot box v1", "sha256")


@functools.lru_cache(maxsize=8)
def _subkeys(key: bytes) -> tuple[bytes, bytes]:
    # kept per key: derived from the key, which the process holds anyway
    return (hmac.digest(key, b"encrypt", "sha256"), hmac.digest(key, b"authenticate", "sha256"))


def _keystream(enc_key: bytes, nonce: bytes, length: int) -> bytes:
    blocks = (length + 31) // 32
    return b"".join(hmac.digest(enc_key, nonce + i.to_bytes(8, "big"), "sha256") for i in range(blocks))[:length]


def _xor(data: bytes, stream: bytes) -> bytes:
    return (int.from_bytes(data, "big") ^ int.from_bytes(stream, "big")).to_bytes(len(data), "big")


def seal(key: bytes, payload: dict, context: str) -> str:
    """Encrypt and authenticate ``payload`` (JSON-able) for ``context``; returns ASCII text."""
    body = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode("utf-8")
    length = len(body).to_bytes(4, "big")
    plain = length + body
    plain += b"\0" * (-len(plain) % PAD)
    enc_key, mac_key = _subkeys(key)
    nonce = secrets.token_bytes(NONCE)
    cipher = _xor(plain, _keystream(enc_key, nonce, len(plain)))
    tag = hmac.digest(mac_key, context.encode("utf-8") + b"\0" + nonce + cipher, "sha256")
    return base64.b64encode(nonce + cipher + tag).decode("ascii")


def unseal(key: bytes, sealed: str, context: str) -> dict:
    """Check and decrypt a sealed ballot; raises SealError if it was altered, moved or sealed
    under another key."""
    try:
        raw = base64.b64decode(sealed.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError):
        raise SealError("not a sealed ballot") from None
    if len(raw) < NONCE + PAD + TAG or (len(raw) - NONCE - TAG) % PAD:
        raise SealError("not a sealed ballot")
    nonce, cipher, tag = raw[:NONCE], raw[NONCE:-TAG], raw[-TAG:]
    enc_key, mac_key = _subkeys(key)
    expected = hmac.digest(mac_key, context.encode("utf-8") + b"\0" + nonce + cipher, "sha256")
    if not hmac.compare_digest(tag, expected):
        raise SealError("the sealed ballot does not match its seal")
    # decrypt the length, then only the bytes it covers (the padding after them is never read):
    # the early-close test opens every sealed ballot of an open vote, at every vote near the end
    head = _xor(cipher[:4], _keystream(enc_key, nonce, 4))
    end = min(len(cipher), 4 + int.from_bytes(head, "big"))
    plain = _xor(cipher[:end], _keystream(enc_key, nonce, end))
    return json.loads(plain[4:end].decode("utf-8"))
