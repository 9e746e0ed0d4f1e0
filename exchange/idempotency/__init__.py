"""`Idempotency-Key` for calls that create something (a purchase, accepting an offer): a repeat with the
same key gets the first answer and changes nothing; the same key sent with a different request is a 422.

One table for every such call (`idempotent_answers`), keyed by org, scope (the kind of call) and key.
Only successful answers are kept: a refused call changed nothing, so repeating it simply asks again.
Sealed bids keep their keys on the bid revision itself (`bid_revisions.idempotency_key`).
"""

from __future__ import annotations

from exchange.idempotency.keys import HEADER, MAX_KEY_LENGTH, IdempotencyKeyHeader, check_key, fingerprint, key_reused
from exchange.idempotency.models import IdempotentAnswer
from exchange.idempotency.store import remember, replay

__all__ = [
    "HEADER",
    "MAX_KEY_LENGTH",
    "IdempotencyKeyHeader",
    "IdempotentAnswer",
    "check_key",
    "fingerprint",
    "key_reused",
    "remember",
    "replay",
]
