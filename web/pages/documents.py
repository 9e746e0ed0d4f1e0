"""An order's documents as printable pages and PDFs: the order confirmation and the settlement statement."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.guards import current_principal, requires_signed_in
from exchange.fees import documents
from exchange.fees.responses import DocumentFormat, render_document
from exchange.params import Id
from exchange.runtime import Runtime

__all__ = ["DocumentPages"]


class DocumentPages(Controller):
    path = "/orders"
    include_in_schema = False
    guards = [requires_signed_in]

    async def _statement(
        self, request: Request[Any, Any, Any], session: AsyncSession, runtime: Runtime, order_id: int, pdf: bool
    ) -> Response[Any]:
        doc = await documents.statement_for(
            session, current_principal(request), order_id, at=runtime.clock.now(), settings=runtime.settings
        )
        context = {"doc": doc, "pdf_href": f"/orders/{order_id}/statement.pdf"}
        fmt: DocumentFormat = "pdf" if pdf else "html"
        return await render_document(request, "documents/statement.html", context, fmt, f"statement-{order_id}.pdf")

    async def _confirmation(
        self, request: Request[Any, Any, Any], session: AsyncSession, runtime: Runtime, order_id: int, pdf: bool
    ) -> Response[Any]:
        doc = await documents.confirmation_for(session, current_principal(request), order_id, at=runtime.clock.now())
        context = {"doc": doc, "pdf_href": f"/orders/{order_id}/confirmation.pdf"}
        fmt: DocumentFormat = "pdf" if pdf else "html"
        return await render_document(
            request, "documents/confirmation.html", context, fmt, f"confirmation-{order_id}.pdf"
        )

    @get("/{order_id:int}/statement")
    async def statement(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, runtime: Runtime, order_id: Id
    ) -> Response[Any]:
        return await self._statement(request, db_session, runtime, order_id, pdf=False)

    @get("/{order_id:int}/statement.pdf")
    async def statement_pdf(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, runtime: Runtime, order_id: Id
    ) -> Response[Any]:
        return await self._statement(request, db_session, runtime, order_id, pdf=True)

    @get("/{order_id:int}/confirmation")
    async def confirmation(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, runtime: Runtime, order_id: Id
    ) -> Response[Any]:
        return await self._confirmation(request, db_session, runtime, order_id, pdf=False)

    @get("/{order_id:int}/confirmation.pdf")
    async def confirmation_pdf(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, runtime: Runtime, order_id: Id
    ) -> Response[Any]:
        return await self._confirmation(request, db_session, runtime, order_id, pdf=True)
