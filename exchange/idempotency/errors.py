"""Error codes of idempotent calls (`Idempotency-Key`)."""

from __future__ import annotations

from exchange.errors import ErrorCode

IDEMPOTENCY_IN_PROGRESS = ErrorCode(
    "idempotency_in_progress", 409, "A call with this Idempotency-Key is still running; retry for its answer."
)
IDEMPOTENCY_KEY_REUSED = ErrorCode(
    "idempotency_key_reused", 422, "This Idempotency-Key was already used for a different request."
)
