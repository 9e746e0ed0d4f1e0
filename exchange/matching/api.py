"""The brokers' desk JSON API (paths fixed in API.md): procurement requests, matches, bundles, proposals."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from sqlalchemy.ext.asyncio import AsyncSession

from exchange import paging
from exchange.accounts.guards import current_principal, requires_signed_in
from exchange.idempotency import IdempotencyKeyHeader
from exchange.matching import accept, proposals, requests, schemas
from exchange.matching.matches import bundles_for, matches_for
from exchange.params import Id
from exchange.runtime import Runtime

__all__ = ["ProcurementRequestsController", "ProposalsController", "matching_controllers"]


class ProcurementRequestsController(Controller):
    path = "/api/procurement-requests"
    tags = ["brokers' desk"]
    guards = [requires_signed_in]

    @post("/", status_code=201, summary="Post a procurement request (a broker for its client, or a buyer for itself)")
    async def create(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        runtime: Runtime,
        data: schemas.ProcurementRequestIn,
    ) -> schemas.ProcurementRequest:
        made = await requests.create_request(db_session, current_principal(request), data, now=runtime.clock.now())
        return requests.request_out(made)

    @get("/", summary="Your procurement requests (as broker or client), newest first")
    async def list_requests(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        limit: paging.Limit = None,
        offset: paging.Offset = None,
    ) -> schemas.ProcurementRequestPage:
        window = paging.window(limit, offset)
        found, total = await requests.requests_page_for(db_session, current_principal(request), window)
        return schemas.ProcurementRequestPage(
            items=[requests.request_out(r) for r in found], total=total, next=window.next_url_for(request, total)
        )

    @get("/{request_id:int}", summary="One procurement request (its broker or client)")
    async def get_request(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, request_id: Id
    ) -> schemas.ProcurementRequest:
        return requests.request_out(await requests.get_request_for(db_session, current_principal(request), request_id))

    @get(
        "/{request_id:int}/matches",
        summary="Ranked matches with explanations, and near misses (its broker, or the buyer that posted it)",
    )
    async def matches(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, request_id: Id
    ) -> schemas.MatchPage:
        found = await requests.get_request_to_work_on(db_session, current_principal(request), request_id)
        return await matches_for(db_session, found)

    @get("/{request_id:int}/bundles", summary="The 5 cheapest bundles of whole lots covering the quantity")
    async def bundles(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, runtime: Runtime, request_id: Id
    ) -> schemas.BundlePage:
        found = await requests.get_request_to_work_on(db_session, current_principal(request), request_id)
        return await bundles_for(db_session, found, overage_percent=runtime.settings.bundle_max_overage_percent)


class ProposalsController(Controller):
    path = "/api/proposals"
    tags = ["brokers' desk"]
    guards = [requires_signed_in]

    @post("/", status_code=201, summary="A broker's proposal to the client (a draft until sent)")
    async def create(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, runtime: Runtime, data: schemas.ProposalIn
    ) -> schemas.ProposalForBroker:
        made = await proposals.create_proposal(db_session, current_principal(request), data, now=runtime.clock.now())
        return await proposals.for_broker(db_session, made)

    @get("/", summary="Proposals you made (broker) or received (client)")
    async def list_proposals(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        limit: paging.Limit = None,
        offset: paging.Offset = None,
    ) -> schemas.ProposalPage:
        principal = current_principal(request)
        window = paging.window(limit, offset)
        found, total = await proposals.proposals_page_for(db_session, principal, window)
        items = [await proposals.view_for(db_session, principal, p) for p in found]
        return schemas.ProposalPage(items=items, total=total, next=window.next_url_for(request, total))

    @get(
        "/{proposal_id:int}",
        summary="One proposal: the broker's view has cost, margin and commission; the client's never does",
    )
    async def get_proposal(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, proposal_id: Id
    ) -> schemas.ProposalForBroker | schemas.ProposalForClient:
        principal = current_principal(request)
        found = await proposals.load_proposal(db_session, principal, proposal_id)
        return await proposals.view_for(db_session, principal, found)

    @post("/{proposal_id:int}/send", status_code=200, summary="Send the proposal to the client (broker)")
    async def send(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, runtime: Runtime, proposal_id: Id
    ) -> schemas.ProposalForBroker:
        sent = await proposals.send_proposal(
            db_session, current_principal(request), proposal_id, now=runtime.clock.now(), runtime=runtime
        )
        return await proposals.for_broker(db_session, sent)

    @post(
        "/{proposal_id:int}/accept",
        status_code=201,
        summary="Accept (client): all fixed-price lots bought in one transaction, or 409 naming the unavailable ones",
    )
    async def accept(
        self,
        request: Request[Any, Any, Any],
        runtime: Runtime,
        proposal_id: Id,
        data: schemas.ProposalAccept | None = None,
        idempotency_key: IdempotencyKeyHeader = None,
    ) -> schemas.ProposalAccepted:
        return await accept.accept_proposal(
            runtime, current_principal(request), proposal_id, data or schemas.ProposalAccept(), idempotency_key
        )

    @post("/{proposal_id:int}/decline", status_code=200, summary="Decline (client), with a reason")
    async def decline(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        runtime: Runtime,
        proposal_id: Id,
        data: schemas.Decline | None = None,
    ) -> schemas.ProposalForClient:
        declined = await proposals.decline_proposal(
            db_session,
            current_principal(request),
            proposal_id,
            (data or schemas.Decline()).reason,
            now=runtime.clock.now(),
            runtime=runtime,
        )
        return await proposals.for_client(db_session, declined)


matching_controllers = [ProcurementRequestsController, ProposalsController]
