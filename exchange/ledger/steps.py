"""The SQL of each money-moving call, as plain functions over `exchange.db.one_hop.Statements`.

`services` checks the request and runs one of these in one hop (on SQLite the whole call is one trip to
the driver's thread, however many statements it takes). A refusal raises before anything stays written:
the balances change first (one UPDATE, refused whole by SQLite's CHECK; on PostgreSQL the accounts are
locked and checked first), and every later step that finds the key used undoes that change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from exchange.db.one_hop import IntegrityErrors, Statements
from exchange.errors import Conflict, NotFound, Unprocessable
from exchange.i18n.messages import Money, Msg, MsgText, When
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
from exchange.ledger.rules import Move
from exchange.ledger.statements import CLAIM, END_HOLD, INSERT_HOLD, INSERT_LINE, REPLAY, update_balances
from exchange.money import format_minor

__all__ = ["Change", "Entry", "Request", "end_hold", "hold", "post", "why_not_endable"]

_UNEND_HOLD = "UPDATE ledger_holds SET status = 'pending', posted_minor = 0, resolved_at = NULL WHERE id = :hold_id"
_LOCK_ACCOUNTS = (
    "SELECT id, purpose, currency, posted, pending_out FROM ledger_accounts WHERE id IN ({ids}) ORDER BY id FOR UPDATE"
)
_READ_HOLD = (
    "SELECT status, amount_minor, expires_at, CASE WHEN expires_at <= :at THEN 1 ELSE 0 END "
    "FROM ledger_holds WHERE id = :hold_id"
)
_READ_ACCOUNTS = "SELECT id, purpose, currency, posted, pending_out FROM ledger_accounts WHERE id IN ({ids})"


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


@dataclass(frozen=True, slots=True)
class Change:
    """What an entry adds to an account's posted, pending-out and pending-in balances."""

    posted: int = 0
    pending_out: int = 0
    pending_in: int = 0

    @property
    def available(self) -> int:
        return self.posted - self.pending_out


@dataclass(frozen=True, slots=True)
class Request:
    key: str
    kind: str
    fingerprint: str
    at: datetime
    memo: str
    order_id: int | None


def post(sql: Statements, request: Request, deltas: dict[int, int]) -> Entry:
    """One balanced entry netting to `deltas` (account -> what it gains)."""
    changes = {account: Change(posted=delta) for account, delta in deltas.items()}
    try:
        currency = _apply(sql, changes)
    except Conflict:  # no longer covered: perhaps because this very call was made before
        if (first := _replay(sql, request)) is not None:
            return first
        raise
    entry_id = _claim(sql, request, hold_id=None)
    if entry_id is None:  # made before with this key (or by a concurrent call just now): undo, answer the first
        _undo(sql, changes)
        return _replayed(sql, request)
    _write_lines(sql, entry_id, currency, rules.lines_of(deltas))
    return Entry(id=entry_id, key=request.key, kind="post", hold_id=None, replayed=False)


def hold(sql: Statements, request: Request, move: Move, expires_at: datetime | None) -> Entry:
    """A pending hold of `move`; the entry's id is the hold's. Looked up by key first: a hold is often asked
    for again to get its id (the claim below still settles a concurrent first call)."""
    if (first := _replay(sql, request)) is not None:  # asked again (a close finds its deposits' holds so)
        return first
    changes = {
        move.from_account: Change(pending_out=move.amount_minor),
        move.to_account: Change(pending_in=move.amount_minor),
    }
    try:
        _apply(sql, changes)
    except Conflict:
        if (first := _replay(sql, request)) is not None:
            return first
        raise
    entry_id = _claim(sql, request, hold_id=None)
    if entry_id is None:
        _undo(sql, changes)
        return _replayed(sql, request)
    row = {"id": entry_id, "from_account_id": move.from_account, "to_account_id": move.to_account}
    row |= {"amount_minor": move.amount_minor, "expires_at": sql.time(expires_at), "created_at": sql.time(request.at)}
    sql.rows(INSERT_HOLD, row)
    return Entry(id=entry_id, key=request.key, kind="hold", hold_id=None, replayed=False)


