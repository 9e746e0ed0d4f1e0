"""The lots JSON API: search, post and edit drafts, publish, withdraw, files, and the admin review queue."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.datastructures import State, UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromQuery, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from exchange import paging
from exchange.accounts.guards import current_principal, requires_admin, requires_org_kind, requires_signed_in
from exchange.accounts.principal import Principal
from exchange.errors import Unprocessable
from exchange.lots import schemas, services
from exchange.lots.events import lot_went_live
from exchange.lots.rules import STATUSES
from exchange.lots.search import LotQuery, search_lots
from exchange.params import Id
from exchange.runtime import Runtime

__all__ = ["LotReviewController", "LotsController", "SellerLotsController", "optional_principal"]

_SEARCH_HELP = (
    "Spec filters: `spec.<key>=<value>` (repeat for any of several values), `spec.<key>.gte=` and "
    "`spec.<key>.lte=`; a number may carry a unit (`spec.width.gte=140cm`). Keys are in GET /api/categories."
)


def optional_principal(request: Request[Any, Any, Any]) -> Principal | None:
    user = request.scope.get("user")
    return user if isinstance(user, Principal) else None


def next_page_url(path: str, params: dict[str, list[str]], query: LotQuery, total: int) -> str | None:
    following = query.offset + query.limit
    if following >= total:
        return None
    kept = [(k, v) for k, values in params.items() if k != "offset" for v in values]
    return f"{path}?{urlencode([*kept, ('offset', str(following))])}"


@dataclass
class DocumentUpload:
    kind: str
    """photo, quality_report, certificate, brand_authorisation or safety_data_sheet"""
    file: UploadFile


class LotsController(Controller):
    path = "/api/lots"
    tags = ["catalogue"]

    @get("/", summary="Search lots", description=_SEARCH_HELP)
    async def search(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        q: FromQuery[str | None] = None,
        category: Annotated[str | None, QueryParameter(description="A category code; includes sub-categories")] = None,
        grade: FromQuery[list[str] | None] = None,
        mode: FromQuery[list[str] | None] = None,
        status: Annotated[list[str] | None, QueryParameter(description="Default: live")] = None,
        price_min: Annotated[str | None, QueryParameter(description="Fixed price or minimum bid, at least")] = None,
        price_max: FromQuery[str | None] = None,
        currency: FromQuery[str | None] = None,
        location: Annotated[str | None, QueryParameter(description="City or region")] = None,
        country: FromQuery[str | None] = None,
        sort: Annotated[str | None, QueryParameter(description="newest, closing, price_asc or price_desc")] = None,
        limit: Annotated[str | None, QueryParameter(description="1 to 100, default 20")] = None,
        offset: FromQuery[str | None] = None,
    ) -> schemas.LotPage:
        params = {k: list(v) for k, v in request.query_params.dict().items()}
        found = await search_lots(db_session, optional_principal(request), params)
        return schemas.LotPage(
            items=found.items,
            total=found.total,
            next=next_page_url("/api/lots", params, found.query, found.total),
            facets=found.facets,
            total_is_lower_bound=found.total_is_lower_bound,
        )

    @post("/", status_code=201, guards=[requires_org_kind("seller")], summary="Post a lot (a draft)")
    async def create(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, data: schemas.LotCreate
    ) -> schemas.Lot:
        principal = current_principal(request)
        lot = await services.create_lot(db_session, principal, data)
        return services.lot_out(lot, principal, invited_org_ids=data.invited_org_ids)

    @get("/{lot_id:int}", summary="One lot (404 when it does not exist or is not visible to you)")
    async def get_lot(self, request: Request[Any, Any, Any], db_session: AsyncSession, lot_id: Id) -> schemas.Lot:
        return await services.get_lot(db_session, optional_principal(request), lot_id)

    @patch("/{lot_id:int}", guards=[requires_signed_in], summary="Edit a draft (the seller)")
    async def update(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, lot_id: Id, data: schemas.LotUpdate
    ) -> schemas.Lot:
        principal = current_principal(request)
        await services.update_lot(db_session, principal, lot_id, data)
        return await services.get_lot(db_session, principal, lot_id)

    @post(
        "/{lot_id:int}/publish",
        status_code=200,
        guards=[requires_signed_in],
        summary="Publish a draft: live, or in_review when a compliance rule flags it",
    )
    async def publish(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, lot_id: Id, runtime: Runtime
    ) -> schemas.Lot:
        principal = current_principal(request)
        lot = await services.publish_lot(db_session, principal, lot_id, runtime=runtime)
        await db_session.commit()
        if lot.status == "live":
            await lot_went_live(runtime, lot_id)
        return await services.get_lot(db_session, principal, lot_id)

    @post(
        "/{lot_id:int}/relist",
        status_code=200,
        guards=[requires_signed_in],
        summary="Put a fixed-price lot that expired unsold, was withdrawn or whose buyer did not pay back on sale "
        "for a new listing window; a sealed-bid lot whose buyer did not pay is relisted as a new lot (answered, "
        "with `relisted_from`), with the optional body's sale, live or kept a draft "
        "(live, or in_review when a compliance rule flags it)",
    )
    async def relist(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        lot_id: Id,
        runtime: Runtime,
        data: schemas.RelistLot | None = None,
    ) -> schemas.Lot:
        principal = current_principal(request)
        lot = await services.relist_lot(db_session, principal, lot_id, data, runtime=runtime)
        return await services.get_lot(db_session, principal, lot.id)

    @post(
        "/{lot_id:int}/invitations",
        status_code=200,
        guards=[requires_signed_in],
        summary="Invite more buyer organisations to a private lot (seller; also while it is live)",
    )
    async def invite(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, lot_id: Id, data: schemas.LotInvitations
    ) -> schemas.Lot:
        principal = current_principal(request)
        await services.invite_to_lot(db_session, principal, lot_id, data.org_ids)
        return await services.get_lot(db_session, principal, lot_id)

    @post("/{lot_id:int}/withdraw", status_code=200, guards=[requires_signed_in], summary="Withdraw a lot")
    async def withdraw(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, lot_id: Id, runtime: Runtime
    ) -> schemas.Lot:
        principal = current_principal(request)
        await services.withdraw_lot(db_session, principal, lot_id, runtime=runtime)
        return await services.get_lot(db_session, principal, lot_id)

    @post(
        "/{lot_id:int}/documents",
        status_code=201,
        guards=[requires_signed_in],
        request_max_body_size=services.MAX_UPLOAD_BYTES + 256 * 1024,
        summary="Attach a photo or document to a draft (photos: JPEG/PNG/WebP up to 5 MB; documents: "
        "PDF/JPEG/PNG up to 10 MB)",
    )
    async def upload(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        state: State,
        lot_id: Id,
        data: Annotated[DocumentUpload, Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> schemas.Document:
        content = await data.file.read()
        document = await services.add_document(
            db_session,
            current_principal(request),
            lot_id,
            kind=data.kind,
            filename=data.file.filename,
            content=content,
            data_dir=state.settings.data_dir,
        )
        return services.document_out(document)

    @get("/{lot_id:int}/documents/{document_id:int}", summary="Download a lot's photo or document")
    async def download(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, state: State, lot_id: Id, document_id: Id
    ) -> Response[bytes]:
        return await document_response(
            db_session, optional_principal(request), lot_id, document_id, state.settings.data_dir
        )

    @delete(
        "/{lot_id:int}/documents/{document_id:int}",
        status_code=204,
        guards=[requires_signed_in],
        summary="Remove a file from a draft",
    )
    async def remove(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, state: State, lot_id: Id, document_id: Id
    ) -> None:
        await services.remove_document(
            db_session, current_principal(request), lot_id, document_id, data_dir=state.settings.data_dir
        )


async def document_response(
    session: AsyncSession, principal: Principal | None, lot_id: int, document_id: int, data_dir: Any
) -> Response[bytes]:
    """A lot's file, served so a browser cannot run it as a page (pages use this too)."""
    document, content = await services.read_document(session, principal, lot_id, document_id, data_dir=data_dir)
    return Response(
        content=content,
        media_type=document.content_type,
        headers={
            "Content-Disposition": f"inline; filename*=UTF-8''{quote(document.filename)}",
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
            "Cache-Control": "private, max-age=300",
        },
    )


