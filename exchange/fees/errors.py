"""Error codes of fees, documents and payouts."""

from __future__ import annotations

from exchange.errors import ErrorCode

NOTHING_TO_PAY = ErrorCode("nothing_to_pay", 409, "No seller is owed anything in that currency: no batch was made.")
BAD_PERIOD = ErrorCode("bad_period", 422, "The period's start must be a date before its end (YYYY-MM-DD).")
VERSION_TAKEN = ErrorCode(
    "fee_version_taken", 409, "Another version of this category's schedule was saved at the same moment; try again."
)
BATCH_KEY_TAKEN = ErrorCode("payout_batch_key_taken", 409, "A payout batch with this key is being made right now.")
