"""The ledger's hot statements: one SQL text for both databases (`steps` runs them, `exchange.db.one_hop`
says where)."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence

__all__ = [
    "CLAIM",
    "END_HOLD",
    "INSERT_HOLD",
    "INSERT_LINE",
    "REPLAY",
    "update_balances",
]

REPLAY = "SELECT id, kind, fingerprint, hold_id FROM ledger_entries WHERE key = :key"
CLAIM = (
    "INSERT INTO ledger_entries (key, kind, fingerprint, hold_id, order_id, memo, at) "
    "VALUES (:key, :kind, :fingerprint, :hold_id, :order_id, :memo, :at) "
    "ON CONFLICT (key) DO NOTHING RETURNING id"
)
INSERT_LINE = (
    "INSERT INTO ledger_lines (entry_id, currency, account_id, direction, amount_minor) "
    "VALUES (:entry_id, :currency, :account_id, :direction, :amount_minor)"
)
INSERT_HOLD = (
    "INSERT INTO ledger_holds (id, from_account_id, to_account_id, amount_minor, posted_minor, status, "
    "expires_at, created_at) VALUES (:id, :from_account_id, :to_account_id, :amount_minor, 0, 'pending', "
    ":expires_at, :created_at)"
)
END_HOLD = (
    "UPDATE ledger_holds SET status = :status, posted_minor = {posted}, resolved_at = :at "
    "WHERE id = :hold_id AND status = 'pending'{conditions} "
    "RETURNING from_account_id, to_account_id, amount_minor, posted_minor"
)
_BALANCE_COLUMNS = (("posted", "p"), ("pending_out", "o"), ("pending_in", "i"))


def update_balances(changes: Mapping[int, Sequence[int]]) -> tuple[str, dict[str, int]]:
    """UPDATE ledger_accounts SET posted = posted + CASE id WHEN a THEN x ... END, ... WHERE id IN (...)
    RETURNING id, currency: `changes` maps an account to what it adds to (posted, pending_out, pending_in).
    The text depends only on how many accounts and which columns change (built once per shape)."""
    accounts = sorted(changes)
    columns = tuple(any(changes[account][c] for account in accounts) for c in range(3))
    params = {f"a{n}": account for n, account in enumerate(accounts)}
    for column_index, (_column, prefix) in enumerate(_BALANCE_COLUMNS):
        if columns[column_index]:
            for n, account in enumerate(accounts):
                params[f"{prefix}{n}"] = changes[account][column_index]
    return _update_text(len(accounts), columns), params


@functools.cache
def _update_text(count: int, columns: tuple[bool, ...]) -> str:
    sets = []
    for changed, (column, prefix) in zip(columns, _BALANCE_COLUMNS, strict=True):
        if changed:
            whens = " ".join(f"WHEN :a{n} THEN CAST(:{prefix}{n} AS BIGINT)" for n in range(count))
            sets.append(f"{column} = {column} + CASE id {whens} ELSE CAST(0 AS BIGINT) END")
    if not sets:  # movements that net to nothing: still finds out whether the accounts exist
        sets.append("posted = posted")
    ids = ", ".join(f":a{n}" for n in range(count))
    return f"UPDATE ledger_accounts SET {', '.join(sets)} WHERE id IN ({ids}) RETURNING id, currency"  # noqa: S608
