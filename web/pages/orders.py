"""Orders pages for buyers and sellers."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.guards import current_principal, requires_signed_in
from exchange.orders import services
from exchange.params import Id

__all__ = ["OrderPages"]


class OrderPages(Controller):
    path = "/orders"
    include_in_schema = False
    guards = [requires_signed_in]

    @get("/")
    async def list_orders(self, request: Request[Any, Any, Any], db_session: AsyncSession) -> Template:
        orders = await services.list_orders_for(db_session, current_principal(request))
        return Template("orders/list.html", context={"orders": orders})

    @get("/{order_id:int}")
    async def order(self, request: Request[Any, Any, Any], db_session: AsyncSession, order_id: Id) -> Template:
        order = await services.get_order_for(db_session, current_principal(request), order_id)
        return Template("orders/detail.html", context={"order": order})
