"""The one definition of an audit record's bytes and of the hash chain over them.

Canonical JSON: keys sorted, no whitespace, UTF-8 (no \\u escapes for non-ASCII), times as ISO 8601 in
UTC with microseconds and a `Z` (`2026-12-06T21:58:00.000000Z`; a naive time is taken as UTC).

A record is the canonical JSON of `{action, actor, after, at, before, object_id, object_type, seq}`;
`hash(n) = SHA-256(hash(n-1) ‖ record(n))` over the 32 raw digest bytes of the previous hash, starting
from 32 zero bytes (`GENESIS`). Stored hashes are lower-case hex.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import msgspec

__all__ = ["GENESIS", "canonical_json", "canonical_time", "chain_hash", "record_bytes"]

GENESIS = bytes(32)
"""The 'previous hash' of the first record."""

_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def canonical_time(moment: datetime) -> str:
    """`moment` in UTC as `YYYY-MM-DDTHH:MM:SS.ffffffZ` (naive times are UTC)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime(_TIME_FORMAT)


def _plain(value: Any) -> Any:
    """JSON-ready values: times in canonical form, tuples and sets as lists, Decimals as strings."""
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, set | frozenset):
        return sorted(_plain(item) for item in value)
    if isinstance(value, datetime):
        return canonical_time(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def canonical_json(value: Any) -> bytes:
    """The canonical JSON bytes of a JSON-like value (see the module's docstring)."""
    return msgspec.json.encode(_plain(value), order="sorted")


_escape = msgspec.json.Encoder().encode
_RECORD = b'{"action":%b,"actor":%b,"after":%b,"at":%b,"before":%b,"object_id":%d,"object_type":%b,"seq":%d}'
"""A record's keys in sorted order; strings go in JSON-escaped, `before` and `after` as their canonical text."""


def _raw(value: str | bytes | None) -> bytes:
    if value is None:
        return b"null"
    return value.encode() if isinstance(value, str) else value


def record_bytes(
    seq: int,
    at: str,
    actor: str,
    object_type: str,
    object_id: int,
    action: str,
    before: str | bytes | None,
    after: str | bytes | None,
) -> bytes:
    """The canonical JSON of one record, from its stored columns (`at` already canonical, `before` and
    `after` already canonical JSON text or None): equal to `canonical_json` of the record as a dict (a
    property test holds them together). Verification calls this for every row: keep it lean."""
    return _RECORD % (
        _escape(action),
        _escape(actor),
        _raw(after),
        _escape(at),
        _raw(before),
        object_id,
        _escape(object_type),
        seq,
    )


def chain_hash(previous: bytes, record: bytes) -> bytes:
    """SHA-256(previous hash ‖ record), as 32 raw bytes."""
    return hashlib.sha256(previous + record).digest()
