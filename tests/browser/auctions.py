"""Browser tests' sealed-bid lots: posted through the API, closing seconds ahead instead of the hour a seller
must leave (the server's MIN_BIDDING_WINDOW stays the default, which the posting pages state)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import create_engine, update

from exchange.lots.models import Lot
from tests.browser.accounts import Account
from tests.support.catalogue import FABRIC

__all__ = ["close_soon", "sealed_bid_lot", "seconds_from_now"]


def close_soon(database_url: str, lot_id: int, at: datetime) -> None:
    """Moves a fresh lot's closing time closer than the 1 h a seller may choose (no bid is placed yet)."""
    engine = create_engine(database_url.replace("+aiosqlite", ""))  # Playwright's loop owns this thread
    with engine.begin() as connection:
        connection.execute(update(Lot).where(Lot.id == lot_id).values(closes_at=at))
    engine.dispose()


def sealed_bid_lot(base: str, seller: Account, **sale: str) -> int:
    """A live sealed-bid lot of 5000 m cotton twill (closing in the default hour; see `close_soon`)."""
    lot = {**FABRIC, "title": f"5000 m cotton twill {uuid.uuid4().hex[:6]}", "sale": {"mode": "sealed_bid", **sale}}
    draft = httpx.post(f"{base}/api/lots", json=lot, headers=seller.headers)
    assert draft.status_code == 201, draft.text
    lot_id = int(draft.json()["id"])
    published = httpx.post(f"{base}/api/lots/{lot_id}/publish", headers=seller.headers)
    assert published.json()["status"] == "live", published.text
    return lot_id


def seconds_from_now(seconds: float) -> datetime:
    return datetime.now(UTC) + timedelta(seconds=seconds)
