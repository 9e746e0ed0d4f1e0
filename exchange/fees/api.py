"""Fee schedules JSON API (admins): list every version, add a version."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from litestar import Controller, Request, get, post
from litestar.params import QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from exchange import paging
from exchange.accounts.guards import current_principal, requires_admin, requires_signed_in
from exchange.fees import documents, schemas, services
from exchange.fees.responses import document_format, render_document
from exchange.params import Id
from exchange.runtime import Runtime

__all__ = ["FeeSchedulesController", "OrderDocumentsController"]

DocumentFormatParam = Annotated[
    Literal["json", "html", "pdf"] | None,
    QueryParameter(description="json (default), html (printable page) or pdf"),
]


class FeeSchedulesController(Controller):
    path = "/api/admin/fee-schedules"
    tags = ["fees"]
    guards = [requires_admin]

    @get("/", summary="Every fee schedule version, by category, newest first (admin)")
    async def list_schedules(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        runtime: Runtime,
        limit: paging.Limit = None,
        offset: paging.Offset = None,
    ) -> schemas.FeeSchedulePage:
        rows = await services.versions_out(db_session, runtime.clock.now())
        return paging.page_as(schemas.FeeSchedulePage, paging.page_of(request, limit, offset, rows))

    @post("/", status_code=201, summary="Add a fee schedule version for a category, now or later (admin)")
    async def create_schedule(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, runtime: Runtime, data: schemas.FeeScheduleIn
    ) -> schemas.FeeSchedule:
        now = runtime.clock.now()
        row = await services.create_from_input(db_session, data, at=now, created_by=current_principal(request).user_id)
        return services.version_out(row, {row.id} if row.effective_from <= now else set())


class OrderDocumentsController(Controller):
    """An order's documents: 404 to any org that is neither the buyer nor the seller (admins see all)."""

    path = "/api/orders"
    tags = ["orders"]
    guards = [requires_signed_in]

    @get(
        "/{order_id:int}/statement",
        summary="Settlement statement (buyer, seller, admin); `Accept: application/pdf` or `?format=pdf` gives the PDF",
    )
    async def statement(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        runtime: Runtime,
        order_id: Id,
        format: DocumentFormatParam = None,
    ) -> schemas.Statement:
        doc = await documents.statement_for(
            db_session, current_principal(request), order_id, at=runtime.clock.now(), settings=runtime.settings
        )
        fmt = document_format(request, format, "json")
        if fmt == "json":
            return documents.statement_out(doc)
        name = f"statement-order-{order_id}.pdf"
        return await render_document(request, "documents/statement.html", {"doc": doc}, fmt, name)  # type: ignore[return-value]

    @get(
        "/{order_id:int}/confirmation",
        summary="Order confirmation (buyer, seller, admin); `Accept: application/pdf` or `?format=pdf` gives the PDF",
    )
    async def confirmation(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        runtime: Runtime,
        order_id: Id,
        format: DocumentFormatParam = None,
    ) -> schemas.Confirmation:
        doc = await documents.confirmation_for(db_session, current_principal(request), order_id, at=runtime.clock.now())
        fmt = document_format(request, format, "json")
        if fmt == "json":
            return documents.confirmation_out(doc)
        name = f"confirmation-order-{order_id}.pdf"
        return await render_document(request, "documents/confirmation.html", {"doc": doc}, fmt, name)  # type: ignore[return-value]
