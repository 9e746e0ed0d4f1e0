"""msgspec Structs for orders."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

__all__ = ["Order"]


class Order(msgspec.Struct):
    id: int
    lot_id: int
    buyer_org_id: int
    seller_org_id: int
    amount: str
    currency: str
    status: str
    source: str
    created_at: datetime
    terms: dict[str, Any] = {}
    lot_title: str | None = None
