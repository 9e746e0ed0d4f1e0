"""Small shared pieces of the bid engine's use cases."""

from __future__ import annotations

from exchange.accounts.principal import Principal
from exchange.auctions.errors import VERIFIED_BUYER_ONLY
from exchange.errors import Forbidden
from exchange.i18n.catalog import N_

__all__ = ["buyer_org_id"]


def buyer_org_id(principal: Principal) -> int:
    """The caller's org id when it is a verified buyer org (the guards already checked; this is the type)."""
    if principal.org_id is None or principal.org_kind != "buyer" or not principal.org_verified:
        raise Forbidden(N_("Only verified buyer organisations can bid or buy."), code=VERIFIED_BUYER_ONLY)
    return principal.org_id
