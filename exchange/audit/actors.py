"""How a record names who acted: "org:3" (a member acting for organisation 3), "admin:1" (a platform
administrator, by user id), "user:5" (a user without an organisation), "clock" (a deadline or a close),
"provider:<name>" (a payment provider's callback), "system"."""

from __future__ import annotations

from exchange.accounts.principal import Principal

__all__ = ["CLOCK", "SYSTEM", "actor_of"]

CLOCK = "clock"
SYSTEM = "system"


def actor_of(principal: Principal) -> str:
    if principal.is_admin:
        return f"admin:{principal.user_id}"
    if principal.org_id is not None:
        return f"org:{principal.org_id}"
    return f"user:{principal.user_id}"
