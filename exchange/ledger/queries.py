"""Reading the ledger for the API: an org's own accounts (admins: every account) and an account's entries."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange import paging
from exchange.accounts.principal import Principal
from exchange.errors import NotFound, Unprocessable
from exchange.i18n.messages import Msg
from exchange.ledger import accounts, schemas
from exchange.ledger.errors import UNKNOWN_ACCOUNT
from exchange.ledger.models import LedgerAccount, LedgerEntry, LedgerLine
from exchange.money import format_minor

__all__ = ["DEFAULT_LIMIT", "MAX_LIMIT", "account_entries", "list_accounts", "page_of"]

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


def page_of(limit: str | None, offset: str | None) -> paging.Window:
    return paging.window(limit, offset, default=DEFAULT_LIMIT, most=MAX_LIMIT)


def account_out(account: LedgerAccount) -> schemas.Account:
    def money(minor: int) -> str:
        return format_minor(minor, account.currency) or "0"

    return schemas.Account(
        id=account.id,
        purpose=account.purpose,
        currency=account.currency,
        org_id=account.org_id,
        order_id=account.order_id,
        posted=money(account.posted),
        pending_out=money(account.pending_out),
        pending_in=money(account.pending_in),
        available=money(account.posted - account.pending_out),
    )


async def list_accounts(
    session: AsyncSession, principal: Principal, page: paging.Window, *, org_id: int | None, purpose: str | None
) -> tuple[list[schemas.Account], int]:
    """The caller's org's accounts; an admin sees every account, or one org's with `org_id`."""
    if purpose is not None and purpose not in accounts.PURPOSES:
        raise Unprocessable(f"purpose must be one of {', '.join(sorted(accounts.PURPOSES))}.", field="purpose")
    query = select(LedgerAccount)
    if not principal.is_admin:
        if principal.org_id is None or (org_id is not None and org_id != principal.org_id):
            return [], 0
        query = query.where(LedgerAccount.org_id == principal.org_id)
    elif org_id is not None:
        query = query.where(LedgerAccount.org_id == org_id)
    if purpose is not None:
        query = query.where(LedgerAccount.purpose == purpose)
    total = await session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = await session.scalars(query.order_by(LedgerAccount.id).limit(page.limit).offset(page.offset))
    return [account_out(account) for account in rows], total


async def visible_account(session: AsyncSession, principal: Principal, account_id: int) -> LedgerAccount:
    account = await session.get(LedgerAccount, account_id)
    if account is None or not (principal.is_admin or (principal.org_id and account.org_id == principal.org_id)):
        raise NotFound(Msg("No ledger account {account} is visible to you.", account=account_id), code=UNKNOWN_ACCOUNT)
    return account


async def account_entries(
    session: AsyncSession, principal: Principal, account_id: int, page: paging.Window
) -> tuple[list[schemas.AccountEntry], int]:
    account = await visible_account(session, principal, account_id)
    total = await session.scalar(
        select(func.count())
        .select_from(LedgerLine)
        .where(LedgerLine.account_id == account_id, LedgerLine.currency == account.currency)
    )
    rows = await session.execute(
        select(LedgerLine.direction, LedgerLine.amount_minor, LedgerEntry)
        .join(LedgerEntry, LedgerEntry.id == LedgerLine.entry_id)
        .where(LedgerLine.account_id == account_id, LedgerLine.currency == account.currency)
        .order_by(LedgerLine.entry_id.desc())
        .limit(page.limit)
        .offset(page.offset)
    )
    items = [
        schemas.AccountEntry(
            entry_id=entry.id,
            kind=entry.kind,
            direction="in" if direction > 0 else "out",
            amount=format_minor(amount, account.currency) or "0",
            at=entry.at,
            memo=entry.memo,
            order_id=entry.order_id,
            hold_id=entry.hold_id,
        )
        for direction, amount, entry in rows
    ]
    return items, total or 0
