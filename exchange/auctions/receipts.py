"""Bid receipts: a hash commitment the bidder keeps, and its check against the opening report.

A receipt is the SHA-256 (hex) of these lines joined by "\\n":

    surplus-exchange:bid-receipt:v1
    lot:<lot id>
    bidder:<bidder org id>
    amount:<amount as the API writes it, e.g. 40000.00> <currency>
    revision:<revision>
    placed_at_us:<acceptance time, whole microseconds since the Unix epoch, UTC>
    nonce:<the secret nonce given to the bidder>

The nonce (128 random bits) keeps the amount from being guessed from the hash. At close, the opening
report lists every final bid with its amount, time and receipt; a bidder recomputes the hash from
what they hold and finds it in the report with the same amount and time (`exchange verify-receipt`).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

__all__ = ["ReceiptCheck", "commitment", "micros_to_datetime", "new_nonce", "parse_micros", "verify_receipt"]

RECEIPT_VERSION = "surplus-exchange:bid-receipt:v1"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


NONCE_BYTES = 16
_POOL_NONCES = 256


class _NoncePool:
    """Nonces from the operating system's CSPRNG, fetched 256 at a time: one getrandom call per 256 bids
    instead of one each (a syscall was a tenth of a bid's CPU). Every byte is used once; a forked child
    starts with an empty pool, so parent and child never hand out the same bytes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pool = b""
        self._at = 0
        os.register_at_fork(after_in_child=self._forget)

    def _forget(self) -> None:
        self._lock = threading.Lock()
        self._pool, self._at = b"", 0

    def take(self) -> str:
        with self._lock:
            if self._at >= len(self._pool):
                self._pool, self._at = os.urandom(NONCE_BYTES * _POOL_NONCES), 0
            start, self._at = self._at, self._at + NONCE_BYTES
            return self._pool[start : self._at].hex()


new_nonce = _NoncePool().take
"""A fresh secret nonce for a receipt: 128 random bits as 32 hex digits."""


def commitment(
    *, lot_id: int, bidder_org_id: int, amount: str, currency: str, revision: int, placed_at_us: int, nonce: str
) -> str:
    """The receipt hash of one accepted bid (`amount` as the API writes it, or "withdrawn")."""
    lines = [
        RECEIPT_VERSION,
        f"lot:{lot_id}",
        f"bidder:{bidder_org_id}",
        f"amount:{amount} {currency}",
        f"revision:{revision}",
        f"placed_at_us:{placed_at_us}",
        f"nonce:{nonce}",
    ]
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def micros_to_datetime(micros: int) -> datetime:
    seconds, rest = divmod(micros, 1_000_000)
    return datetime.fromtimestamp(seconds, tz=UTC).replace(microsecond=rest)


def parse_micros(value: str | datetime) -> int:
    """Whole microseconds since the epoch of an ISO 8601 time with an offset (exact, no float)."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


@dataclass(frozen=True, slots=True)
class ReceiptCheck:
    ok: bool
    message: str
    rank: int | None = None


def verify_receipt(receipt: dict[str, Any], report: dict[str, Any] | None = None) -> ReceiptCheck:
    """Check a bid answer (as returned by POST /api/lots/{id}/bids) and, if given, the opening report.

    1. The receipt hash must equal the commitment recomputed from the answer's own fields.
    2. The report must list a bid with that receipt, the same amount and the same time.
    """
    try:
        expected = commitment(
            lot_id=int(receipt["lot_id"]),
            bidder_org_id=int(receipt["bidder_org_id"]),
            amount=str(receipt["amount"]),
            currency=str(receipt["currency"]),
            revision=int(receipt["revision"]),
            placed_at_us=parse_micros(receipt["placed_at"]),
            nonce=str(receipt["nonce"]),
        )
    except (KeyError, TypeError, ValueError) as error:
        return ReceiptCheck(False, f"The receipt is incomplete or malformed ({error}).")
    if not hmac.compare_digest(expected, str(receipt.get("receipt", ""))):
        return ReceiptCheck(False, "The receipt hash does not match the bid it describes: it was altered.")
    if report is None:
        return ReceiptCheck(True, "The receipt is consistent with the bid it describes.")
    if report.get("lot_id") not in (None, receipt["lot_id"]):
        return ReceiptCheck(
            False, f"The report is for lot {report.get('lot_id')}, the receipt for lot {receipt['lot_id']}."
        )
    for entry in report.get("bids", []):
        if entry.get("receipt") != expected:
            continue
        if str(entry.get("amount")) != str(receipt["amount"]):
            return ReceiptCheck(False, f"The report lists your receipt with amount {entry.get('amount')}, not yours.")
        if parse_micros(entry.get("placed_at", "")) != parse_micros(receipt["placed_at"]):
            return ReceiptCheck(False, "The report lists your receipt with a different time.")
        return ReceiptCheck(True, f"Your bid was counted as placed, ranked {entry.get('rank')}.", entry.get("rank"))
    return ReceiptCheck(
        False,
        "The report does not list this receipt. If you revised or withdrew the bid later, check the receipt "
        "of your last revision.",
    )
