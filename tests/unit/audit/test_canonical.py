from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from exchange.audit.canonical import GENESIS, canonical_json, canonical_time, chain_hash, record_bytes


def test_canonical_json_sorts_keys_drops_whitespace_and_keeps_utf8() -> None:
    assert canonical_json({"b": 1, "a": {"d": [1, 2], "c": "Größe"}}) == '{"a":{"c":"Größe","d":[1,2]},"b":1}'.encode()


def test_times_are_utc_iso_with_microseconds_and_z() -> None:
    shanghai = timezone(timedelta(hours=8))
    moment = datetime(2026, 12, 7, 5, 58, tzinfo=shanghai)
    assert canonical_time(moment) == "2026-12-06T21:58:00.000000Z"
    assert canonical_time(datetime(2026, 12, 6, 21, 58)) == "2026-12-06T21:58:00.000000Z"  # naive is UTC
    expected = b'{"at":"2026-12-06T21:58:00.000000Z","price":"1.50"}'
    assert canonical_json({"at": moment, "price": Decimal("1.50")}) == expected


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)


@given(
    seq=st.integers(1, 2**40),
    actor=st.text(max_size=12),
    action=st.text(max_size=12),
    object_id=st.integers(0, 2**40),
    before=st.none() | st.dictionaries(st.text(max_size=5), json_values, max_size=3),
    after=st.none() | st.dictionaries(st.text(max_size=5), json_values, max_size=3),
)
def test_record_bytes_from_columns_equal_the_canonical_json_of_the_record(
    seq: int, actor: str, action: str, object_id: int, before: dict | None, after: dict | None
) -> None:
    at = datetime(2026, 12, 6, 21, 0, tzinfo=UTC)
    columns = record_bytes(
        seq,
        canonical_time(at),
        actor,
        "lot",
        object_id,
        action,
        None if before is None else canonical_json(before).decode(),
        None if after is None else canonical_json(after).decode(),
    )
    whole = {
        "seq": seq,
        "at": at,
        "actor": actor,
        "object_type": "lot",
        "object_id": object_id,
        "action": action,
        "before": before,
        "after": after,
    }
    assert columns == canonical_json(whole)


def test_the_chain_hashes_the_previous_digest_then_the_record() -> None:
    first = chain_hash(GENESIS, b"{}")
    assert first == hashlib.sha256(bytes(32) + b"{}").digest()
    assert chain_hash(first, b"{}") == hashlib.sha256(first + b"{}").digest()
