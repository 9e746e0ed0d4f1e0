"""Moving money: every call runs in the caller's session and transaction (no commit here) and is idempotent
on its key: the same key with the same content returns the first entry and adds nothing; the same key with
other content is a 409 `ledger_key_reused`.

    acct = await account_for(session, accounts.ESCROW, currency="CNY", order_id=12)
    entry = await post(session, key="order:12:settle", moves=[Move(acct, seller, 95_00), ...], at=now)
    hold_id = await hold(session, key="lot:4:deposit:org=7", move=Move(external, held, 500_00), at=now)
    await post_hold(session, key="order:12:deposit", hold_id=hold_id, at=now)   # or void_hold

Balances are kept on the account row (posted, pending out, pending in) and updated with every entry;
`exchange.ledger.verify` replays the lines and holds against them. An account that may not go negative
refuses a movement its available balance (posted less pending out) does not cover: 409 `insufficient_funds`.
A refusal is raised before anything is written, except when a concurrent writer took the money between the
check and the write: the database's CHECK refuses it then (the same 409), and the caller must roll back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.db.base import utcnow
from exchange.errors import Conflict, NotFound, Unprocessable
from exchange.ledger import rules
from exchange.ledger.errors import (
    BAD_MOVE,
    CURRENCY_MISMATCH,
    HOLD_EXPIRED,
    HOLD_NOT_PENDING,
    INSUFFICIENT_FUNDS,
    LEDGER_KEY_REUSED,
    UNKNOWN_ACCOUNT,
)
from exchange.ledger.models import LedgerAccount, LedgerEntry, LedgerHold, LedgerLine
from exchange.ledger.rules import Balance, Move

__all__ = [
    "Balance",
    "Entry",
    "Move",
    "account_for",
    "balance",
    "expire_hold",
    "hold",
    "post",
    "post_hold",
    "void_hold",
]

_accounts = cast(Table, LedgerAccount.__table__)
_entries = cast(Table, LedgerEntry.__table__)
_lines = cast(Table, LedgerLine.__table__)
_holds = cast(Table, LedgerHold.__table__)
MAX_KEY_LENGTH = 200


@dataclass(frozen=True, slots=True)
class Entry:
    """A journal entry made (or found again) by a money-moving call."""

    id: int
    key: str
    kind: str
    hold_id: int | None
    """The hold it placed (`hold`: its own id) or acted on; None for a plain `post`."""
    replayed: bool
    """True when the key had been used already: this is the first entry, and nothing new was written."""


@dataclass(frozen=True, slots=True)
class _Account:
    id: int
    purpose: str
    currency: str
    posted: int
    pending_out: int


# --- accounts -------------------------------------------------------------------------------------


async def account_for(
    session: AsyncSession, purpose: str, currency: str = "CNY", org_id: int | None = None, order_id: int | None = None
) -> int:
    """The id of the account for this purpose, currency and owner; made (with zero balances) on first use."""
    code = rules.account_code(purpose, currency, org_id, order_id)
    found = await session.scalar(select(_accounts.c.id).where(_accounts.c.code == code))
    if found is not None:
        return int(found)
    values: dict[str, Any] = {"code": code, "purpose": purpose, "currency": currency, "org_id": org_id}
    values |= {"order_id": order_id, "posted": 0, "pending_out": 0, "pending_in": 0, "created_at": utcnow()}
    made = await session.scalar(
        _insert(session, _accounts)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["code"])
        .returning(_accounts.c.id)
    )
    if made is None:  # made by a concurrent caller just now
        made = await session.scalar(select(_accounts.c.id).where(_accounts.c.code == code))
    return int(made)


async def balance(session: AsyncSession, account_id: int) -> Balance:
    row = (
        await session.execute(
            select(_accounts.c.posted, _accounts.c.pending_out, _accounts.c.pending_in).where(
                _accounts.c.id == account_id
            )
        )
    ).one_or_none()
    if row is None:
        raise NotFound(f"No ledger account {account_id}.", code=UNKNOWN_ACCOUNT)
    return Balance(posted=row.posted, pending_out=row.pending_out, pending_in=row.pending_in)


# --- posting --------------------------------------------------------------------------------------


async def post(
    session: AsyncSession,
    *,
    key: str,
    moves: Sequence[Move],
    at: datetime,
    memo: str = "",
    order_id: int | None = None,
) -> Entry:
    """One balanced journal entry of all `moves` (one line per account whose balance changes)."""
    _check_key(key)
    moves = list(moves)
    rules.check_moves(moves)
    fingerprint = rules.fingerprint("post", moves=_move_list(moves), order_id=order_id)
    if (first := await _replay(session, key, "post", fingerprint)) is not None:
        return first
    deltas = rules.net_deltas(moves)
    found = await _lock_accounts(session, deltas.keys())
    currency = _one_currency(found.values())
    for account_id, delta in deltas.items():
        if delta < 0:
            _check_covers(found[account_id], -delta)
    entry_id = await _claim(session, key, "post", fingerprint, at, memo, order_id, hold_id=None)
    if entry_id is None:
        return await _replayed(session, key, "post", fingerprint)
    changes = [{"account_id": a, "posted": d, "pending_out": 0, "pending_in": 0} for a, d in deltas.items() if d]
    await _change_balances(session, changes)
    await _write_lines(session, entry_id, currency, rules.lines_of(deltas))
    return Entry(id=entry_id, key=key, kind="post", hold_id=None, replayed=False)


async def hold(
    session: AsyncSession,
    *,
    key: str,
    move: Move,
    at: datetime,
    expires_at: datetime | None = None,
    memo: str = "",
    order_id: int | None = None,
) -> int:
    """Hold `move` pending (two-phase): the money leaves `from_account`'s available balance now, and moves
    when the hold is posted (`post_hold`), or returns when it is voided or expires. Returns the hold's id."""
    _check_key(key)
    rules.check_moves([move])
    fingerprint = rules.fingerprint("hold", move=move, order_id=order_id)
    if (first := await _replay(session, key, "hold", fingerprint)) is not None:
        return first.id
    found = await _lock_accounts(session, (move.from_account, move.to_account))
    _one_currency(found.values())
    _check_covers(found[move.from_account], move.amount_minor)
    entry_id = await _claim(session, key, "hold", fingerprint, at, memo, order_id, hold_id=None)
    if entry_id is None:
        return (await _replayed(session, key, "hold", fingerprint)).id
    await session.execute(
        _holds.insert().values(
            id=entry_id,
            from_account_id=move.from_account,
            to_account_id=move.to_account,
            amount_minor=move.amount_minor,
            posted_minor=0,
            status="pending",
            expires_at=expires_at,
            created_at=at,
        )
    )
    await _change_balances(
        session,
        [
            {"account_id": move.from_account, "posted": 0, "pending_out": move.amount_minor, "pending_in": 0},
            {"account_id": move.to_account, "posted": 0, "pending_out": 0, "pending_in": move.amount_minor},
        ],
    )
    return entry_id


