"""Wanted requests: buyers post what they need, sellers answer with a lot and a quote, buyers compare."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from litestar import Controller, Request, get, post
from litestar.params import QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from exchange import paging
from exchange.accounts.guards import current_principal, requires_org_kind, requires_signed_in, requires_verified_org
from exchange.params import Id
from exchange.rfq import schemas, services
from exchange.runtime import Runtime

__all__ = ["WantedController"]


class WantedController(Controller):
    path = "/api/wanted"
    tags = ["wanted requests"]
    guards = [requires_signed_in]

    @post(
        "/",
        status_code=201,
        guards=[requires_org_kind("buyer"), requires_verified_org],
        summary="Post a wanted request: category, spec constraints with units, quantity, budget, deadline",
    )
    async def create(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, data: schemas.WantedCreate
    ) -> schemas.Wanted:
        principal = current_principal(request)
        wanted = await services.create_wanted(db_session, principal, data)
        return await services.get_wanted(db_session, principal, wanted.id)

    @get(
        "/",
        summary="Buyers: your requests. Sellers: the board of open requests. Admins: all",
    )
    async def list_requests(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        which: Annotated[Literal["mine", "board", "all"] | None, QueryParameter(name="which")] = None,
        limit: paging.Limit = None,
        offset: paging.Offset = None,
    ) -> schemas.WantedPage:
        rows = await services.list_wanted(db_session, current_principal(request), which=which)
        return paging.page_as(schemas.WantedPage, paging.page_of(request, limit, offset, rows))

    @get("/{request_id:int}", summary="One wanted request (its buyer, admins, and sellers while it is open)")
    async def get_request(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, request_id: Id
    ) -> schemas.Wanted:
        return await services.get_wanted(db_session, current_principal(request), request_id)

    @post(
        "/{request_id:int}/answers",
        status_code=201,
        guards=[requires_org_kind("seller"), requires_verified_org],
        summary="Answer with one of your live lots and a quote (sellers); opens a thread with the buyer",
    )
    async def answer(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        request_id: Id,
        data: schemas.WantedAnswer,
        runtime: Runtime,
    ) -> schemas.Thread:
        principal = current_principal(request)
        thread = await services.answer_wanted(db_session, principal, request_id, data, runtime=runtime)
        return await services.get_thread_for(db_session, principal, thread.id)

    @get(
        "/{request_id:int}/comparison",
        summary="Every answer side by side: total and unit price in the request's unit, delivery, terms, specs",
    )
    async def comparison(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, request_id: Id
    ) -> schemas.Comparison:
        return await services.compare_answers(db_session, current_principal(request), request_id)

    @post(
        "/{request_id:int}/cancel",
        status_code=200,
        guards=[requires_verified_org],
        summary="Withdraw your request; open answers are declined with a notice",
    )
    async def cancel(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, request_id: Id, runtime: Runtime
    ) -> schemas.Wanted:
        principal = current_principal(request)
        await services.cancel_wanted(db_session, principal, request_id, runtime=runtime)
        return await services.get_wanted(db_session, principal, request_id)
