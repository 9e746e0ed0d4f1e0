"""Error codes of the ledger (money-moving calls made by other capabilities, and the ledger API)."""

from __future__ import annotations

from exchange.errors import ErrorCode

LEDGER_KEY_REUSED = ErrorCode(
    "ledger_key_reused", 409, "This ledger key was already used for a different money movement; nothing was moved."
)
INSUFFICIENT_FUNDS = ErrorCode(
    "insufficient_funds", 409, "The account's available balance (posted less held) does not cover the movement."
)
CURRENCY_MISMATCH = ErrorCode(
    "currency_mismatch", 422, "A movement between accounts of different currencies (or an entry mixing them)."
)
BAD_MOVE = ErrorCode("bad_move", 422, "A ledger movement is malformed: its amount is not positive, or from = to.")
HOLD_NOT_PENDING = ErrorCode(
    "hold_not_pending", 409, "The hold was already posted, voided or expired; `detail` names its state."
)
HOLD_EXPIRED = ErrorCode("hold_expired", 409, "The hold's expiry has passed: it can no longer be posted.")
UNKNOWN_ACCOUNT = ErrorCode("unknown_account", 404, "No ledger account (or hold) with this id, or not yours.")
