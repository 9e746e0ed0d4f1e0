"""Error codes of fees, documents and payouts."""

from __future__ import annotations

from exchange.errors import ErrorCode

NOTHING_TO_PAY = ErrorCode("nothing_to_pay", 409, "No seller is owed anything in that currency: no batch was made.")
BAD_PERIOD = ErrorCode("bad_period", 422, "The period's start must be a date before its end (YYYY-MM-DD).")
