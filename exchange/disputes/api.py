"""Inspection, evidence, disputes and arbitration JSON API (every route 404 to anyone but the two orgs and admins)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import State, UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from exchange import paging
from exchange.accounts.guards import current_principal, requires_admin, requires_signed_in
from exchange.disputes import schemas, services
from exchange.disputes.services.arbitration import QUEUE_FILTERS
from exchange.disputes.services.evidence import EVIDENCE_RULE
from exchange.errors import Unprocessable
from exchange.params import Id
from exchange.runtime import Runtime

__all__ = ["AdminDisputesController", "DisputesController", "OrderInspectionController", "controllers"]


@dataclass
class EvidenceUpload:
    file: UploadFile


class OrderInspectionController(Controller):
    path = "/api/orders"
    tags = ["orders", "disputes"]
    guards = [requires_signed_in]

    @post("/{order_id:int}/inspection", status_code=201, summary="Record the buyer's sample inspection (in the window)")
    async def inspect(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        order_id: Id,
        data: schemas.InspectionCreate,
        runtime: Runtime,
    ) -> schemas.Inspection:
        return await services.record_inspection(db_session, current_principal(request), order_id, data, runtime=runtime)

    @post("/{order_id:int}/disputes", status_code=201, summary="Object to a delivered order (buyer, in the window)")
    async def open_dispute(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        order_id: Id,
        data: schemas.DisputeCreate,
        runtime: Runtime,
    ) -> schemas.Dispute:
        return await services.open_dispute(db_session, current_principal(request), order_id, data, runtime=runtime)

    @post(
        "/{order_id:int}/evidence",
        status_code=201,
        request_max_body_size=EVIDENCE_RULE.max_bytes + 256 * 1024,
        summary=f"Upload a photo or document as evidence for the order ({EVIDENCE_RULE.describe()})",
    )
    async def upload_evidence(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        state: State,
        order_id: Id,
        data: Annotated[EvidenceUpload, Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> schemas.Evidence:
        content = await data.file.read()
        return await services.add_evidence(
            db_session,
            current_principal(request),
            order_id,
            filename=data.file.filename,
            content=content,
            data_dir=state.settings.data_dir,
        )

    @get("/{order_id:int}/evidence/{evidence_id:int}", summary="Download a photo or document of an order's evidence")
    async def download_evidence(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, state: State, order_id: Id, evidence_id: Id
    ) -> Response[bytes]:
        evidence, content = await services.read_evidence(
            db_session, current_principal(request), order_id, evidence_id, data_dir=state.settings.data_dir
        )
        return Response(
            content=content,
            media_type=evidence.content_type,
            headers={
                "Content-Disposition": f"inline; filename*=UTF-8''{quote(evidence.filename)}",
                "X-Content-Type-Options": "nosniff",
                "Content-Security-Policy": "default-src 'none'; sandbox",
                "Cache-Control": "private, max-age=300",
            },
        )


class DisputesController(Controller):
    path = "/api/disputes"
    tags = ["disputes"]
    guards = [requires_signed_in]

    @get("/{dispute_id:int}", summary="A dispute with its evidence and messages (its two orgs and admins)")
    async def get_dispute(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, dispute_id: Id
    ) -> schemas.Dispute:
        return await services.get_dispute(db_session, current_principal(request), dispute_id)

    @post(
        "/{dispute_id:int}/answer", status_code=200, summary="The seller's answer: accept, offer an amount, or reject"
    )
    async def answer(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        dispute_id: Id,
        data: schemas.DisputeAnswer,
        runtime: Runtime,
    ) -> schemas.Dispute:
        return await services.answer_dispute(db_session, current_principal(request), dispute_id, data, runtime=runtime)

    @post("/{dispute_id:int}/accept-offer", status_code=200, summary="The buyer accepts the seller's offer")
    async def accept_offer(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, dispute_id: Id, runtime: Runtime
    ) -> schemas.Dispute:
        return await services.accept_offer(db_session, current_principal(request), dispute_id, runtime=runtime)

    @post("/{dispute_id:int}/escalate", status_code=200, summary="The buyer sends the dispute to an admin")
    async def escalate(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, dispute_id: Id, runtime: Runtime
    ) -> schemas.Dispute:
        return await services.escalate(db_session, current_principal(request), dispute_id, runtime=runtime)

    @post("/{dispute_id:int}/messages", status_code=201, summary="Add a message (with evidence) to a dispute")
    async def message(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        dispute_id: Id,
        data: schemas.MessageCreate,
        runtime: Runtime,
    ) -> schemas.Dispute:
        return await services.add_message(db_session, current_principal(request), dispute_id, data, runtime=runtime)

    @post(
        "/{dispute_id:int}/decide",
        status_code=200,
        summary="An admin decides an escalated dispute: refund, partial_refund (amount) or release",
    )
    async def decide(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        dispute_id: Id,
        data: schemas.Decision,
        runtime: Runtime,
    ) -> schemas.Dispute:
        return await services.decide(db_session, current_principal(request), dispute_id, data, runtime=runtime)


class AdminDisputesController(Controller):
    path = "/api/admin/disputes"
    tags = ["disputes", "admin"]
    guards = [requires_admin]

    @get("/", summary="The arbitration queue: escalated disputes, most urgent decision first (?status= for others)")
    async def queue(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        runtime: Runtime,
        status: Annotated[str, QueryParameter(description=", ".join(QUEUE_FILTERS))] = "escalated",
        limit: paging.Limit = None,
        offset: paging.Offset = None,
    ) -> schemas.DisputeQueuePage:
        if status not in QUEUE_FILTERS:
            raise Unprocessable(f"status must be one of: {', '.join(QUEUE_FILTERS)}.", field="status")
        window = paging.window(limit, offset)
        items, total = await services.dispute_queue_page(db_session, status=status, runtime=runtime, window=window)
        return schemas.DisputeQueuePage(items=items, total=total, next=window.next_url_for(request, total))


controllers = [OrderInspectionController, DisputesController, AdminDisputesController]
"""The disputes package's routes, in the order `exchange.app` mounts them."""
