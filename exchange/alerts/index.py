"""The saved-search index the alert fan-out asks "which searches does this lot match?" without running
each search as a query.

Searches are filed in buckets by (category, grade, sale mode), "*" standing for "any": a search for
fabric in grades A or B is filed under (fabric, A, *) and (fabric, B, *), and a published lot looks in
the 8 buckets its own category, grade and mode (or "*") name. Within a bucket the ranges a search holds
(asking price, each numeric spec in SI base units) are columns of numpy arrays, so all the bucket's
searches are tested against the lot in a few vector comparisons: -inf/+inf stand for "no bound", and a
`has` column says the search asks for that spec at all (a lot without the spec fails only those).
Currency, place, country and a spec that must hold one value (fibre=cotton) are integer-coded columns
(0: any). What is not a column (words of `q`, several values, a spec's mere presence) is rarer; such searches are
flagged `residual` and the few of them that pass the ranges are checked with the reference rule,
`exchange.alerts.matching.matches`, to which the whole index is held by tests.

Each worker process keeps its own index, loaded from SQL at first use and then topped up with searches
of a higher id before every fan-out (saved searches never change, they are only created and deleted;
deleted ones are found when the fan-out reads the matched rows and are dropped then).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from exchange.alerts.matching import LotFeatures, matches
from exchange.lots.search import LotQuery, SpecFilter

__all__ = ["ANY", "SearchIndex"]

ANY = "*"
_INF = float("inf")
Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]


@dataclass(slots=True)
class _Pending:
    search_id: int
    price_low: float
    price_high: float
    has_price: bool
    currency: int
    place: int
    country: int
    specs: tuple[tuple[str, float, float], ...]
    texts: tuple[tuple[str, int], ...]
    """Spec keys that must hold one value (coded), like fibre=cotton."""
    residual: bool


class _Ranges:
    """A range column kept only for the rows that have it: row positions (ascending), low and high bounds."""

    __slots__ = ("high", "low", "rows")

    def __init__(self) -> None:
        self.rows: npt.NDArray[np.uint32] = np.empty(0, np.uint32)
        self.low: Floats = np.empty(0)
        self.high: Floats = np.empty(0)

    def extend(self, rows: list[int], low: list[float], high: list[float]) -> None:
        self.rows = np.concatenate([self.rows, np.asarray(rows, np.uint32)])
        self.low = np.concatenate([self.low, np.asarray(low, np.float64)])
        self.high = np.concatenate([self.high, np.asarray(high, np.float64)])

    def strike(self, mask: Bools, value: float | None) -> None:
        """Clear the rows whose range does not hold `value` (None: the lot has no value, every such row fails)."""
        if not len(self.rows):
            return
        if value is None:
            mask[self.rows] = False
        else:
            mask[self.rows[~((self.low <= value) & (value <= self.high))]] = False

    @property
    def nbytes(self) -> int:
        return self.rows.nbytes + self.low.nbytes + self.high.nbytes


class _Codes:
    """A wanted-value column kept only for the rows that want one: row positions and the coded value."""

    __slots__ = ("codes", "rows")

    def __init__(self) -> None:
        self.rows: npt.NDArray[np.uint32] = np.empty(0, np.uint32)
        self.codes: npt.NDArray[np.int32] = np.empty(0, np.int32)

    def extend(self, rows: list[int], codes: list[int]) -> None:
        self.rows = np.concatenate([self.rows, np.asarray(rows, np.uint32)])
        self.codes = np.concatenate([self.codes, np.asarray(codes, np.int32)])

    def strike(self, mask: Bools, *accepted: int) -> None:
        """Clear the rows wanting a value other than the accepted ones."""
        if not len(self.rows):
            return
        wrong = self.codes != accepted[0]
        for code in accepted[1:]:
            wrong &= self.codes != code
        mask[self.rows[wrong]] = False

    @property
    def nbytes(self) -> int:
        return self.rows.nbytes + self.codes.nbytes


COMPILE_EVERY = 4096
"""Pending rows a bucket holds before it compiles them (so filing a million searches holds few Python rows)."""


class _Bucket:
    """The searches filed under one (category, grade, mode), as sparse columns: a search that names no price,
    place or spec has no entry in that column at all (most searches name few of them), so a bucket costs
    about 4 bytes per row plus 20 per range and 8 per wanted value a search holds. Rows added since the last
    compile wait in `pending`."""

    __slots__ = ("country", "currency", "ids", "pending", "place", "price", "residual", "specs", "texts")

    def __init__(self) -> None:
        self.ids: npt.NDArray[np.integer[Any]] = np.empty(0, np.uint32)
        """Search ids, 4 bytes each while they fit (8 after)."""
        self.price = _Ranges()
        self.currency = _Codes()
        self.place = _Codes()
        self.country = _Codes()
        self.residual: npt.NDArray[np.uint32] = np.empty(0, np.uint32)
        """Row positions of the searches the columns do not decide alone."""
        self.specs: dict[str, _Ranges] = {}
        self.texts: dict[str, _Codes] = {}
        """Per spec key: the value code a search wants."""
        self.pending: list[_Pending] = []

    def __len__(self) -> int:
        return len(self.ids) + len(self.pending)

    def file(self, row: _Pending) -> None:
        self.pending.append(row)
        if len(self.pending) >= max(COMPILE_EVERY, len(self.ids) // 2):
            self.compile()

    def compile(self) -> None:
        """Append the pending rows to the columns (once per batch of additions, not per search)."""
        rows, self.pending = self.pending, []
        if not rows:
            return
        old = len(self.ids)
        new_ids = [r.search_id for r in rows]
        wide = self.ids.dtype == np.int64 or max(new_ids) > np.iinfo(np.uint32).max
        self.ids = np.concatenate([self.ids, np.asarray(new_ids, np.int64 if wide else np.uint32)])
        price: tuple[list[int], list[float], list[float]] = ([], [], [])
        codes: dict[str, tuple[list[int], list[int]]] = {"currency": ([], []), "place": ([], []), "country": ([], [])}
        residual: list[int] = []
        specs: dict[str, tuple[list[int], list[float], list[float]]] = {}
        texts: dict[str, tuple[list[int], list[int]]] = {}
        for position, row in enumerate(rows, start=old):
            if row.has_price:
                price[0].append(position)
                price[1].append(row.price_low)
                price[2].append(row.price_high)
            for name, code in (("currency", row.currency), ("place", row.place), ("country", row.country)):
                if code:
                    codes[name][0].append(position)
                    codes[name][1].append(code)
            if row.residual:
                residual.append(position)
            for key, low, high in row.specs:
                column = specs.setdefault(key, ([], [], []))
                column[0].append(position)
                column[1].append(low)
                column[2].append(high)
            for key, code in row.texts:
                wanted = texts.setdefault(key, ([], []))
                wanted[0].append(position)
                wanted[1].append(code)
        if price[0]:
            self.price.extend(*price)
        for name, (positions, values) in codes.items():
            if positions:
                getattr(self, name).extend(positions, values)
        if residual:
            self.residual = np.concatenate([self.residual, np.asarray(residual, np.uint32)])
        for key, (positions, lows, highs) in specs.items():
            self.specs.setdefault(key, _Ranges()).extend(positions, lows, highs)
        for key, (positions, values) in texts.items():
            self.texts.setdefault(key, _Codes()).extend(positions, values)

    @property
    def nbytes(self) -> int:
        ranges = [self.price, *self.specs.values()]
        codes = [self.currency, self.place, self.country, *self.texts.values()]
        return self.ids.nbytes + self.residual.nbytes + sum(c.nbytes for c in ranges) + sum(c.nbytes for c in codes)

    def candidates(
        self, lot: LotFeatures, currency: int, places: tuple[int, int], country: int, texts: dict[str, int]
    ) -> tuple[npt.NDArray[np.integer[Any]], npt.NDArray[np.integer[Any]]]:
        """(ids that match outright, residual ids that passed the ranges and need the full rule)."""
        if self.pending:
            self.compile()
        mask = np.ones(len(self.ids), np.bool_)
        self.price.strike(mask, None if lot.price is None else float(lot.price))
        self.currency.strike(mask, currency)
        self.place.strike(mask, *places)
        self.country.strike(mask, country)
        for key, ranges in self.specs.items():
            ranges.strike(mask, lot.numbers.get(key))
        for key, wanted in self.texts.items():
            wanted.strike(mask, texts.get(key, -1))
        if not len(self.residual):
            return self.ids[mask], self.ids[:0]
        residual = self.residual[mask[self.residual]]
        mask[residual] = False
        return self.ids[mask], self.ids[residual]


def _one_text(spec: SpecFilter) -> bool:
    """A spec filter that wants exactly one text value and nothing else (a column holds it)."""
    return len(spec.texts) == 1 and spec.low is None and spec.high is None and not spec.numeric_values


def _is_residual(query: LotQuery) -> bool:
    """Whether the search asks something the columns do not hold: words, several spec values, numbers from
    a list, or a spec's mere presence (a filter without a range or a value)."""
    if query.terms:
        return True
    return any(
        not _one_text(spec) and (spec.texts or spec.numeric_values or (spec.low is None and spec.high is None))
        for spec in query.specs
    )