async def post_hold(
    session: AsyncSession,
    *,
    key: str,
    hold_id: int,
    at: datetime,
    amount_minor: int | None = None,
    memo: str = "",
    order_id: int | None = None,
) -> Entry:
    """Post a pending hold: all of it, or `amount_minor` of it (the rest returns to the sender)."""
    _check_key(key)
    if amount_minor is not None:
        rules.check_amount(amount_minor)
    fingerprint = rules.fingerprint("post_hold", hold_id=hold_id, amount_minor=amount_minor, order_id=order_id)
    if (first := await _replay(session, key, "post_hold", fingerprint)) is not None:
        return first
    pending = await _pending_hold(session, hold_id, at)
    amount = pending.amount_minor if amount_minor is None else amount_minor
    if amount > pending.amount_minor:
        raise Unprocessable(
            f"The hold is for {pending.amount_minor} minor units; {amount} cannot be posted from it.",
            field="amount_minor",
            code=BAD_MOVE,
        )
    return await _resolve(session, key, "post_hold", fingerprint, pending, at, memo, order_id, posted=amount)


async def void_hold(
    session: AsyncSession, *, key: str, hold_id: int, at: datetime, memo: str = "", order_id: int | None = None
) -> Entry:
    """Void a pending hold: all of it returns to the sender."""
    _check_key(key)
    fingerprint = rules.fingerprint("void_hold", hold_id=hold_id, order_id=order_id)
    if (first := await _replay(session, key, "void_hold", fingerprint)) is not None:
        return first
    pending = await _pending_hold(session, hold_id, at, posting=False)
    return await _resolve(session, key, "void_hold", fingerprint, pending, at, memo, order_id, posted=0)


