"""Small shared pieces of the bid engine's use cases."""

from __future__ import annotations

from exchange.accounts.principal import Principal
from exchange.errors import Forbidden, Unprocessable

__all__ = ["buyer_org_id", "check_idempotency_key"]

MAX_KEY_LENGTH = 200


def buyer_org_id(principal: Principal) -> int:
    """The caller's org id when it is a verified buyer org (the guards already checked; this is the type)."""
    if principal.org_id is None or principal.org_kind != "buyer" or not principal.org_verified:
        raise Forbidden("Only verified buyer organisations can bid or buy.", code="verified_buyer_only")
    return principal.org_id


def check_idempotency_key(raw: str | None) -> str | None:
    """An `Idempotency-Key` header: 1 to 200 visible ASCII characters, or absent."""
    if raw is None:
        return None
    key = raw.strip()
    if not key or len(key) > MAX_KEY_LENGTH or any(not 33 <= ord(ch) <= 126 for ch in key):
        raise Unprocessable(
            f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} visible ASCII characters (a UUID is a good choice).",
            field="Idempotency-Key",
        )
    return key
