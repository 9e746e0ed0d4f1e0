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
A refusal leaves nothing written (so a caller may catch it and go on). A posting is three statements on
SQLite (balances UPDATE ... RETURNING, which the table's CHECK refuses when an account would go negative;
the entry; its lines) and four on PostgreSQL (the accounts are first locked in id order and checked).
A repeated key is noticed when its entry is inserted (the balances change is undone then) or when the
balances no longer allow the movement.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.audit import record as audit_record
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
from exchange.ledger.models import LedgerAccount, LedgerHold
from exchange.ledger.rules import Balance, Move
from exchange.ledger.statements import (
    CLAIM,
    END_HOLD,
    INSERT_HOLD,
    INSERT_LINE,
    REPLAY,
    Db,
    IntegrityErrors,
    update_balances,
)

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
_holds = cast(Table, LedgerHold.__table__)
MAX_KEY_LENGTH = 200


@dataclass(frozen=True, slots=True)
class Entry:
    """A journal entry made (or found again) by a money-moving call."""

    id: int
    key: str
    kind: str
    hold_id: int | None
    """The hold it posted, voided or expired; None for `post` and `hold` (a hold's id is its entry's id)."""
    replayed: bool
    """True when the key had been used already: this is the first entry, and nothing new was written."""


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
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    made = await session.scalar(
        dialect.insert(_accounts)
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
    deltas = rules.net_deltas(moves)
    changes = {account: _Change(posted=delta) for account, delta in deltas.items()}
    db = await Db.of(session)
    try:
        currency = await _apply(db, changes)
    except Conflict:  # no longer covered: perhaps because this very call was made before
        if (first := await _replay(db, key, "post", fingerprint)) is not None:
            return first
        raise
    entry_id = await _claim(db, key, "post", fingerprint, at, memo, order_id, hold_id=None)
    if entry_id is None:  # made before with this key (or by a concurrent call just now): undo, answer the first
        await _undo(db, changes)
        return await _replayed(db, key, "post", fingerprint)
    await _write_lines(db, entry_id, currency, rules.lines_of(deltas))
    await _audit(session, entry_id, "post", key, at, memo, order_id, {"moves": _move_list(moves)})
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
    when the hold is posted (`post_hold`), or returns when it is voided or expires. Returns the hold's id
    (the id of the entry that placed it)."""
    _check_key(key)
    rules.check_moves([move])
    fingerprint = rules.fingerprint("hold", move=move, order_id=order_id)
    changes = {
        move.from_account: _Change(pending_out=move.amount_minor),
        move.to_account: _Change(pending_in=move.amount_minor),
    }
    db = await Db.of(session)
    try:
        await _apply(db, changes)
    except Conflict:
        if (first := await _replay(db, key, "hold", fingerprint)) is not None:
            return first.id
        raise
    entry_id = await _claim(db, key, "hold", fingerprint, at, memo, order_id, hold_id=None)
    if entry_id is None:
        await _undo(db, changes)
        return (await _replayed(db, key, "hold", fingerprint)).id
    hold_row = {"id": entry_id, "from_account_id": move.from_account, "to_account_id": move.to_account}
    hold_row |= {"amount_minor": move.amount_minor, "expires_at": db.time(expires_at), "created_at": db.time(at)}
    await db.rows(INSERT_HOLD, hold_row)
    await _audit(session, entry_id, "hold", key, at, memo, order_id, {"moves": _move_list([move])})
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
    db = await Db.of(session)
    return await _end_hold(db, key, "post_hold", fingerprint, hold_id, at, memo, order_id, amount_minor)


async def void_hold(
    session: AsyncSession, *, key: str, hold_id: int, at: datetime, memo: str = "", order_id: int | None = None
) -> Entry:
    """Void a pending hold: all of it returns to the sender."""
    _check_key(key)
    fingerprint = rules.fingerprint("void_hold", hold_id=hold_id, order_id=order_id)
    db = await Db.of(session)
    return await _end_hold(db, key, "void_hold", fingerprint, hold_id, at, memo, order_id, None)


async def expire_hold(session: AsyncSession, hold_id: int, at: datetime) -> Entry | None:
    """Expire the hold if it is still pending and due at `at`: exactly once, whoever else runs this (None
    when it is not due, or no longer pending); nothing is written then."""
    fingerprint = rules.fingerprint("expire_hold", hold_id=hold_id)
    db = await Db.of(session)
    try:
        entry = await _end_hold(
            db, f"ledger:hold:{hold_id}:expire", "expire_hold", fingerprint, hold_id, at, "expired", None, None
        )
    except (Conflict, NotFound):
        return None
    return None if entry.replayed else entry


# --- the steps ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Change:
    """What an entry adds to an account's posted, pending-out and pending-in balances."""

    posted: int = 0
    pending_out: int = 0
    pending_in: int = 0

    @property
    def available(self) -> int:
        return self.posted - self.pending_out

    def negated(self) -> _Change:
        return _Change(-self.posted, -self.pending_out, -self.pending_in)


async def _audit(
    session: AsyncSession,
    entry_id: int,
    kind: str,
    key: str,
    at: datetime,
    memo: str,
    order_id: int | None,
    detail: dict[str, Any],
) -> None:
    """Every journal entry appends its audit record in the same transaction (replays append nothing)."""
    after = {"kind": kind, "key": key, "memo": memo, "order_id": order_id, **detail}
    await audit_record(
        session, actor="system", object_type="ledger_entry", object_id=entry_id, action=kind, after=after, at=at
    )


def _check_key(key: str) -> None:
    if not isinstance(key, str) or not key or len(key) > MAX_KEY_LENGTH:
        raise Unprocessable(f"A ledger key is 1 to {MAX_KEY_LENGTH} characters.", field="key", code=BAD_MOVE)


def _move_list(moves: Sequence[Move]) -> list[list[int]]:
    return sorted([m.from_account, m.to_account, m.amount_minor] for m in moves)


async def _replay(db: Db, key: str, kind: str, fingerprint: str) -> Entry | None:
    """The entry made earlier with this key (when it asked the same), or None when the key is new."""
    rows = await db.rows(REPLAY, {"key": key})
    if not rows:
        return None
    entry_id, first_kind, first_fingerprint, hold_id = rows[0]
    if first_kind != kind or first_fingerprint != fingerprint:
        raise Conflict(
            f"The ledger key {key!r} was already used for a different {first_kind} entry; nothing was moved.",
            field="key",
            code=LEDGER_KEY_REUSED,
        )
    return Entry(id=entry_id, key=key, kind=kind, hold_id=hold_id, replayed=True)


async def _replayed(db: Db, key: str, kind: str, fingerprint: str) -> Entry:
    first = await _replay(db, key, kind, fingerprint)
    assert first is not None, "a key that clashed on insert exists"
    return first


async def _claim(
    db: Db,
    key: str,
    kind: str,
    fingerprint: str,
    at: datetime,
    memo: str,
    order_id: int | None,
    hold_id: int | None,
) -> int | None:
    """Insert the entry; None when a call with the same key inserted it before, or concurrently (the unique
    key decides: INSERT ... ON CONFLICT DO NOTHING, which waits for that call's transaction on PostgreSQL)."""
    values = {"key": key, "kind": kind, "fingerprint": fingerprint, "hold_id": hold_id, "order_id": order_id}
    rows = await db.rows(CLAIM, values | {"memo": memo[:200], "at": db.time(at)})
    return int(rows[0][0]) if rows else None


async def _apply(db: Db, changes: dict[int, _Change]) -> str:
    """Add `changes` to the accounts' balances in one UPDATE; returns their one currency.

    Refused with nothing changed: an unknown account (404), accounts of different currencies (422), an
    account that may not go negative whose available balance would (409). On PostgreSQL the rows are first
    locked in id order (no deadlocks) and checked; on SQLite (one writer at a time) the UPDATE is the check:
    the table's CHECK refuses a negative balance, and RETURNING gives the currencies."""
    if db.postgres:
        await _lock_and_check(db.session, changes)
    sql, params = update_balances({a: (c.posted, c.pending_out, c.pending_in) for a, c in changes.items()})
    try:
        rows = await db.rows(sql, params)
    except IntegrityErrors:  # CHECK available_not_negative (the statement changed nothing)
        raise await _insufficient(db.session, changes) from None
    currencies = {currency for _, currency in rows}
    if len(rows) != len(changes) or len(currencies) != 1:
        await _undo(db, {account: changes[account] for account, _ in rows})
        missing = sorted(set(changes) - {account for account, _ in rows})
        if missing:
            raise NotFound(f"No ledger account {missing[0]}.", code=UNKNOWN_ACCOUNT)
        raise _mixed(currencies)
    return str(currencies.pop())


async def _undo(db: Db, changes: dict[int, _Change]) -> None:
    if changes:
        sql, params = update_balances({a: (-c.posted, -c.pending_out, -c.pending_in) for a, c in changes.items()})
        await db.rows(sql, params)


async def _lock_and_check(session: AsyncSession, changes: dict[int, _Change]) -> None:
    result = await session.execute(
        select(_accounts.c.id, _accounts.c.purpose, _accounts.c.currency, _accounts.c.posted, _accounts.c.pending_out)
        .where(_accounts.c.id.in_(sorted(changes)))
        .order_by(_accounts.c.id)
        .with_for_update()
    )
    found = {row.id: row for row in result}
    missing = [a for a in sorted(changes) if a not in found]
    if missing:
        raise NotFound(f"No ledger account {missing[0]}.", code=UNKNOWN_ACCOUNT)
    currencies = {row.currency for row in found.values()}
    if len(currencies) != 1:
        raise _mixed(currencies)
    for account_id, change in changes.items():
        row = found[account_id]
        if change.available < 0 and not rules.may_go_negative(row.purpose):
            _check_covers(account_id, row.purpose, row.posted - row.pending_out, -change.available)


def _mixed(currencies: set[str]) -> Unprocessable:
    return Unprocessable(
        f"A ledger entry moves one currency; these accounts hold {', '.join(sorted(currencies))}.",
        field="moves",
        code=CURRENCY_MISMATCH,
    )


def _check_covers(account_id: int, purpose: str, available: int, amount: int) -> None:
    if available < amount:
        raise Conflict(
            f"Ledger account {account_id} ({purpose}) has {available} minor units available; {amount} cannot leave it.",
            code=INSUFFICIENT_FUNDS,
        )


async def _insufficient(session: AsyncSession, changes: dict[int, _Change]) -> Conflict:
    """The refusal naming the account that cannot pay (read after SQLite's CHECK refused the UPDATE)."""
    if session.get_bind().dialect.name != "postgresql":  # PostgreSQL checked under lock before
        rows = await session.execute(
            select(_accounts.c.id, _accounts.c.purpose, _accounts.c.posted, _accounts.c.pending_out).where(
                _accounts.c.id.in_(sorted(changes))
            )
        )
        for row in rows:
            change = changes[row.id]
            if change.available < 0 and not rules.may_go_negative(row.purpose):
                try:
                    _check_covers(row.id, row.purpose, row.posted - row.pending_out, -change.available)
                except Conflict as refusal:
                    return refusal
    return Conflict("An account's available balance does not cover the movement.", code=INSUFFICIENT_FUNDS)


async def _write_lines(db: Db, entry_id: int, currency: str, lines: list[tuple[int, int, int]]) -> None:
    if lines:
        await db.many(
            INSERT_LINE,
            [
                {"entry_id": entry_id, "currency": currency, "account_id": a, "direction": d, "amount_minor": n}
                for a, d, n in lines
            ],
        )


async def _end_hold(
    db: Db,
    key: str,
    kind: str,
    fingerprint: str,
    hold_id: int,
    at: datetime,
    memo: str,
    order_id: int | None,
    amount_minor: int | None,
) -> Entry:
    """Post, void or expire a pending hold: one conditional UPDATE decides, so two racing calls end it once."""
    params: dict[str, Any] = {"hold_id": hold_id, "at": db.time(at)}
    params["status"] = {"post_hold": "posted", "void_hold": "voided", "expire_hold": "expired"}[kind]
    posted, conditions = "0", ""
    if kind == "post_hold":
        conditions = " AND (expires_at IS NULL OR expires_at > :at)"
        posted = "amount_minor"
        if amount_minor is not None:
            conditions += " AND amount_minor >= :amount"
            posted = ":amount"
            params["amount"] = amount_minor
    elif kind == "expire_hold":
        conditions = " AND expires_at <= :at"
    ended = await db.rows(END_HOLD.format(posted=posted, conditions=conditions), params)
    if not ended:
        if (first := await _replay(db, key, kind, fingerprint)) is not None:
            return first
        raise await _not_endable(db.session, hold_id, at, amount_minor)
    from_account, to_account, held, part = ended[0]
    entry_id = await _claim(db, key, kind, fingerprint, at, memo, order_id, hold_id=hold_id)
    if entry_id is None:  # the key was used by another call: put the hold back as it was
        await db.session.execute(
            update(_holds).where(_holds.c.id == hold_id).values(status="pending", posted_minor=0, resolved_at=None)
        )
        return await _replayed(db, key, kind, fingerprint)
    changes = {
        from_account: _Change(posted=-part, pending_out=-held),
        to_account: _Change(posted=part, pending_in=-held),
    }
    currency = await _apply(db, changes)
    if part:
        await _write_lines(db, entry_id, currency, rules.lines_of({from_account: -part, to_account: part}))
    await _audit(db.session, entry_id, kind, key, at, memo, order_id, {"hold_id": hold_id, "posted_minor": part})
    return Entry(id=entry_id, key=key, kind=kind, hold_id=hold_id, replayed=False)


async def _not_endable(session: AsyncSession, hold_id: int, at: datetime, amount_minor: int | None) -> Exception:
    row = (await session.execute(select(_holds).where(_holds.c.id == hold_id))).one_or_none()
    if row is None:
        return NotFound(f"No ledger hold {hold_id}.", code=UNKNOWN_ACCOUNT)
    if row.status != "pending":
        return Conflict(
            f"Ledger hold {hold_id} is {row.status}, not pending: it can no longer be posted or voided.",
            code=HOLD_NOT_PENDING,
        )
    if row.expires_at is not None and row.expires_at <= at:
        return Conflict(
            f"Ledger hold {hold_id} expired at {row.expires_at.isoformat()}; it can only be voided.", code=HOLD_EXPIRED
        )
    if amount_minor is not None and amount_minor > row.amount_minor:
        return Unprocessable(
            f"The hold is for {row.amount_minor} minor units; {amount_minor} cannot be posted from it.",
            field="amount_minor",
            code=BAD_MOVE,
        )
    return Conflict(f"Ledger hold {hold_id} cannot be ended now.", code=HOLD_NOT_PENDING)
