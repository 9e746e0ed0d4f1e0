"""`exchange ledger verify`: the whole ledger checked with SQL aggregates (no Python loop over rows).

1. Every entry balances per currency; every line holds a positive amount in a direction of +1 or -1.
2. Every account's stored balance equals the replay of its lines (posted) and of its pending holds
   (pending out, pending in), and its lines are in its currency.
3. No account that may not go negative has (posted less pending out).
4. The escrow account of every finished order (settled, resolved, cancelled) is at zero.
5. Over all accounts, per currency: posted balances add up to zero, pending out equals pending in.
6. Every hold that is no longer pending was ended by exactly one entry of the matching kind (posted by a
   post_hold, ...), and a pending one by none.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

__all__ = ["FINISHED_ORDER_STATUSES", "Report", "verify_ledger", "verify_sqlite"]

# The SQL below spells these out: tests/unit/ledger/test_rules.py checks they match accounts.MAY_GO_NEGATIVE.

FINISHED_ORDER_STATUSES = ("settled", "resolved", "cancelled")

_UNBALANCED_ENTRIES = """
SELECT entry_id, currency, SUM(direction * amount_minor) AS net
FROM ledger_lines
GROUP BY entry_id, currency
HAVING SUM(direction * amount_minor) <> 0
LIMIT :limit
"""

_BAD_LINES = """
SELECT entry_id, account_id, direction, amount_minor FROM ledger_lines
WHERE amount_minor <= 0 OR direction NOT IN (-1, 1)
LIMIT :limit
"""

_REPLAYED_BALANCES = """
WITH replayed AS (
    SELECT account_id, currency, SUM(direction * amount_minor) AS net
    FROM ledger_lines
    GROUP BY account_id, currency
)
SELECT r.account_id, a.code, a.currency, a.posted, r.currency, r.net
FROM replayed AS r LEFT JOIN ledger_accounts AS a ON a.id = r.account_id
WHERE a.id IS NULL OR a.currency <> r.currency OR a.posted <> r.net
LIMIT :limit
"""

_UNREPLAYED_BALANCES = """
SELECT a.id, a.code, a.posted FROM ledger_accounts AS a
WHERE a.posted <> 0 AND NOT EXISTS (SELECT 1 FROM ledger_lines AS l WHERE l.account_id = a.id)
ORDER BY a.id
LIMIT :limit
"""

_REPLAYED_HOLDS = """
SELECT a.id, a.code, a.pending_out, a.pending_in, COALESCE(o.held, 0) AS held_out, COALESCE(i.held, 0) AS held_in
FROM ledger_accounts AS a
LEFT JOIN (
    SELECT from_account_id AS account_id, SUM(amount_minor) AS held FROM ledger_holds
    WHERE status = 'pending' GROUP BY from_account_id
) AS o ON o.account_id = a.id
LEFT JOIN (
    SELECT to_account_id AS account_id, SUM(amount_minor) AS held FROM ledger_holds
    WHERE status = 'pending' GROUP BY to_account_id
) AS i ON i.account_id = a.id
WHERE a.pending_out <> COALESCE(o.held, 0) OR a.pending_in <> COALESCE(i.held, 0)
ORDER BY a.id
LIMIT :limit
"""

_NEGATIVE = """
SELECT id, code, posted, pending_out FROM ledger_accounts
WHERE purpose NOT IN ('external', 'credit_receivable') AND posted - pending_out < 0
ORDER BY id
LIMIT :limit
"""

_OPEN_ESCROW = """
SELECT a.id, a.order_id, o.status, a.posted, a.pending_out, a.pending_in
FROM ledger_accounts AS a JOIN orders AS o ON o.id = a.order_id
WHERE a.purpose = 'escrow' AND o.status IN ('settled', 'resolved', 'cancelled')
  AND (a.posted <> 0 OR a.pending_out <> 0 OR a.pending_in <> 0)