async def expire_hold(session: AsyncSession, hold_id: int, at: datetime) -> Entry | None:
    """Expire the hold if it is still pending and due at `at`: exactly once (None when not, or done already)."""
    key = f"ledger:hold:{hold_id}:expire"
    fingerprint = rules.fingerprint("expire_hold", hold_id=hold_id)
    row = (await session.execute(select(_holds).where(_holds.c.id == hold_id).with_for_update())).one_or_none()
    if row is None or row.status != "pending" or row.expires_at is None or row.expires_at > at:
        return None
    return await _resolve(session, key, "expire_hold", fingerprint, row, at, "expired", None, posted=0)


# --- the steps ------------------------------------------------------------------------------------


def _insert(session: AsyncSession, table: Any) -> Any:
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


def _check_key(key: str) -> None:
    if not isinstance(key, str) or not key or len(key) > MAX_KEY_LENGTH:
        raise Unprocessable(f"A ledger key is 1 to {MAX_KEY_LENGTH} characters.", field="key", code=BAD_MOVE)


def _move_list(moves: Sequence[Move]) -> list[list[int]]:
    return sorted([m.from_account, m.to_account, m.amount_minor] for m in moves)


async def _replay(session: AsyncSession, key: str, kind: str, fingerprint: str) -> Entry | None:
    """The entry made earlier with this key (when it asked the same), or None when the key is new."""
    row = (
        await session.execute(
            select(_entries.c.id, _entries.c.kind, _entries.c.fingerprint, _entries.c.hold_id).where(
                _entries.c.key == key
            )
        )
    ).one_or_none()
    if row is None:
        return None
    if row.kind != kind or row.fingerprint != fingerprint:
        raise Conflict(
            f"The ledger key {key!r} was already used for a different {row.kind} entry; nothing was moved.",
            field="key",
            code=LEDGER_KEY_REUSED,
        )
    return Entry(id=row.id, key=key, kind=kind, hold_id=row.hold_id, replayed=True)


async def _replayed(session: AsyncSession, key: str, kind: str, fingerprint: str) -> Entry:
    first = await _replay(session, key, kind, fingerprint)
    assert first is not None, "a key that clashed on insert exists"
    return first


async def _claim(
    session: AsyncSession,
    key: str,
    kind: str,
    fingerprint: str,
    at: datetime,
    memo: str,
    order_id: int | None,
    hold_id: int | None,
) -> int | None:
    """Insert the entry; None when a concurrent call with the same key inserted it first (the unique key
    decides: INSERT ... ON CONFLICT DO NOTHING, which waits for that call's transaction on PostgreSQL)."""
    values = {
        "key": key,
        "kind": kind,
        "fingerprint": fingerprint,
        "hold_id": hold_id,
        "order_id": order_id,
        "memo": memo[:200],
        "at": at,
    }
    statement = _insert(session, _entries).values(**values).on_conflict_do_nothing(index_elements=["key"])
    made = await session.scalar(statement.returning(_entries.c.id))
    return None if made is None else int(made)


async def _lock_accounts(session: AsyncSession, account_ids: Any) -> dict[int, _Account]:
    """The accounts, locked in id order (PostgreSQL; SQLite has one writer at a time anyway)."""
    wanted = sorted(set(account_ids))
    result = await session.execute(
        select(_accounts.c.id, _accounts.c.purpose, _accounts.c.currency, _accounts.c.posted, _accounts.c.pending_out)
        .where(_accounts.c.id.in_(wanted))
        .order_by(_accounts.c.id)
        .with_for_update()
    )
    found = {row.id: _Account(row.id, row.purpose, row.currency, row.posted, row.pending_out) for row in result}
    missing = [a for a in wanted if a not in found]
    if missing:
        raise NotFound(f"No ledger account {missing[0]}.", code=UNKNOWN_ACCOUNT)
    return found


def _one_currency(found: Any) -> str:
    currencies: set[str] = {account.currency for account in found}
    if len(currencies) != 1:
        raise Unprocessable(
            f"A ledger entry moves one currency; these accounts hold {', '.join(sorted(currencies))}.",
            field="moves",
            code=CURRENCY_MISMATCH,
        )
    return currencies.pop()


