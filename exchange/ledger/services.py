"""Moving money: every call runs in the caller's session and transaction (no commit here) and is idempotent
on its key: the same key with the same content returns the first entry and adds nothing; the same key with
other content is a 409 `ledger_key_reused`.

    acct = await account_for(session, accounts.ESCROW, currency="CNY", order_id=12)
    entry = await post(session, key="order:12:settle", moves=[Move(acct, seller, 95_00), ...], at=now)
    hold_id = await hold(session, key="lot:4:deposit:org=7", move=Move(external, held, 500_00), at=now)
    await post_hold(session, key="order:12:deposit", hold_id=hold_id, at=now)   # or void_hold
    entries = await post_many(session, [Holding(...), Ending(..., hold="lot:4:deposit:org=7"), ...], at=now)

Balances are kept on the account row (posted, pending out, pending in) and updated with every entry;
`exchange.ledger.verify` replays the lines and holds against them. An account that may not go negative
refuses a movement its available balance (posted less pending out) does not cover: 409 `insufficient_funds`.
A refusal leaves nothing written (so a caller may catch it and go on).

Speed: each call's statements (`steps`: the balances UPDATE ... RETURNING, which the table's CHECK refuses
when an account would go negative; the entry; its lines; on PostgreSQL the accounts are first locked in id
order and checked) run in one trip to SQLite's driver thread (`exchange.db.one_hop`), and `post_many` runs a
whole batch of calls in one trip and one savepoint. Every new entry queues its audit record, which the
commit writes with the others of the transaction in one INSERT. A repeated key is noticed when its entry
is inserted (the balances change is undone then) or when the balances no longer allow the movement.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.audit import record as audit_record
from exchange.db import one_hop
from exchange.db.base import utcnow
from exchange.errors import NotFound, Unprocessable
from exchange.i18n.messages import Msg
from exchange.ledger import rules, steps
from exchange.ledger.errors import BAD_MOVE, UNKNOWN_ACCOUNT
from exchange.ledger.models import LedgerAccount, LedgerHold
from exchange.ledger.rules import Balance, Move
from exchange.ledger.steps import Entry, Request

__all__ = [
    "AccountSpec",
    "Balance",
    "Call",
    "Ending",
    "Entry",
    "Holding",
    "Move",
    "Posting",
    "account_for",
    "accounts_for",
    "balance",
    "expire_hold",
    "hold",
    "post",
    "post_hold",
    "post_many",
    "void_hold",
]

_accounts = cast(Table, LedgerAccount.__table__)
_holds = cast(Table, LedgerHold.__table__)
MAX_KEY_LENGTH = 200


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


AccountSpec = tuple[str, str, int | None, int | None]
"""(purpose, currency, org_id, order_id), as `account_for` takes them."""


async def accounts_for(session: AsyncSession, wanted: Sequence[AccountSpec]) -> list[int]:
    """`account_for` of each, in order: the existing ones found in one statement (one trip on SQLite), the
    others made one by one."""
    if not wanted:
        return []
    codes = [rules.account_code(*spec) for spec in wanted]
    found: dict[str, int] = dict(await one_hop.run(session, _ids_by_code, sorted(set(codes))))
    for code, spec in zip(codes, wanted, strict=True):
        if code not in found:
            found[code] = await account_for(session, *spec)
    return [found[code] for code in codes]


def _ids_by_code(sql: one_hop.Statements, codes: list[str]) -> list[tuple[str, int]]:
    names = ", ".join(f":c{n}" for n in range(len(codes)))
    query = f"SELECT code, id FROM ledger_accounts WHERE code IN ({names})"  # noqa: S608
    return [(str(code), int(id_)) for code, id_ in sql.rows(query, {f"c{n}": c for n, c in enumerate(codes)})]


async def balance(session: AsyncSession, account_id: int) -> Balance:
    row = (
        await session.execute(
            select(_accounts.c.posted, _accounts.c.pending_out, _accounts.c.pending_in).where(
                _accounts.c.id == account_id
            )
        )
    ).one_or_none()
    if row is None:
        raise NotFound(Msg("No ledger account {account}.", account=account_id), code=UNKNOWN_ACCOUNT)
    return Balance(posted=row.posted, pending_out=row.pending_out, pending_in=row.pending_in)


# --- the calls ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Posting:
    """A `post` in a batch: one balanced entry of all `moves`."""

    key: str
    moves: Sequence[Move]
    memo: str = ""
    order_id: int | None = None


@dataclass(frozen=True, slots=True)
class Holding:
    """A `hold` in a batch."""

    key: str
    move: Move
    expires_at: datetime | None = None
    memo: str = ""
    order_id: int | None = None


@dataclass(frozen=True, slots=True)
class Ending:
    """A `post_hold` (post=True; all of it, or `amount_minor`) or `void_hold` in a batch. `hold` is the hold's
    id, or the key of a `Holding` earlier in the same batch (placed or found again there)."""

    key: str
    hold: int | str
    post: bool
    amount_minor: int | None = None
    memo: str = ""
    order_id: int | None = None


Call = Posting | Holding | Ending


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
    return (await post_many(session, [Posting(key, moves, memo, order_id)], at=at))[0]


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
    return (await post_many(session, [Holding(key, move, expires_at, memo, order_id)], at=at))[0].id


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
    return (await post_many(session, [Ending(key, hold_id, True, amount_minor, memo, order_id)], at=at))[0]


async def void_hold(
    session: AsyncSession, *, key: str, hold_id: int, at: datetime, memo: str = "", order_id: int | None = None
) -> Entry:
    """Void a pending hold: all of it returns to the sender."""
    return (await post_many(session, [Ending(key, hold_id, False, None, memo, order_id)], at=at))[0]


async def expire_hold(session: AsyncSession, hold_id: int, at: datetime) -> Entry | None:
    """Expire the hold if it is still pending and due at `at`: exactly once, whoever else runs this (None
    when it is not due, or no longer pending); nothing is written then."""
    fingerprint = rules.fingerprint("expire_hold", hold_id=hold_id)
    request = Request(f"ledger:hold:{hold_id}:expire", "expire_hold", fingerprint, at, "expired", None)
    ended = await one_hop.run(session, steps.end_hold, request, hold_id, None)
    if ended is None or ended[0].replayed:
        return None
    entry = ended[0]
    await _audit(session, entry, request, {"hold_id": hold_id, "posted_minor": 0})
    return entry


async def post_many(session: AsyncSession, calls: Sequence[Call], *, at: datetime) -> list[Entry]:
    """Several money-moving calls in one go (all of a close's deposit holds, say): each is what `post`,
    `hold`, `post_hold` or `void_hold` would do, in order, with its own key and entry. A refusal of any
    leaves none of them written (a savepoint holds the batch; a single call needs none) and is raised as
    that call would raise it. On SQLite the batch is one trip to the driver's thread."""
    prepared = [_prepare(call, at) for call in calls]
    done = await one_hop.run(session, _run_all, prepared)
    entries: list[Entry] = []
    for entry, request, detail in done:
        if not entry.replayed:
            await _audit(session, entry, request, detail)
        entries.append(entry)
    return entries


# --- the steps ------------------------------------------------------------------------------------


_Prepared = tuple[Call, Request, dict[str, Any]]


def _prepare(call: Call, at: datetime) -> _Prepared:
    """The checked request of a call and the detail its audit record tells."""
    _check_key(call.key)
    if isinstance(call, Posting):
        moves = list(call.moves)
        rules.check_moves(moves)
        fingerprint = rules.fingerprint("post", moves=_move_list(moves), order_id=call.order_id)
        request = Request(call.key, "post", fingerprint, at, call.memo, call.order_id)
        return call, request, {"moves": _move_list(moves)}
    if isinstance(call, Holding):
        rules.check_moves([call.move])
        fingerprint = rules.fingerprint("hold", move=call.move, order_id=call.order_id)
        request = Request(call.key, "hold", fingerprint, at, call.memo, call.order_id)
        return call, request, {"moves": _move_list([call.move])}
    if call.amount_minor is not None:
        rules.check_amount(call.amount_minor)
    return call, Request(call.key, "post_hold" if call.post else "void_hold", "", at, call.memo, call.order_id), {}


_Done = tuple[Entry, Request, dict[str, Any]]


def _run_all(sql: one_hop.Statements, prepared: list[_Prepared]) -> list[_Done]:
    """Every call's steps, in order (in the driver's thread on SQLite). One call leaves nothing written when
    refused by itself (`steps`); a batch needs its savepoint."""
    holds: dict[str, int] = {}
    if len(prepared) == 1:
        return [_run_one(sql, *prepared[0], holds)]
    with sql.savepoint():
        return [_run_one(sql, call, request, detail, holds) for call, request, detail in prepared]


def _run_one(
    sql: one_hop.Statements, call: Call, request: Request, detail: dict[str, Any], holds: dict[str, int]
) -> _Done:
    if isinstance(call, Posting):
        return steps.post(sql, request, rules.net_deltas(call.moves)), request, detail
    if isinstance(call, Holding):
        entry = steps.hold(sql, request, call.move, call.expires_at)
        holds[call.key] = entry.id
        return entry, request, detail
    hold_id = holds[call.hold] if isinstance(call.hold, str) else call.hold
    kind = request.kind
    if kind == "post_hold":
        fingerprint = rules.fingerprint(kind, hold_id=hold_id, amount_minor=call.amount_minor, order_id=call.order_id)
    else:
        fingerprint = rules.fingerprint(kind, hold_id=hold_id, order_id=call.order_id)
    request = Request(request.key, kind, fingerprint, request.at, request.memo, request.order_id)
    ended = steps.end_hold(sql, request, hold_id, call.amount_minor)
    if ended is None:
        raise steps.why_not_endable(sql, hold_id, request.at, call.amount_minor)
    return ended[0], request, {"hold_id": hold_id, "posted_minor": ended[1]}


async def _audit(session: AsyncSession, entry: Entry, request: Request, detail: dict[str, Any]) -> None:
    """Every journal entry appends its audit record in the same transaction (replays append nothing)."""
    after = {"kind": entry.kind, "key": entry.key, "memo": request.memo, "order_id": request.order_id, **detail}
    await audit_record(
        session,
        actor="system",
        object_type="ledger_entry",
        object_id=entry.id,
        action=entry.kind,
        after=after,
        at=request.at,
    )


def _check_key(key: str) -> None:
    if not isinstance(key, str) or not key or len(key) > MAX_KEY_LENGTH:
        raise Unprocessable(
            Msg("A ledger key is 1 to {count} characters.", count=MAX_KEY_LENGTH), field="key", code=BAD_MOVE
        )


def _move_list(moves: Sequence[Move]) -> list[list[int]]:
    return sorted([m.from_account, m.to_account, m.amount_minor] for m in moves)
