"""Test helpers for the brokers' desk: a broker with a buyer client, fabric lots of a colour no other test
uses (so a request matches only this test's lots), and the API steps."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.conftest import Actor, OrgFactory
from tests.support.lots import live_lot

__all__ = ["Desk", "new_desk"]


@dataclass
class Desk:
    client: AsyncTestClient[Litestar]
    db: async_sessionmaker[AsyncSession]
    broker: Actor
    buyer: Actor
    seller: Actor
    colour: str = field(default_factory=lambda: "shade-" + uuid.uuid4().hex[:10])

    async def lot(self, *, metres: int = 5000, price_minor: int = 4_000_000, **terms: Any) -> int:
        """A live fixed-price fabric lot of this desk's colour (8.00 CNY/m by default)."""
        specs = {"colour": self.colour, **terms.pop("specs", {})}
        fields: dict[str, Any] = {"sale_mode": "fixed_price", "price_minor": price_minor, **terms}
        if fields["sale_mode"] != "fixed_price":
            fields.pop("price_minor")
        seller = terms.get("seller") or self.seller
        fields.pop("seller", None)
        return await live_lot(self.db, seller, quantity_value=metres, quantity_unit="m", specs=specs, **fields)

    def request_body(self, **changes: Any) -> dict[str, Any]:
        body: dict[str, Any] = {
            "client_org_id": self.buyer.org_id,
            "purpose": "welfare",
            "quantity": {"value": 3000, "unit": "m"},
            "budget_per_unit": {"max": "10.00"},
            "currency": "CNY",
            "categories": ["textiles/fabric"],
            "requirement_groups": [{"colour": {"eq": self.colour}, "width": {"gte": "140 cm"}}],
            "deliver_by": (date.today() + timedelta(days=30)).isoformat(),
            "region": "Jiangsu",
        }
        body.update(changes)
        return body

    async def request(self, **changes: Any) -> dict[str, Any]:
        answer = await self.client.post(
            "/api/procurement-requests", json=self.request_body(**changes), headers=self.broker.headers
        )
        assert answer.status_code == 201, answer.text
        return dict(answer.json())

    async def proposal(
        self,
        request_id: int,
        lines: list[tuple[int, str]],
        *,
        send: bool = True,
        valid_until: datetime | None = None,
    ) -> dict[str, Any]:
        body = {
            "request_id": request_id,
            "lines": [{"lot_id": lot_id, "client_price": price} for lot_id, price in lines],
            "note": "Good cotton twill for the staff uniforms.",
            "valid_until": (valid_until or datetime.now(UTC) + timedelta(days=5)).isoformat(),
        }
        answer = await self.client.post("/api/proposals", json=body, headers=self.broker.headers)
        assert answer.status_code == 201, answer.text
        made = dict(answer.json())
        if send:
            sent = await self.client.post(f"/api/proposals/{made['id']}/send", headers=self.broker.headers)
            assert sent.status_code == 200, sent.text
            made = dict(sent.json())
        return made


async def new_desk(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> Desk:
    return Desk(client, db, await make_org("broker"), await make_org("buyer"), await make_org("seller"))


GRADE_C = {"grade": "C", "defects": "Faded selvedge on every roll."}
"""Lots of a grade other tests rarely list, so the catalogue's other fabric fails two constraints (grade and
colour) and never crowds this test's near misses out of the top 20."""