def _check_covers(account: _Account, amount: int) -> None:
    if rules.may_go_negative(account.purpose):
        return
    available = account.posted - account.pending_out
    if available < amount:
        raise Conflict(
            f"Ledger account {account.id} ({account.purpose}) has {available} minor units available; "
            f"{amount} cannot leave it.",
            code=INSUFFICIENT_FUNDS,
        )


async def _change_balances(session: AsyncSession, changes: list[dict[str, int]]) -> None:
    statement = (
        update(_accounts)
        .where(_accounts.c.id == bindparam("account_id"))
        .values(
            posted=_accounts.c.posted + bindparam("posted"),
            pending_out=_accounts.c.pending_out + bindparam("pending_out"),
            pending_in=_accounts.c.pending_in + bindparam("pending_in"),
        )
    )
    try:
        await session.execute(statement.execution_options(synchronize_session=False), changes)
    except IntegrityError:  # a concurrent writer took the money after the check (see the module's notes)
        raise Conflict(
            "An account's available balance no longer covers the movement; nothing was moved.",
            code=INSUFFICIENT_FUNDS,
        ) from None


async def _write_lines(session: AsyncSession, entry_id: int, currency: str, lines: list[tuple[int, int, int]]) -> None:
    if not lines:
        return
    await session.execute(
        _lines.insert(),
        [
            {"entry_id": entry_id, "account_id": a, "currency": currency, "direction": d, "amount_minor": n}
            for a, d, n in lines
        ],
    )


async def _pending_hold(session: AsyncSession, hold_id: int, at: datetime, *, posting: bool = True) -> Any:
    row = (await session.execute(select(_holds).where(_holds.c.id == hold_id).with_for_update())).one_or_none()
    if row is None:
        raise NotFound(f"No ledger hold {hold_id}.", code=UNKNOWN_ACCOUNT)
    if row.status != "pending":
        raise Conflict(
            f"Ledger hold {hold_id} is {row.status}, not pending: nothing can be done with it.", code=HOLD_NOT_PENDING
        )
    if posting and row.expires_at is not None and row.expires_at <= at:
        raise Conflict(
            f"Ledger hold {hold_id} expired at {row.expires_at.isoformat()}; it can only be voided.", code=HOLD_EXPIRED
        )
    return row


async def _resolve(
    session: AsyncSession,
    key: str,
    kind: str,
    fingerprint: str,
    pending: Any,
    at: datetime,
    memo: str,
    order_id: int | None,
    *,
    posted: int,
) -> Entry:
    """End a pending hold (posted, voided or expired): once, whoever races for it."""
    status = {"post_hold": "posted", "void_hold": "voided", "expire_hold": "expired"}[kind]
    ended = await session.execute(
        update(_holds)
        .where(_holds.c.id == pending.id, _holds.c.status == "pending")
        .values(status=status, posted_minor=posted, resolved_at=at)
        .execution_options(synchronize_session=False)
    )
    if ended.rowcount != 1:  # type: ignore[attr-defined]
        if (first := await _replay(session, key, kind, fingerprint)) is not None:
            return first  # the same call, made concurrently, won
        raise Conflict(f"Ledger hold {pending.id} is no longer pending.", code=HOLD_NOT_PENDING)
    entry_id = await _claim(session, key, kind, fingerprint, at, memo, order_id, hold_id=pending.id)
    if entry_id is None:
        raise Conflict(f"The ledger key {key!r} was already used; nothing was moved.", code=LEDGER_KEY_REUSED)
    held = pending.amount_minor
    await _change_balances(
        session,
        [
            {"account_id": pending.from_account_id, "posted": -posted, "pending_out": -held, "pending_in": 0},
            {"account_id": pending.to_account_id, "posted": posted, "pending_out": 0, "pending_in": -held},
        ],
    )
    if posted:
        currency = await session.scalar(select(_accounts.c.currency).where(_accounts.c.id == pending.from_account_id))
        deltas = {pending.from_account_id: -posted, pending.to_account_id: posted}
        await _write_lines(session, entry_id, str(currency), rules.lines_of(deltas))
    return Entry(id=entry_id, key=key, kind=kind, hold_id=pending.id, replayed=False)
