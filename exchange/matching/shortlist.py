"""The best matches, near misses and bundle parts of a request without checking every candidate in Python.

`matches.rank` runs the rules on every candidate SQL lets through: with 100 000 live lots in one category
that is tens of thousands of lots checked and scored to show 20. Here SQL computes, per lot, a ceiling of
its soft score (`ceiling.score_ceiling`) and how many hard constraints it surely fails; lots come best
ceiling first and each is checked with the reference rules (`rules.evaluate`, `rules.score`) until every
list is full and no lot still unread can reach a place in it (its ceiling is below the last place's score).

Two passes, because reading a lot's spec values costs SQLite two index searches per lot (most of the time
on a big category): the first reads only the index `ix_lots_match` (the lot's own columns, the spec factor
taken at its most) for the best `FIRST_PAGE` lots, which settles the lists for most requests; when it does
not (a request whose spec bounds decide the order), the second pass orders the lots by the full ceiling
(spec values and the spec groups' sure failures included), leaving out every lot whose first ceiling is
below the scores the lists already hold. The answer is exactly `rank`'s (tests compare both on random
catalogues, with both passes); only far fewer lots are checked.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.lots.models import Lot
from exchange.matching import rules
from exchange.matching.candidates import (
    _COLUMNS,
    _base_query,
    _candidate,
    _spec_units,
    collector_paused,
    sure_failures,
)
from exchange.matching.ceiling import ROUNDING, SLACK, score_ceiling, spec_columns, spec_sure_failure
from exchange.orders.models import Order

__all__ = [
    "ROUNDING",
    "SLACK",
    "Best",
    "Ranked",
    "best_ranked",
    "score_ceiling",
    "spec_columns",
    "spec_sure_failure",
]

BATCH = 100
"""Lots read and checked between two looks at whether the lists are settled."""
FIRST_PAGE = 1000
"""Lots the first pass reads at most (its sort keeps only these)."""


@dataclass(frozen=True, slots=True)
class Ranked:
    evaluation: rules.Evaluation
    score: rules.Score


@dataclass
class _Board:
    """One list (matches, near misses or bundle parts): its best `size`, best first."""

    size: int
    items: list[Ranked] = field(default_factory=list)

    def add(self, ranked: Ranked) -> None:
        if self.size:
            self.items.append(ranked)

    def trim(self) -> None:
        self.items.sort(key=lambda r: (-r.score.total, r.evaluation.candidate.lot_id))
        del self.items[self.size :]

    def floor(self) -> float | None:
        """The list's last score once it is full: a lot scoring below it never enters (None: not full yet)."""
        if not self.size:
            return float("inf")
        return self.items[-1].score.total if len(self.items) >= self.size else None

    def settled(self, ceiling: float) -> bool:
        """No lot with at most this score ceiling can enter the list."""
        return len(self.items) >= self.size and (not self.size or self.items[-1].score.total > ceiling)


@dataclass
class Best:
    matches: list[Ranked]
    near_misses: list[Ranked]
    parts: list[Ranked]
    candidates: int
    """Lots the client may consider (as `rank` counts them)."""
    checked: int
    """Lots read and checked with the rules."""


async def best_ranked(
    session: AsyncSession, need: rules.Need, client_org_id: int, *, matches: int, near_misses: int, parts: int
) -> Best:
    """The first `matches` matches, `near_misses` near misses and `parts` bundle parts of `rank`, in its order."""
    candidates = await session.scalar(_base_query(need, client_org_id, func.count())) or 0
    reading = _Reading(need, (_Board(matches), _Board(near_misses), _Board(parts)))
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    sales_by_seller = (
        select(Order.seller_org_id.label("seller"), func.count().label("sales"))
        .group_by(Order.seller_org_id)
        .subquery("seller_sales")
    )
    sales = func.coalesce(sales_by_seller.c.sales, 0)
    rough = score_ceiling(need, None, sales, dialect)
    first = (
        _base_query(need, client_org_id, Lot.id, sales, rough.label("ceiling"))
        .outerjoin(sales_by_seller, sales_by_seller.c.seller == Lot.seller_org_id)
        .where(sure_failures(need, certificates=False) <= 1)
        .order_by(rough.desc(), Lot.id)
        .limit(FIRST_PAGE)
    )
    page = (await session.execute(first)).all()
    for start in range(0, len(page), BATCH):
        if await reading.check(session, page[start : start + BATCH]):
            return reading.best(candidates)
    floors = [board.floor() for board in reading.boards]
    if len(page) < FIRST_PAGE or all(f == float("inf") for f in floors):
        return reading.best(candidates)  # every lot that may enter a list was read
    specs = spec_columns(need)
    values = {key: spec.num_value for key, spec in specs.items()}
    ceiling = score_ceiling(need, values, sales, dialect).label("ceiling")
    rest = _base_query(need, client_org_id, Lot.id, sales, ceiling).outerjoin(
        sales_by_seller, sales_by_seller.c.seller == Lot.seller_org_id
    )
    if None not in floors:  # a lot whose first ceiling is below every list's last score enters none
        rest = rest.where(rough >= min(f for f in floors if f is not None))
    for key, spec in specs.items():
        rest = rest.outerjoin(spec, (spec.lot_id == Lot.id) & (spec.key == key))
    rest = rest.where(sure_failures(need) + spec_sure_failure(need, values) <= 1).order_by(ceiling.desc(), Lot.id)
    result = await session.stream(rest)
    try:
        async for batch in result.partitions(BATCH):
            if await reading.check(session, batch):
                break
    finally:
        await result.close()
    return reading.best(candidates)


class _Reading:
    """The lists being filled, and the lots already checked (the second pass meets the first pass's again)."""

    def __init__(self, need: rules.Need, boards: tuple[_Board, _Board, _Board]) -> None:
        self.need = need
        self.boards = boards
        self.factors = _spec_units(need)
        self.seen: set[int] = set()

    async def check(self, session: AsyncSession, batch: Sequence[Any]) -> bool:
        """Check a batch of (lot id, seller's sales, ceiling) rows, best ceiling first, with the rules; whether
        the lists are settled: no lot after this batch can enter any of them."""
        wanted = [row[0] for row in batch if row[0] not in self.seen]
        lots = {}
        if wanted:
            lots = {row[0]: row for row in await session.execute(select(*_COLUMNS).where(Lot.id.in_(wanted)))}
        matches, near, parts = self.boards
        with collector_paused():
            for lot_id, sold, _ceiling in batch:
                if lot_id in self.seen:
                    continue
                self.seen.add(lot_id)
                candidate = _candidate(lots[lot_id], self.need, self.factors)
                evaluation = rules.evaluate(self.need, candidate, give_up_after=2)
                if evaluation.failures > 1:
                    continue
                ranked = Ranked(evaluation, rules.score(self.need, candidate, seller_sales=sold))
                if evaluation.is_match:
                    matches.add(ranked)
                elif evaluation.is_near_miss:
                    near.add(ranked)
                if parts.size and rules.bundle_part(evaluation):
                    parts.add(ranked)
            for board in self.boards:
                board.trim()
        return all(board.settled(batch[-1][-1]) for board in self.boards)

    def best(self, candidates: int) -> Best:
        matches, near, parts = self.boards
        return Best(matches.items, near.items, parts.items, candidates, len(self.seen))
