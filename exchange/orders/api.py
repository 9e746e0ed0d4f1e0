"""Orders JSON API."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.guards import current_principal, requires_signed_in
from exchange.orders import schemas, services
from exchange.params import Id

__all__ = ["OrdersController"]


class OrdersController(Controller):
    path = "/api/orders"
    tags = ["orders"]
    guards = [requires_signed_in]

    @get("/", summary="Orders where your organisation is buyer or seller")
    async def list_orders(self, request: Request[Any, Any, Any], db_session: AsyncSession) -> list[schemas.Order]:
        return await services.list_orders_for(db_session, current_principal(request))

    @get("/{order_id:int}", summary="One order (404 unless your organisation is a party to it)")
    async def get_order(self, request: Request[Any, Any, Any], db_session: AsyncSession, order_id: Id) -> schemas.Order:
        return await services.get_order_for(db_session, current_principal(request), order_id)