def end_hold(sql: Statements, request: Request, hold_id: int, amount_minor: int | None) -> tuple[Entry, int] | None:
    """Post, void or expire a pending hold: one conditional UPDATE decides, so two racing calls end it once.
    The entry and the amount posted (0 for a replay); None when it cannot be ended (and the key is new):
    the caller reads why."""
    kind = request.kind
    params: dict[str, Any] = {"hold_id": hold_id, "at": sql.time(request.at)}
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
    ended = sql.rows(END_HOLD.format(posted=posted, conditions=conditions), params)
    if not ended:
        first = _replay(sql, request)
        return None if first is None else (first, 0)
    from_account, to_account, held, part = ended[0]
    entry_id = _claim(sql, request, hold_id=hold_id)
    if entry_id is None:  # the key was used by another call: put the hold back as it was
        sql.rows(_UNEND_HOLD, {"hold_id": hold_id})
        return _replayed(sql, request), 0
    changes = {
        from_account: Change(posted=-part, pending_out=-held),
        to_account: Change(posted=part, pending_in=-held),
    }
    currency = _apply(sql, changes)
    if part:
        _write_lines(sql, entry_id, currency, rules.lines_of({from_account: -part, to_account: part}))
    return Entry(id=entry_id, key=request.key, kind=kind, hold_id=hold_id, replayed=False), part


def why_not_endable(sql: Statements, hold_id: int, at: datetime, amount_minor: int | None) -> Exception:
    """The refusal of a hold that `end_hold` could not end."""
    rows = sql.rows(_READ_HOLD, {"hold_id": hold_id, "at": sql.time(at)})
    if not rows:
        return NotFound(Msg("No ledger hold {hold}.", hold=hold_id), code=UNKNOWN_ACCOUNT)
    status, held, expires_at, expired = rows[0]
    if status != "pending":
        return Conflict(
            MsgText(
                Msg("This money is no longer held, so it can no longer be paid out or released."),
                f"Ledger hold {hold_id} is {status}, not pending: it can no longer be posted or voided.",
            ),
            code=HOLD_NOT_PENDING,
        )
    if expired:
        when = expires_at.isoformat() if isinstance(expires_at, datetime) else str(expires_at)
        shown = When(expires_at) if isinstance(expires_at, datetime) else when
        page = Msg("This money was held until {when}; it can now only be released.", when=shown)
        english = f"Ledger hold {hold_id} expired at {when}; it can only be voided."
        return Conflict(MsgText(page, english), code=HOLD_EXPIRED)
    if amount_minor is not None and amount_minor > held:
        return Unprocessable(
            MsgText(
                Msg("Less money is held than that; nothing was paid out."),
                f"The hold is for {held} minor units; {amount_minor} cannot be posted from it.",
            ),
            field="amount_minor",
            code=BAD_MOVE,
        )
    return Conflict(
        MsgText(
            Msg("This held money cannot be paid out or released now."), f"Ledger hold {hold_id} cannot be ended now."
        ),
        code=HOLD_NOT_PENDING,
    )


# --- the parts ------------------------------------------------------------------------------------


def _replay(sql: Statements, request: Request) -> Entry | None:
    """The entry made earlier with this key (when it asked the same), or None when the key is new."""
    rows = sql.rows(REPLAY, {"key": request.key})
    if not rows:
        return None
    entry_id, first_kind, first_fingerprint, hold_id = rows[0]
    if first_kind != request.kind or first_fingerprint != request.fingerprint:
        raise Conflict(
            MsgText(
                Msg("This request was already made with other values; nothing was moved."),
                f"The ledger key {request.key!r} was already used for a different {first_kind} entry; "
                "nothing was moved.",
            ),
            field="key",
            code=LEDGER_KEY_REUSED,
        )
    return Entry(id=entry_id, key=request.key, kind=request.kind, hold_id=hold_id, replayed=True)


def _replayed(sql: Statements, request: Request) -> Entry:
    first = _replay(sql, request)
    assert first is not None, "a key that clashed on insert exists"
    return first


def _claim(sql: Statements, request: Request, hold_id: int | None) -> int | None:
    """Insert the entry; None when a call with the same key inserted it before, or concurrently (the unique
    key decides: INSERT ... ON CONFLICT DO NOTHING, which waits for that call's transaction on PostgreSQL)."""
    values = {"key": request.key, "kind": request.kind, "fingerprint": request.fingerprint, "hold_id": hold_id}
    values |= {"order_id": request.order_id, "memo": request.memo[:200], "at": sql.time(request.at)}
    rows = sql.rows(CLAIM, values)
    return int(rows[0][0]) if rows else None


