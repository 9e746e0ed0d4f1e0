from __future__ import annotations

import os
from typing import Any

from exchange.auctions.receipts import commitment, micros_to_datetime, new_nonce, parse_micros, verify_receipt

PLACED_US = 1_795_000_000_123_456


def a_receipt(**changes: Any) -> dict[str, Any]:
    fields = {
        "lot_id": 42,
        "bidder_org_id": 7,
        "amount": "40000.00",
        "currency": "CNY",
        "revision": 3,
        "placed_at": micros_to_datetime(PLACED_US).isoformat(),
        "nonce": "5f0c1e2d3b4a59687766554433221100",
    }
    fields["receipt"] = commitment(
        lot_id=42,
        bidder_org_id=7,
        amount="40000.00",
        currency="CNY",
        revision=3,
        placed_at_us=PLACED_US,
        nonce=fields["nonce"],
    )
    fields.update(changes)
    return fields


def test_times_round_trip_exactly_to_the_microsecond() -> None:
    assert parse_micros(micros_to_datetime(PLACED_US)) == PLACED_US
    assert parse_micros("2026-11-22T10:00:00.000001Z") == parse_micros("2026-11-22T18:00:00.000001+08:00")


def test_a_receipt_checks_out_against_the_report_that_lists_it() -> None:
    receipt = a_receipt()
    report = {
        "lot_id": 42,
        "bids": [{"rank": 2, "amount": "40000.00", "placed_at": receipt["placed_at"], "receipt": receipt["receipt"]}],
    }
    check = verify_receipt(receipt, report)
    assert check.ok
    assert check.rank == 2


def test_an_altered_amount_breaks_the_commitment() -> None:
    assert not verify_receipt(a_receipt(amount="45000.00")).ok


def test_a_report_that_lists_the_receipt_with_another_amount_or_leaves_it_out_fails() -> None:
    receipt = a_receipt()
    wrong_amount = {"bids": [{"amount": "39000.00", "placed_at": receipt["placed_at"], "receipt": receipt["receipt"]}]}
    missing = {"bids": [{"amount": "40000.00", "placed_at": receipt["placed_at"], "receipt": "0" * 64}]}
    assert not verify_receipt(receipt, wrong_amount).ok
    assert not verify_receipt(receipt, missing).ok
    assert not verify_receipt({"lot_id": 1}).ok


def test_nonces_are_fresh_and_a_forked_worker_never_repeats_its_parents() -> None:
    seen = {new_nonce() for _ in range(1000)}
    assert len(seen) == 1000
    assert all(len(nonce) == 32 and int(nonce, 16) >= 0 for nonce in seen)
    read_end, write_end = os.pipe()
    child = os.fork()
    if child == 0:  # the child: hand its first nonce to the parent and leave at once
        os.write(write_end, new_nonce().encode())
        os._exit(0)
    os.close(write_end)
    parents_next = new_nonce()
    childs_first = os.read(read_end, 64).decode()
    os.close(read_end)
    os.waitpid(child, 0)
    assert len(childs_first) == 32
    assert childs_first != parents_next