ORDER BY a.id
LIMIT :limit
"""

_TOTALS = """
SELECT currency, SUM(posted) AS posted, SUM(pending_out) AS pending_out, SUM(pending_in) AS pending_in
FROM ledger_accounts
GROUP BY currency
HAVING SUM(posted) <> 0 OR SUM(pending_out) <> SUM(pending_in)
ORDER BY currency
"""

_UNENDED_HOLDS = """
SELECT h.id, h.status, COUNT(e.id) AS endings, MAX(e.kind) AS ending
FROM ledger_holds AS h
LEFT JOIN ledger_entries AS e ON e.hold_id = h.id
GROUP BY h.id, h.status
HAVING (h.status = 'pending' AND COUNT(e.id) <> 0)
    OR (h.status <> 'pending' AND (COUNT(e.id) <> 1 OR MAX(e.kind) <> CASE h.status
        WHEN 'posted' THEN 'post_hold' WHEN 'voided' THEN 'void_hold' ELSE 'expire_hold' END))
ORDER BY h.id
LIMIT :limit
"""

_SIZES = """
SELECT (SELECT COUNT(*) FROM ledger_entries), (SELECT COUNT(*) FROM ledger_lines),
       (SELECT COUNT(*) FROM ledger_accounts), (SELECT COUNT(*) FROM ledger_holds)
"""


@dataclass
class Report:
    violations: list[str] = field(default_factory=list)
    entries: int = 0
    lines: int = 0
    accounts: int = 0
    holds: int = 0

    @property
    def clean(self) -> bool:
        return not self.violations


def _missing_or_off(
    account_id: object, code: object, currency: object, posted: object, in_: object, net: object
) -> str:
    if code is None:
        return f"lines in {in_} of a missing account {account_id} add up to {net}"
    if currency != in_:
        return f"account {account_id} ({code}) holds {currency} but has lines in {in_}"
    return f"account {account_id} ({code}) holds {posted} posted, its lines replay to {net}"


_CHECKS: tuple[tuple[str, Callable[..., str]], ...] = (
    (_UNBALANCED_ENTRIES, lambda e, c, net: f"entry {e} does not balance in {c}: its lines add up to {net}"),
    (_BAD_LINES, lambda e, a, d, n: f"entry {e} has a line of account {a} with direction {d}, amount {n}"),
    (_REPLAYED_BALANCES, _missing_or_off),
    (_UNREPLAYED_BALANCES, lambda a, code, posted: f"account {a} ({code}) holds {posted} posted but has no lines"),
    (
        _REPLAYED_HOLDS,
        lambda a, code, out, in_, held_out, held_in: (
            f"account {a} ({code}) holds pending out {out} / in {in_}, "
            f"its pending holds replay to {held_out} / {held_in}"
        ),
    ),
    (_NEGATIVE, lambda a, code, posted, out: f"account {a} ({code}) is negative: posted {posted}, pending out {out}"),
    (
        _OPEN_ESCROW,
        lambda a, order, status, posted, out, in_: (
            f"escrow account {a} of {status} order {order} is not zero: "
            f"posted {posted}, pending out {out}, pending in {in_}"
        ),
    ),
    (
        _TOTALS,
        lambda currency, posted, out, in_: (
            f"the accounts in {currency} add up to {posted} posted (pending out {out}, in {in_})"
        ),
    ),
    (
        _UNENDED_HOLDS,
        lambda h, status, endings, ending: (
            f"hold {h} is {status} but was ended by {endings} entries ({ending or 'none'})"
        ),
    ),
)
"""Each check's query, and what one of its rows says."""


async def verify_ledger(db: AsyncSession | AsyncConnection, *, limit: int = 20) -> Report:
    """Every check above; at most `limit` violations of each kind are listed."""
    from sqlalchemy import text

    report = Report()
    sizes = (await db.execute(text(_SIZES))).one()
    report.entries, report.lines, report.accounts, report.holds = (int(n) for n in sizes)
    for sql, say in _CHECKS:
        for row in await db.execute(text(sql), {"limit": limit}):
            report.violations.append(say(*row))
    return report


def verify_sqlite(path: Path, *, limit: int = 20) -> Report:
    """`verify_ledger` over a SQLite file, read (read-only, in one snapshot) with the standard `sqlite3`
    module: what `exchange ledger verify` runs on SQLite, with no ORM to import."""
    uri = f"file:{path}?mode=ro"
    with contextlib.closing(sqlite3.connect(uri, uri=True, isolation_level=None)) as db:
        db.execute("BEGIN")
        report = Report()
        report.entries, report.lines, report.accounts, report.holds = db.execute(_SIZES).fetchone()
        for sql, say in _CHECKS:
            for row in db.execute(sql, {"limit": limit}):
                report.violations.append(say(*row))
        db.execute("COMMIT")
    return report
