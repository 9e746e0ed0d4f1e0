"""Threads and offers: open an RFQ on a lot, quote and counter, accept, decline, withdraw."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from litestar import Controller, Request, get, post
from litestar.params import QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from exchange import paging
from exchange.accounts.guards import current_principal, requires_org_kind, requires_signed_in, requires_verified_org
from exchange.db.base import utcnow
from exchange.idempotency import IdempotencyKeyHeader
from exchange.orders import schemas as order_schemas
from exchange.params import Id
from exchange.rfq import schemas, services
from exchange.runtime import Runtime

__all__ = ["RfqController"]


class RfqController(Controller):
    path = "/api"
    tags = ["rfq"]
    guards = [requires_signed_in]

    @post(
        "/lots/{lot_id:int}/rfqs",
        status_code=201,
        guards=[requires_org_kind("buyer"), requires_verified_org],
        summary="Ask for a quote on a lot (verified buyers); the body is your opening offer",
        description="409 `rfq_exists` when your organisation already has an open thread on the lot, "
        "`rfq_disabled` when the seller turned RFQ off, `lot_unavailable` when the lot is no longer for sale.",
    )
    async def open_rfq(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        lot_id: Id,
        data: schemas.RfqOpen,
        runtime: Runtime,
    ) -> schemas.Thread:
        principal = current_principal(request)
        thread = await services.open_rfq(db_session, principal, lot_id, data, runtime=runtime)
        return await services.get_thread_for(db_session, principal, thread.id)

    @get("/rfqs", summary="Your organisation's RFQ threads (as buyer or seller), latest activity first")
    async def list_rfqs(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        status: Annotated[Literal["open", "ended", "all"], QueryParameter(name="status")] = "all",
        lot_id: Annotated[int | None, QueryParameter(name="lot_id", gt=0, le=2_147_483_647)] = None,
        limit: paging.Limit = None,
        offset: paging.Offset = None,
    ) -> schemas.ThreadSummaryPage:
        rows = await services.list_threads_for(db_session, current_principal(request), which=status, lot_id=lot_id)
        return paging.page_as(schemas.ThreadSummaryPage, paging.page_of(request, limit, offset, rows))

    @get("/rfqs/{thread_id:int}", summary="One thread with every offer, oldest first (404 to any third org)")
    async def get_rfq(self, request: Request[Any, Any, Any], db_session: AsyncSession, thread_id: Id) -> schemas.Thread:
        return await services.get_thread_for(db_session, current_principal(request), thread_id)

    @post(
        "/rfqs/{thread_id:int}/offers",
        status_code=201,
        guards=[requires_verified_org],
        summary="Quote or counter (either side, alternating); supersedes the other side's open offer",
    )
    async def make_offer(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        thread_id: Id,
        data: schemas.OfferCreate,
        runtime: Runtime,
    ) -> schemas.Offer:
        offer = await services.make_offer(db_session, current_principal(request), thread_id, data, runtime=runtime)
        return services.offer_out(offer, utcnow())

    @post(
        "/rfqs/{thread_id:int}/accept",
        status_code=201,
        guards=[requires_verified_org],
        summary="Accept the other side's latest open offer: creates the order (source quote)",
        description="Send an `Idempotency-Key` header to make retries safe: a repeat returns the first answer. "
        "409 for your own offer (`own_offer`), a superseded (`offer_superseded`) or expired (`offer_expired`) one, "
        "an ended thread, or a lot already sold another way (`lot_unavailable`).",
    )
    async def accept(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        thread_id: Id,
        data: schemas.AcceptIn,
        runtime: Runtime,
        idempotency_key: IdempotencyKeyHeader = None,
    ) -> order_schemas.Order:
        return await services.accept_offer_once(
            db_session,
            current_principal(request),
            thread_id,
            data.offer_id,
            idempotency_key=idempotency_key,
            runtime=runtime,
        )

    @post(
        "/rfqs/{thread_id:int}/decline",
        status_code=200,
        guards=[requires_verified_org],
        summary="End the negotiation (either side): the thread becomes declined",
    )
    async def decline(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        thread_id: Id,
        runtime: Runtime,
        data: schemas.DeclineIn | None = None,
    ) -> schemas.Thread:
        principal = current_principal(request)
        await services.decline_thread(
            db_session, principal, thread_id, reason=data.reason if data else "", runtime=runtime
        )
        return await services.get_thread_for(db_session, principal, thread_id)

    @post(
        "/rfqs/{thread_id:int}/withdraw",
        status_code=200,
        guards=[requires_verified_org],
        summary="Withdraw your own open offer; the thread stays open for a fresh offer",
    )
    async def withdraw(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, thread_id: Id, runtime: Runtime
    ) -> schemas.Offer:
        offer = await services.withdraw_offer(db_session, current_principal(request), thread_id, runtime=runtime)
        return services.offer_out(offer, utcnow())
