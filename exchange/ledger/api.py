"""The ledger JSON API: an org's own accounts with balances, and an account's entries (admins: all)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.params import QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.guards import current_principal, requires_signed_in
from exchange.ledger import queries, schemas
from exchange.params import MAX_ID, Id

__all__ = ["LedgerController"]

_LIMIT = Annotated[str | None, QueryParameter(description=f"1 to {queries.MAX_LIMIT}, default {queries.DEFAULT_LIMIT}")]
_OFFSET = Annotated[str | None, QueryParameter(description="How many to skip (default 0)")]


class LedgerController(Controller):
    path = "/api/ledger"
    tags = ["ledger"]
    guards = [requires_signed_in]

    @get("/accounts", summary="Your organisation's ledger accounts with balances (admins: every account)")
    async def list_accounts(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        org_id: Annotated[
            int | None, QueryParameter(gt=0, le=MAX_ID, description="Admins: one organisation's accounts")
        ] = None,
        purpose: Annotated[str | None, QueryParameter(description="Only accounts of this purpose")] = None,
        limit: _LIMIT = None,
        offset: _OFFSET = None,
    ) -> schemas.AccountPage:
        page = queries.page_of(limit, offset)
        items, total = await queries.list_accounts(
            db_session, current_principal(request), page, org_id=org_id, purpose=purpose
        )
        following = page.next_url("/api/ledger/accounts", total, org_id=org_id, purpose=purpose)
        return schemas.AccountPage(items=items, total=total, next=following)

    @get(
        "/accounts/{account_id:int}/entries",
        summary="An account's entries, newest first (404 for an account that is not yours)",
    )
    async def account_entries(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        account_id: Id,
        limit: _LIMIT = None,
        offset: _OFFSET = None,
    ) -> schemas.EntryPage:
        page = queries.page_of(limit, offset)
        items, total = await queries.account_entries(db_session, current_principal(request), account_id, page)
        following = page.next_url(f"/api/ledger/accounts/{account_id}/entries", total)
        return schemas.EntryPage(items=items, total=total, next=following)