def _apply(sql: Statements, changes: dict[int, Change]) -> str:
    """Add `changes` to the accounts' balances in one UPDATE; returns their one currency.

    Refused with nothing changed: an unknown account (404), accounts of different currencies (422), an
    account that may not go negative whose available balance would (409). On PostgreSQL the rows are first
    locked in id order (no deadlocks) and checked; on SQLite (one writer at a time) the UPDATE is the check:
    the table's CHECK refuses a negative balance, and RETURNING gives the currencies."""
    if sql.postgres:
        _lock_and_check(sql, changes)
    statement, params = update_balances({a: (c.posted, c.pending_out, c.pending_in) for a, c in changes.items()})
    try:
        rows = sql.rows(statement, params)
    except IntegrityErrors:  # CHECK available_not_negative (the statement changed nothing)
        raise _insufficient(sql, changes) from None
    currencies = {currency for _, currency in rows}
    if len(rows) != len(changes) or len(currencies) != 1:
        _undo(sql, {account: changes[account] for account, _ in rows})
        missing = sorted(set(changes) - {account for account, _ in rows})
        if missing:
            raise NotFound(Msg("No ledger account {account}.", account=missing[0]), code=UNKNOWN_ACCOUNT)
        raise _mixed(currencies)
    return str(currencies.pop())


def _undo(sql: Statements, changes: dict[int, Change]) -> None:
    if changes:
        statement, params = update_balances({a: (-c.posted, -c.pending_out, -c.pending_in) for a, c in changes.items()})
        sql.rows(statement, params)


def _ids(accounts: list[int]) -> tuple[str, dict[str, int]]:
    return ", ".join(f":id{n}" for n in range(len(accounts))), {f"id{n}": a for n, a in enumerate(accounts)}


def _lock_and_check(sql: Statements, changes: dict[int, Change]) -> None:
    ids, params = _ids(sorted(changes))
    found = {row[0]: row for row in sql.rows(_LOCK_ACCOUNTS.format(ids=ids), params)}
    missing = [a for a in sorted(changes) if a not in found]
    if missing:
        raise NotFound(Msg("No ledger account {account}.", account=missing[0]), code=UNKNOWN_ACCOUNT)
    currencies = {row[2] for row in found.values()}
    if len(currencies) != 1:
        raise _mixed(currencies)
    for account_id, change in changes.items():
        _id, purpose, currency, posted, pending_out = found[account_id]
        if change.available < 0 and not rules.may_go_negative(purpose):
            _check_covers(account_id, purpose, currency, posted - pending_out, -change.available)


def _mixed(currencies: set[str]) -> Unprocessable:
    return Unprocessable(
        MsgText(
            Msg(
                "Money moves in one currency at a time; these accounts hold {currencies}.",
                currencies=", ".join(sorted(currencies)),
            ),
            f"A ledger entry moves one currency; these accounts hold {', '.join(sorted(currencies))}.",
        ),
        field="moves",
        code=CURRENCY_MISMATCH,
    )


def _check_covers(account_id: int, purpose: str, currency: str, available: int, amount: int) -> None:
    if available < amount:
        page = Msg(
            "There is not enough money for this: {available} is available, {amount} is needed.",
            available=Money(format_minor(max(available, 0), currency), currency),
            amount=Money(format_minor(amount, currency), currency),
        )
        english = (
            f"Ledger account {account_id} ({purpose}) has {available} minor units available; {amount} cannot leave it."
        )
        raise Conflict(
            MsgText(page, english),
            code=INSUFFICIENT_FUNDS,
        )


def _insufficient(sql: Statements, changes: dict[int, Change]) -> Conflict:
    """The refusal naming the account that cannot pay (read after SQLite's CHECK refused the UPDATE)."""
    if not sql.postgres:  # PostgreSQL checked under lock before
        ids, params = _ids(sorted(changes))
        for account_id, purpose, currency, posted, pending_out in sql.rows(_READ_ACCOUNTS.format(ids=ids), params):
            change = changes[account_id]
            if change.available < 0 and not rules.may_go_negative(purpose):
                try:
                    _check_covers(account_id, purpose, currency, posted - pending_out, -change.available)
                except Conflict as refusal:
                    return refusal
    return Conflict("An account's available balance does not cover the movement.", code=INSUFFICIENT_FUNDS)


def _write_lines(sql: Statements, entry_id: int, currency: str, lines: list[tuple[int, int, int]]) -> None:
    if lines:
        sql.many(
            INSERT_LINE,
            [
                {"entry_id": entry_id, "currency": currency, "account_id": a, "direction": d, "amount_minor": n}
                for a, d, n in lines
            ],
        )