class SearchIndex:
    """Saved searches by (category, grade, mode) with their ranges as columns; see the module's docstring."""

    def __init__(self) -> None:
        self._buckets: dict[tuple[str, str, str], _Bucket] = {}
        self._codes: dict[str, int] = {}
        """Currencies, places and countries as small integers (0: any) for the columns."""
        self._residual: dict[int, LotQuery] = {}
        self._removed: set[int] = set()
        self.max_id = 0
        """The highest search id added: the next top-up loads the searches above it."""
        self.loaded = False
        self.size = 0

    def _code(self, text: str | None) -> int:
        if not text:
            return 0
        return self._codes.setdefault(text, len(self._codes) + 1)

    def add(self, search_id: int, query: LotQuery) -> None:
        """File a search (a search that cannot find a live lot, e.g. `status=awarded`, is left out)."""
        self.max_id = max(self.max_id, search_id)
        if "live" not in query.statuses:
            return
        residual = _is_residual(query)
        if residual:
            self._residual[search_id] = query
        has_price = query.price_min is not None or query.price_max is not None
        row = _Pending(
            search_id=search_id,
            price_low=float(query.price_min) if query.price_min is not None else -_INF,
            price_high=float(query.price_max) if query.price_max is not None else _INF,
            has_price=has_price,
            currency=self._code(f"currency:{query.currency}" if query.currency else None),
            place=self._code(f"place:{query.location}" if query.location else None),
            country=self._code(f"country:{query.country}" if query.country else None),
            specs=tuple(
                (spec.key, spec.low if spec.low is not None else -_INF, spec.high if spec.high is not None else _INF)
                for spec in query.specs
                if spec.low is not None or spec.high is not None
            ),
            texts=tuple((spec.key, self._code(f"text:{spec.texts[0]}")) for spec in query.specs if _one_text(spec)),
            residual=residual,
        )
        for category in query.categories or [ANY]:
            for grade in query.grades or [ANY]:
                for mode in query.modes or [ANY]:
                    bucket = self._buckets.get((category, grade, mode))
                    if bucket is None:
                        bucket = self._buckets[(category, grade, mode)] = _Bucket()
                    bucket.file(row)
        self.size += 1

    def add_many(self, searches: Iterable[tuple[int, LotQuery]]) -> None:
        for search_id, query in searches:
            self.add(search_id, query)

    def discard(self, search_id: int) -> None:
        """Forget a deleted search (its rows stay in the columns but are never answered again)."""
        if search_id not in self._removed:
            self._removed.add(search_id)
            self._residual.pop(search_id, None)
            self.size -= 1

    def compile(self) -> None:
        """Bring every bucket's columns up to date (matching does it per bucket when needed)."""
        for bucket in self._buckets.values():
            bucket.compile()

    def match(self, lot: LotFeatures) -> list[int]:
        """Ids of the searches that find `lot`, each once (visibility is the caller's to apply)."""
        currency = self._codes.get(f"currency:{lot.currency}", -1)
        places = (self._codes.get(f"place:{lot.city}", -1), self._codes.get(f"place:{lot.region}", -1))
        country = self._codes.get(f"country:{lot.country}", -1)
        texts = {key: self._codes.get(f"text:{value}", -1) for key, value in lot.texts.items()}
        found: list[int] = []
        for category in (lot.category, ANY):
            for grade in (lot.grade, ANY):
                for mode in (lot.mode, ANY):
                    bucket = self._buckets.get((category, grade, mode))
                    if bucket is None or not len(bucket):
                        continue
                    outright, residual = bucket.candidates(lot, currency, places, country, texts)
                    found.extend(outright.tolist())
                    for search_id in residual.tolist():
                        query = self._residual.get(search_id)
                        if query is not None and matches(query, lot):
                            found.append(search_id)
        if self._removed:
            found = [search_id for search_id in found if search_id not in self._removed]
        return found

    def bucket_sizes(self) -> dict[tuple[str, str, str], int]:
        return {key: len(bucket) for key, bucket in self._buckets.items()}

    @property
    def nbytes(self) -> int:
        """The bytes of the compiled columns (the searches' ranges and codes; not the residual queries)."""
        return sum(bucket.nbytes for bucket in self._buckets.values())
