"""Where a search with words (`q`) starts: from its rarest word's postings, from the other filters' index
range, or by walking the sort order and checking the words lot by lot. The results are the same whichever
way is taken (every way applies every filter and the same ORDER BY); only the time differs.

- The counts (capped at TOTAL_CAP + 1 matches) start from the driving word's postings when it is one index
  word or rare: within the search's category when it has one (`ix_lot_terms_term_category`), each posting's
  lot looked up by id (on SQLite in `ix_lots_id_cover`, a narrow entry, when the filters read only its
  columns), every other word probed by one lookup of `lot_terms (term, lot_id)`; a common word's count stops
  after ~TOTAL_CAP / (share of lots that are live and visible) postings. Otherwise (a prefix standing for
  several common words) they walk the other filters' index range, the driving word's postings within the
  category read once as a list each lot is looked up in, or a probe per lot without a category.
- The page then knows how many lots match. If the matches are dense enough that walking the sort order's
  index (`ix_lots_status_published_at`, `_ends_at`, `_asking`) meets `offset + limit` of them within
  WALK_BUDGET index entries, it walks it (naming the index to SQLite: INDEXED BY), checking each lot's
  filters and words, and stops at the page; otherwise it collects the matches from the rarest word's
  postings (rare word) or from the other filters' index range (common words, few matches) and sorts them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, ColumnElement, Join, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.visitors import InternalTraversal, iterate

from exchange.accounts.principal import Principal
from exchange.lots.models import ID_COVER, Lot, LotTerm
from exchange.lots.search._clauses import (
    ASKING_PRICE,
    SQLITE_SORT_INDEX,
    filter_clauses,
    ordered,
    sort_keys,
    sqlite_index,
)
from exchange.lots.search._filters import LotQuery
from exchange.lots.search._words import Word, look_up_words
from exchange.specs.catalog import Catalog

__all__ = ["WALK_BUDGET", "WordPlan", "last_lot_id", "plan_words"]

WALK_BUDGET = 30_000
"""Sort index entries a page may expect to walk before it is cheaper to collect and sort the matches."""
_ALL = 2**62
"""A LIMIT that keeps a subquery a subquery (not merged into the outer query), so its own plan stands."""


class _LeftFirst(Join):
    """A join read left to right: the postings first, then each lot by id (SQLite's CROSS JOIN fixes the order;
    elsewhere a plain join, the planner deciding)."""

    inherit_cache = True


@compiles(_LeftFirst)
def _plain_join(join: _LeftFirst, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.visit_join(join, **kw)


@compiles(_LeftFirst, "sqlite")
def _cross_join(join: _LeftFirst, compiler: SQLCompiler, **kw: Any) -> str:
    kw.pop("asfrom", None)
    assert join.onclause is not None
    return (
        join.left._compiler_dispatch(compiler, asfrom=True, **kw)
        + " CROSS JOIN "
        + join.right._compiler_dispatch(compiler, asfrom=True, **kw)
        + " ON "
        + join.onclause._compiler_dispatch(compiler, **kw)
    )


_ID_COVER_NAMES = frozenset(column.name for column in ID_COVER.columns)


def _on_id_cover(columns: list[Any], clauses: list[Any]) -> bool:
    """Whether a statement reads only lot columns that `ix_lots_id_cover` holds (so a lookup there answers it)."""
    read = {
        element.name
        for clause in [*columns, *clauses]
        for element in iterate(clause)
        if isinstance(element, Column) and element.table is Lot.__table__
    }
    return read <= _ID_COVER_NAMES


def _probe(word: Word, *, per_lot: bool = False) -> ColumnElement[bool]:
    """Whether the lot has the word: a primary-key lookup of (term, lot_id) per index word it stands for.

    On PostgreSQL the lookup is also limited to the word's categories (the lot's own, so the same rows), which
    lets the planner join the word's postings there in `lot_id` order rather than hash all of them; and
    `per_lot` keeps it a lookup per lot (`OFFSET 0` stops PostgreSQL turning it into a join), for a walk of a
    sort index that stops at the page. SQLite reads the statement as before."""
    terms = LotTerm.__table__.alias("probed_terms")  # selecting lot_id only: the lookup reads the key alone
    conditions = [word.match(terms.c.term), terms.c.lot_id == Lot.id]
    lookup = select(terms.c.lot_id).where(*conditions, *_postgres_only(word.within(terms.c.category)))
    if per_lot:
        lookup = lookup.suffix_with("OFFSET 0", dialect="postgresql")
    return exists(lookup).correlate(Lot)


class _PostgresOnly(ColumnElement[bool]):
    """A condition PostgreSQL's planner uses and SQLite's would not need (it renders `1 = 1` elsewhere)."""

    inherit_cache = True
    _traverse_internals = [("clause", InternalTraversal.dp_clauseelement)]  # in the cache key, its values bound

    def __init__(self, clause: ColumnElement[bool]) -> None:
        self.clause = clause


@compiles(_PostgresOnly)
def _always(element: _PostgresOnly, compiler: SQLCompiler, **kw: Any) -> str:
    return "1 = 1"


@compiles(_PostgresOnly, "postgresql")
def _the_clause(element: _PostgresOnly, compiler: SQLCompiler, **kw: Any) -> str:
    return str(element.clause._compiler_dispatch(compiler, **kw))


def _postgres_only(clause: ColumnElement[bool] | None) -> list[ColumnElement[bool]]:
    return [] if clause is None else [_PostgresOnly(clause)]


@dataclass(frozen=True, slots=True)
class WordPlan:
    words: list[Word]
    driver: Word
    """The rarest word (a single index word preferred on ties): the one whose postings a search starts from."""

    @property
    def finds_nothing(self) -> bool:
        return self.driver.postings == 0

    def _others(self) -> list[ColumnElement[bool]]:
        return [_probe(word) for word in self.words if word is not self.driver]

    def _checks(self) -> list[ColumnElement[bool]]:
        """The words as conditions on lots read from the other filters' index: the driver's postings within the
        search's categories as one list (read once, in index order) that each lot is looked up in, when it has
        such postings; a primary-key probe of `lot_terms` per lot for every other word. At 1 000 000 lots a
        common word's count within a category took 17 ms this way against 35 ms with a probe per lot."""
        if not self.driver.categories:
            return [_probe(word) for word in self.words]
        postings = select(LotTerm.lot_id).where(self.driver.posting_rows())
        return [Lot.id.in_(postings), *self._others()]

    def _from_postings(self, columns: list[Any], clauses: list[Any], *, counting: bool = False) -> Any:
        """SELECT columns FROM the driver's postings joined to their lots, every other filter and word applied.
        `counting`: on SQLite each lot is read from `ix_lots_id_cover` when that holds all the statement reads."""
        if self.driver.single:  # each lot once: the postings stream, so a LIMIT stops reading them
            postings: Any = LotTerm.__table__
            lot_id = LotTerm.lot_id
            clauses = [self.driver.posting_rows(), *clauses]
        else:  # several index words (a prefix): a lot once however many of them it has
            postings = select(LotTerm.lot_id).where(self.driver.posting_rows()).distinct().limit(_ALL).subquery()
            lot_id = postings.c.lot_id
        joined = _LeftFirst(postings, Lot.__table__, Lot.id == lot_id)
        statement = select(*columns).select_from(joined).where(*clauses, *self._others())
        return sqlite_index(statement, str(ID_COVER.name)) if counting and _on_id_cover(columns, clauses) else statement

    def _counted_from_postings(self) -> bool:
        return self.driver.rare or self.driver.single

    def matches(self, principal: Principal | None, query: LotQuery, catalog: Catalog, columns: list[Any],
                *, skip: str | None = None) -> Any:  # fmt: skip
        """SELECT columns of the matching lots (for counting: no order), from the postings or the filters' index."""
        clauses = filter_clauses(query, principal, catalog, skip=skip)
        if self._counted_from_postings():
            return self._from_postings(columns, clauses, counting=True)
        return select(*columns).where(*clauses, *self._checks())

    def page_ids(
        self, principal: Principal | None, query: LotQuery, catalog: Catalog, matches: int, last_id: int
    ) -> Any:
        """The page's ids in order: walking the sort index when `matches` (of about `last_id` lots) are dense
        enough, else collected from the postings (rare word) or the filters' index range, then sorted."""
        clauses = filter_clauses(query, principal, catalog)
        wanted = query.offset + query.limit
        if wanted * last_id <= WALK_BUDGET * max(matches, 1):
            probes = (_probe(word, per_lot=True) for word in self.words)
            walk = ordered(select(Lot.id).where(*clauses, *probes), query.sort)
            ids = sqlite_index(walk, SQLITE_SORT_INDEX[query.sort])
        elif self.driver.rare:
            ids = ordered(self._from_postings([Lot.id], clauses), query.sort)
        else:  # sorted outside a subquery, so the filters' index (not the sort's) finds the matches
            found = (
                select(Lot.id, Lot.ends_at, Lot.published_at, ASKING_PRICE.label("asking"))
                .where(*clauses, *self._checks())
                .limit(_ALL)
                .subquery()
            )
            keys = sort_keys(
                query.sort, ends_at=found.c.ends_at, asking=found.c.asking, published_at=found.c.published_at,
                lot_id=found.c.id,
            )  # fmt: skip
            ids = select(found.c.id).order_by(*keys)
        return ids.limit(query.limit).offset(query.offset)


async def plan_words(session: AsyncSession, query: LotQuery) -> WordPlan:
    words = await look_up_words(session, query.terms, query.categories)
    driver = min(words, key=lambda word: (word.postings, not word.single))
    return WordPlan(words, driver)


async def last_lot_id(session: AsyncSession) -> int:
    """The highest lot id: about how many lots a sort index holds (one index seek)."""
    return int(await session.scalar(select(func.max(Lot.id))) or 0)
