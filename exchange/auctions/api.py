"""JSON API of sealed bids, fixed-price purchases, deposits and watches (paths fixed in API.md)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from litestar import Controller, Request, Response, delete, get, post, put
from sqlalchemy.ext.asyncio import AsyncSession

from exchange import paging
from exchange.accounts.guards import (
    Guard,
    current_principal,
    requires_org_kind,
    requires_signed_in,
    requires_verified_org,
)
from exchange.auctions import schemas, services
from exchange.idempotency import IdempotencyKeyHeader
from exchange.orders import schemas as order_schemas
from exchange.params import Id
from exchange.runtime import Runtime

__all__ = ["AuctionsController", "MyBidsController"]


BeforeRequest = Callable[[Request[Any, Any, Any]], Awaitable[None]]


def _checked(*checks: Guard) -> BeforeRequest:
    """The given guards as ONE `before_request` hook, run before the body is read, like a guard.

    Litestar runs a sync guard in a worker thread and hands every guard its own copy of the route
    handler, per request: on the bid hot path that copy alone costs as much as decoding the bid. A
    `before_request` hook is called with the request only. Every hook here checks the sign-in first."""

    async def check(request: Request[Any, Any, Any]) -> None:
        for guard in checks:
            guard(request, request.route_handler)

    return check


_signed_in = _checked(requires_signed_in)
_verified_buyer = _checked(requires_signed_in, requires_org_kind("buyer"), requires_verified_org)


class AuctionsController(Controller):
    path = "/api/lots"
    tags = ["sealed bids and purchases"]

    @post(
        "/{lot_id:int}/bids",
        before_request=_verified_buyer,
        status_code=201,
        summary="Place or revise your sealed bid (verified buyers); answered once the bid is durable",
    )
    async def place_bid(
        self,
        request: Request[Any, Any, Any],
        lot_id: Id,
        data: schemas.BidIn,
        runtime: Runtime,
        idempotency_key: IdempotencyKeyHeader = None,
    ) -> schemas.BidReceipt:
        return await services.place_bid(runtime, current_principal(request), lot_id, data, idempotency_key)

    @get(
        "/{lot_id:int}/bids/mine",
        before_request=_signed_in,
        summary="Your organisation's current bid on the lot, with its receipt",
    )
    async def my_bid(self, request: Request[Any, Any, Any], db_session: AsyncSession, lot_id: Id) -> schemas.MyBid:
        return await services.my_bid(db_session, current_principal(request), lot_id)

    @delete(
        "/{lot_id:int}/bids/mine",
        before_request=_verified_buyer,
        status_code=204,
        summary="Withdraw your current bid (until the lot closes)",
    )
    async def withdraw_bid(self, request: Request[Any, Any, Any], lot_id: Id, runtime: Runtime) -> None:
        await services.withdraw_bid(runtime, current_principal(request), lot_id)

    @get(
        "/{lot_id:int}/bids",
        before_request=_signed_in,
        summary="The opening report (after the close; 403 for everyone before it, seller and admins included)",
    )
    async def opening_report(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, lot_id: Id
    ) -> schemas.OpeningReport:
        return await services.opening_report(db_session, current_principal(request), lot_id)

    @post(
        "/{lot_id:int}/purchase",
        before_request=_verified_buyer,
        status_code=201,
        summary="Buy a fixed-price lot; exactly one buyer gets the order, the others 409",
    )
    async def purchase(
        self,
        request: Request[Any, Any, Any],
        lot_id: Id,
        runtime: Runtime,
        idempotency_key: IdempotencyKeyHeader = None,
    ) -> order_schemas.Order:
        return await services.purchase(runtime, current_principal(request), lot_id, idempotency_key)

    @post(
        "/{lot_id:int}/deposit",
        before_request=_verified_buyer,
        status_code=201,
        summary="Hold the bid deposit a lot requires before bidding (200 when already held)",
    )
    async def place_deposit(
        self, request: Request[Any, Any, Any], lot_id: Id, runtime: Runtime
    ) -> Response[schemas.Deposit]:
        deposit, created = await services.place_deposit(runtime, current_principal(request), lot_id)
        return Response(deposit, status_code=201 if created else 200)

    @get("/{lot_id:int}/deposit", before_request=_signed_in, summary="Your organisation's bid deposit on the lot")
    async def my_deposit(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, lot_id: Id
    ) -> schemas.Deposit:
        return await services.my_deposit(db_session, current_principal(request), lot_id)

    @put("/{lot_id:int}/watch", before_request=_signed_in, summary="Watch a lot: a reminder an hour before it closes")
    async def watch(self, request: Request[Any, Any, Any], db_session: AsyncSession, lot_id: Id) -> schemas.Watch:
        return await services.set_watch(db_session, current_principal(request), lot_id, watching=True)

    @delete("/{lot_id:int}/watch", status_code=200, before_request=_signed_in, summary="Stop watching a lot")
    async def unwatch(self, request: Request[Any, Any, Any], db_session: AsyncSession, lot_id: Id) -> schemas.Watch:
        return await services.set_watch(db_session, current_principal(request), lot_id, watching=False)


class MyBidsController(Controller):
    path = "/api/bids"
    tags = ["sealed bids and purchases"]

    @get(
        "/mine",
        before_request=_signed_in,
        summary="Your organisation's current bids on every lot, with receipts and outcomes",
    )
    async def my_bids(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        limit: paging.Limit = None,
        offset: paging.Offset = None,
    ) -> schemas.MyBidPage:
        rows = await services.list_my_bids(db_session, current_principal(request))
        return paging.page_as(schemas.MyBidPage, paging.page_of(request, limit, offset, rows))
