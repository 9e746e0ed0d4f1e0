"""Test-only: live lots made the way a seller makes them, through the lot services (create, then publish).

Every lot a test uses passes the same checks as a real one (specs, sale terms, the listing window).
A sealed-bid lot may close a few seconds ahead because the tests' apps are built with
MIN_BIDDING_WINDOW = `TEST_BIDDING_WINDOW` (see `tests.conftest.make_settings`).
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange.accounts.services import load_principal
from exchange.lots import services
from exchange.lots.schemas import LotCreate
from tests.conftest import TEST_BIDDING_WINDOW, Actor
from tests.support.catalogue import FABRIC

__all__ = ["live_lot", "lot_body"]

_MINOR_FIELDS = {"price_minor": "price", "reserve_price_minor": "reserve_price", "min_bid_minor": "min_bid"}
_SALE_FIELDS = ("deposit_percent", "second_price", "rfq_enabled")


def _amount(minor: int) -> str:
    return str(Decimal(minor).scaleb(-2))  # the factory's lots are in CNY: two decimal places


def lot_body(*, sale_mode: str = "sealed_bid", closes_at: datetime | None = None, **terms: Any) -> dict[str, Any]:
    """The posting body of the fabric lot, with terms named as in `live_lot` (`specs` are merged in)."""
    result = copy.deepcopy(FABRIC)
    result.pop("reference_price")
    sale: dict[str, Any] = {"mode": sale_mode}
    if sale_mode == "sealed_bid":
        sale["closes_at"] = closes_at or datetime.now(UTC) + timedelta(days=3)
    for name, key in _MINOR_FIELDS.items():
        if (minor := terms.pop(name, None)) is not None:
            sale[key] = _amount(minor)
    for key in _SALE_FIELDS:
        if key in terms:
            sale[key] = terms.pop(key)
    result["sale"] = sale
    if (reference := terms.pop("reference_price_minor", None)) is not None:
        result["reference_price"] = _amount(reference)
    for part in ("value", "unit"):
        if f"quantity_{part}" in terms:
            result["quantity"][part] = terms.pop(f"quantity_{part}")
    result["specs"].update(terms.pop("specs", {}))
    if "invited_org_ids" in terms:
        result["invited_org_ids"] = list(terms.pop("invited_org_ids"))
    result.update(terms)  # visibility, grade, defects, listing_days, title, …
    return result


async def live_lot(
    db: async_sessionmaker[AsyncSession],
    seller: Actor,
    *,
    published_at: datetime | None = None,
    **terms: Any,
) -> int:
    """A lot of `seller`'s posted and published through the services; its id.

    Sealed bid closing in 3 days unless `sale_mode`/`closes_at` say otherwise; amounts are given in
    minor units (`price_minor=4_000_000` is 40000.00 CNY). `published_at` publishes it as of that
    moment, as the scheduler's jobs see it: a past moment gives a lot whose listing has run out.
    """
    # Published as of the moment the test asked for it, so a loaded machine does not eat into the
    # few seconds of bidding a short close leaves.
    now = published_at or datetime.now(UTC)
    data = msgspec.convert(lot_body(**terms), LotCreate)
    async with db() as session, session.begin():
        principal = await load_principal(session, seller.user_id)
        assert principal is not None
        lot = await services.create_lot(session, principal, data)
        lot = await services.publish_lot(session, principal, lot.id, now=now, min_bidding=TEST_BIDDING_WINDOW)
        assert lot.status == "live", lot.review_reason
        return lot.id
