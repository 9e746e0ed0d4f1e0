"""A batch of accepted bids on its way to SQL: the writes, their rows, and the outcomes of a commit.

Only the standard library is imported here: the journal's SQLite writer process (`sqlite_journal`)
uses the row layout too.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "CLASH",
    "CLOSED",
    "CURRENT_COLUMNS",
    "KEY_REUSED",
    "OK",
    "REVISION_COLUMNS",
    "UPDATED_ON_REVISION",
    "BidWrite",
    "Clash",
    "PlacedBid",
    "RevisionId",
    "Row",
    "group_by_lot",
    "latest_current_rows",
]

OK, CLOSED, CLASH, KEY_REUSED = "ok", "closed", "clash", "key_reused"
"""A write's outcome: durable; its lot is no longer live; Redis had diverged from SQL (retry);
its Idempotency-Key was used on another lot."""

REVISION_COLUMNS = (
    "lot_id",
    "bidder_org_id",
    "revision",
    "kind",
    "amount_minor",
    "currency",
    "placed_at_us",
    "seq",
    "rank_seq",
    "receipt",
    "nonce",
    "idempotency_key",
    "placed_by_user_id",
)
"""A `bid_revisions` row as the batch carries it (also over the writer process's pipe)."""

CURRENT_COLUMNS = (
    "lot_id",
    "bidder_org_id",
    "revision",
    "amount_minor",
    "currency",
    "placed_at_us",
    "rank_seq",
    "receipt",
    "nonce",
    "placed_by_user_id",
)
"""A `bids` row (each bidder's latest revision)."""

UPDATED_ON_REVISION = CURRENT_COLUMNS[2:]
"""Columns of `bids` that a newer revision replaces (all but the key)."""

Row = tuple[Any, ...] | list[Any]

RevisionId = tuple[int, int, int]
"""(lot id, bidder org id, revision): one row of `bid_revisions`."""

_CURRENT_FROM_REVISION = tuple(REVISION_COLUMNS.index(name) for name in CURRENT_COLUMNS)
LOT, BIDDER, REVISION, RECEIPT, KEY = (
    REVISION_COLUMNS.index(name) for name in ("lot_id", "bidder_org_id", "revision", "receipt", "idempotency_key")
)
"""Positions in a revision row."""


class Clash(Exception):
    """Some revisions did not go in, so nothing was written: Redis had diverged from SQL (`clashed`: those
    lots), or a bid came with an Idempotency-Key its org already used on another lot (`reused`: those rows,
    whose lots are in `clashed` too: their Redis states took a bid SQL refuses)."""

    def __init__(self, live: set[int], clashed: set[int], reused: set[RevisionId] | None = None) -> None:
        super().__init__("revision clash")
        self.live = live
        self.clashed = clashed
        self.reused = reused or set()


@dataclass(frozen=True, slots=True)
class PlacedBid:
    """An accepted, durable bid revision (or withdrawal, with `amount_minor` None)."""

    lot_id: int
    bidder_org_id: int
    revision: int
    amount_minor: int | None
    currency: str
    placed_at_us: int
    receipt: str
    nonce: str
    bid_count: int | None = None


@dataclass(slots=True)
class BidWrite:
    """One accepted bid action waiting to become durable."""

    lot_id: int
    bidder_org_id: int
    revision: int
    kind: str  # bid | withdraw
    amount_minor: int | None
    currency: str
    placed_at_us: int
    seq: int
    rank_seq: int
    nonce: str
    receipt: str
    idempotency_key: str | None
    user_id: int | None
    gen: str
    """The generation of the lot state that accepted it: the lot's rebuild mark (new at every load, gone
    with every drop). A write whose lot still has it after the commit needs no confirm."""
    packed: str
    bid_count: int = 0
    """Public number of current bids on the lot right after this one (for live updates)."""
    future: asyncio.Future[str] = field(init=False)
    """Set by `BidJournal.write`: resolved with the outcome once the batch is committed."""

    def placed(self) -> PlacedBid:
        """The acknowledged bid, once durable."""
        return PlacedBid(
            self.lot_id,
            self.bidder_org_id,
            self.revision,
            self.amount_minor,
            self.currency,
            self.placed_at_us,
            self.receipt,
            self.nonce,
            self.bid_count,
        )

    def revision_values(self) -> tuple[Any, ...]:
        """The `bid_revisions` row, in REVISION_COLUMNS order."""
        return (
            self.lot_id,
            self.bidder_org_id,
            self.revision,
            self.kind,
            self.amount_minor,
            self.currency,
            self.placed_at_us,
            self.seq,
            self.rank_seq,
            self.receipt,
            self.nonce,
            self.idempotency_key,
            self.user_id,
        )


def latest_current_rows(rows: Sequence[Row]) -> list[Row]:
    """Each bidder's newest revision among `bid_revisions` rows, as `bids` rows (CURRENT_COLUMNS order):
    one upsert row per key (PostgreSQL requires it), in the order the keys first appear in `rows`."""
    latest: dict[tuple[int, int], Row] = {}
    for row in rows:
        key = (row[LOT], row[BIDDER])
        if key not in latest or latest[key][REVISION] < row[REVISION]:
            latest[key] = row
    return [tuple(row[i] for i in _CURRENT_FROM_REVISION) for row in latest.values()]


def group_by_lot(writes: Sequence[BidWrite]) -> dict[tuple[int, str], list[BidWrite]]:
    """Writes by (lot, state generation), in order."""
    grouped: dict[tuple[int, str], list[BidWrite]] = defaultdict(list)
    for item in writes:
        grouped[(item.lot_id, item.gen)].append(item)
    return grouped