class SellerLotsController(Controller):
    path = "/api/seller/lots"
    tags = ["catalogue"]
    guards = [requires_org_kind("seller")]

    @get("/", summary="Your organisation's own lots, every status (filter with ?status=)")
    async def mine(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        status: Annotated[str | None, QueryParameter(description=", ".join(STATUSES))] = None,
        limit: paging.Limit = None,
        offset: paging.Offset = None,
    ) -> schemas.SellerLotPage:
        if status is not None and status not in STATUSES:
            raise Unprocessable(f"status must be one of: {', '.join(STATUSES)}.", field="status")
        window = paging.window(limit, offset)
        items, total = await services.seller_lots_page(db_session, current_principal(request), window, status=status)
        return schemas.SellerLotPage(items=items, total=total, next=window.next_url_for(request, total))


class LotReviewController(Controller):
    path = "/api/admin"
    tags = ["catalogue", "admin"]
    guards = [requires_admin]

    @get("/reviews", summary="Lots waiting for compliance review, oldest first")
    async def queue(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        limit: paging.Limit = None,
        offset: paging.Offset = None,
    ) -> schemas.ReviewQueuePage:
        window = paging.window(limit, offset)
        waiting = await services.review_queue(db_session)
        shown = waiting[window.offset : window.offset + window.limit]
        items = await services.lots_out(db_session, current_principal(request), shown)
        return schemas.ReviewQueuePage(items=items, total=len(waiting), next=window.next_url_for(request, len(waiting)))

    @post("/lots/{lot_id:int}/approve", status_code=200, summary="Approve a reviewed lot: it goes live")
    async def approve(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        lot_id: Id,
        runtime: Runtime,
        data: schemas.ReviewDecision | None = None,
    ) -> schemas.Lot:
        principal = current_principal(request)
        note = data.reason if data else ""
        await services.approve_lot(db_session, principal, lot_id, note=note, runtime=runtime)
        await db_session.commit()
        await lot_went_live(runtime, lot_id)
        return await services.get_lot(db_session, principal, lot_id)

    @post("/lots/{lot_id:int}/reject", status_code=200, summary="Reject a reviewed lot back to its seller's drafts")
    async def reject(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        lot_id: Id,
        data: schemas.ReviewDecision,
        runtime: Runtime,
    ) -> schemas.Lot:
        principal = current_principal(request)
        await services.reject_lot(db_session, principal, lot_id, reason=data.reason, runtime=runtime)
        return await services.get_lot(db_session, principal, lot_id)
