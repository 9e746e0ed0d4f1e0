"""Seller payouts: what each seller is owed (its SELLER_PAYABLE account), payout batches and their CSV.

A batch pays every seller owed money in one currency: one balanced ledger entry moves each seller's
available payable to EXTERNAL (the bank transfer finance makes from the CSV). The batch key makes it
idempotent: the same key answers the same batch and moves nothing more. Two batches racing for the same
money cannot both pay it: the ledger refuses a payable that no longer covers the amount (409), and the
loser's transaction rolls back whole.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from exchange import audit
from exchange.accounts.models import Org
from exchange.errors import Conflict, Unprocessable
from exchange.fees.errors import BATCH_KEY_TAKEN, NOTHING_TO_PAY
from exchange.fees.models import PayoutBatch, PayoutLine
from exchange.i18n.catalog import N_
from exchange.i18n.messages import Msg
from exchange.ledger import accounts
from exchange.ledger import services as ledger
from exchange.ledger.models import LedgerAccount
from exchange.money import CURRENCIES, format_minor

__all__ = [
    "Owed",
    "batch_csv",
    "batches",
    "create_batch",
    "owed_to_sellers",
    "payout_lines_of_seller",
    "seller_balances",
]

MAX_KEY_LENGTH = 200


@dataclass(frozen=True, slots=True)
class Owed:
    org_id: int
    org_name: str
    currency: str
    account_id: int
    amount_minor: int
    """Available: posted less what pending holds keep away."""


async def owed_to_sellers(session: AsyncSession, currency: str | None = None) -> list[Owed]:
    """Every seller with money available on its payable account (in `currency`, or all), largest first."""
    query = (
        select(LedgerAccount, Org.name)
        .join(Org, Org.id == LedgerAccount.org_id)
        .where(LedgerAccount.purpose == accounts.SELLER_PAYABLE, LedgerAccount.posted - LedgerAccount.pending_out > 0)
    )
    if currency is not None:
        query = query.where(LedgerAccount.currency == currency)
    rows = (await session.execute(query)).all()
    owed = [Owed(acct.org_id or 0, name, acct.currency, acct.id, acct.posted - acct.pending_out) for acct, name in rows]
    return sorted(owed, key=lambda o: (o.currency, -o.amount_minor, o.org_id))


async def seller_balances(session: AsyncSession, org_id: int) -> list[Owed]:
    """One seller's payable accounts (every currency it was ever owed in), zero balances included."""
    rows = (
        await session.execute(
            select(LedgerAccount, Org.name)
            .join(Org, Org.id == LedgerAccount.org_id)
            .where(LedgerAccount.purpose == accounts.SELLER_PAYABLE, LedgerAccount.org_id == org_id)
            .order_by(LedgerAccount.currency)
        )
    ).all()
    return [Owed(org_id, name, acct.currency, acct.id, acct.posted - acct.pending_out) for acct, name in rows]


async def create_batch(
    session: AsyncSession, *, key: str, currency: str, at: datetime, created_by: int | None
) -> PayoutBatch:
    """Pay every seller what it is owed in `currency` now, as one batch (idempotent on `key`)."""
    key = key.strip()
    if not 1 <= len(key) <= MAX_KEY_LENGTH or not key.isprintable():
        raise Unprocessable(
            Msg("Give the batch a key of 1 to {count} visible characters.", count=MAX_KEY_LENGTH), field="key"
        )
    if currency not in CURRENCIES:
        raise Unprocessable(Msg("Currency {currency} is not supported.", currency=repr(currency[:8])), field="currency")
    existing = await session.scalar(select(PayoutBatch).where(PayoutBatch.key == key))
    if existing is not None:
        return existing
    owed = await owed_to_sellers(session, currency)
    if not owed:
        raise Conflict(Msg("No seller is owed anything in {currency} now.", currency=currency), code=NOTHING_TO_PAY)
    batch = PayoutBatch(
        key=key, currency=currency, total_minor=sum(o.amount_minor for o in owed), created_at=at, created_by=created_by
    )
    try:
        async with session.begin_nested():
            session.add(batch)
    except IntegrityError:  # the same key sent twice at once: the other request makes the batch
        raise Conflict(
            N_("This payout batch is being made right now; reload the page."), code=BATCH_KEY_TAKEN
        ) from None
    session.add_all(PayoutLine(batch_id=batch.id, seller_org_id=o.org_id, amount_minor=o.amount_minor) for o in owed)
    external = await ledger.account_for(session, accounts.EXTERNAL, currency=currency)
    moves = [ledger.Move(from_account=o.account_id, to_account=external, amount_minor=o.amount_minor) for o in owed]
    await ledger.post(session, key=f"payout-batch:{batch.id}", moves=moves, at=at, memo=f"payout batch {batch.id}")
    await audit.record(
        session,
        actor=f"admin:{created_by}" if created_by is not None else "system",
        object_type="payout_batch",
        object_id=batch.id,
        action="create",
        after={"currency": currency, "total_minor": batch.total_minor, "sellers": len(owed)},
        at=at,
    )
    await session.flush()
    return batch


async def batches(
    session: AsyncSession, *, since: datetime | None = None, until: datetime | None = None
) -> list[PayoutBatch]:
    query = select(PayoutBatch).order_by(PayoutBatch.created_at.desc(), PayoutBatch.id.desc())
    if since is not None:
        query = query.where(PayoutBatch.created_at >= since)
    if until is not None:
        query = query.where(PayoutBatch.created_at < until)
    return list((await session.scalars(query.limit(500))).all())


async def payout_lines_of_seller(session: AsyncSession, org_id: int) -> list[tuple[PayoutBatch, PayoutLine]]:
    rows = await session.execute(
        select(PayoutBatch, PayoutLine)
        .join(PayoutLine, PayoutLine.batch_id == PayoutBatch.id)
        .where(PayoutLine.seller_org_id == org_id)
        .order_by(PayoutBatch.created_at.desc())
        .limit(200)
    )
    return [(batch, line) for batch, line in rows.all()]


async def batch_csv(session: AsyncSession, batch_id: int) -> str | None:
    """The batch as CSV for finance: one row per seller (batch, seller id and name, currency, amount)."""
    batch = await session.get(PayoutBatch, batch_id)
    if batch is None:
        return None
    rows = await session.execute(
        select(PayoutLine, Org.name)
        .join(Org, Org.id == PayoutLine.seller_org_id)
        .where(PayoutLine.batch_id == batch_id)
        .order_by(PayoutLine.seller_org_id)
    )
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["batch_id", "created_at", "seller_org_id", "seller_name", "currency", "amount"])
    for line, name in rows.all():
        writer.writerow(
            [
                batch.id,
                batch.created_at.isoformat(),
                line.seller_org_id,
                safe_cell(name),
                batch.currency,
                format_minor(line.amount_minor, batch.currency),
            ]
        )
    return out.getvalue()


def safe_cell(text: str) -> str:
    """A cell a spreadsheet will not run as a formula (CSV injection: =, +, -, @ at the start)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
