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


class _Bucket:
    """The searches filed under one (category, grade, mode): columns, plus rows added since the last compile."""

    __slots__ = (
        "country",
        "currency",
        "has_price",
        "ids",
        "pending",
        "place",
        "plain",
        "price_high",
        "price_low",
        "residual",
        "specs",
        "texts",
    )

    def __init__(self) -> None:
        self.ids: npt.NDArray[np.int64] = np.empty(0, np.int64)
        self.price_low: Floats = np.empty(0)
        self.price_high: Floats = np.empty(0)
        self.has_price: Bools = np.empty(0, np.bool_)
        self.currency: npt.NDArray[np.int32] = np.empty(0, np.int32)
        self.place: npt.NDArray[np.int32] = np.empty(0, np.int32)
        self.country: npt.NDArray[np.int32] = np.empty(0, np.int32)
        self.residual: Bools = np.empty(0, np.bool_)
        self.plain: Bools = np.empty(0, np.bool_)
        """Not residual: decided by the columns alone."""
        self.specs: dict[str, tuple[Floats, Floats, Bools]] = {}
        self.texts: dict[str, npt.NDArray[np.int32]] = {}
        """Per spec key: the value code a search wants (0: no wish)."""
        self.pending: list[_Pending] = []

    def __len__(self) -> int:
        return len(self.ids) + len(self.pending)

    def compile(self) -> None:
        """Append the pending rows to the columns (once per batch of additions, not per search)."""
        rows, self.pending = self.pending, []
        if not rows:
            return
        old, new = len(self.ids), len(rows)
        self.ids = np.concatenate([self.ids, np.fromiter((r.search_id for r in rows), np.int64, new)])
        self.price_low = np.concatenate([self.price_low, np.fromiter((r.price_low for r in rows), np.float64, new)])
        self.price_high = np.concatenate([self.price_high, np.fromiter((r.price_high for r in rows), np.float64, new)])
        self.has_price = np.concatenate([self.has_price, np.fromiter((r.has_price for r in rows), np.bool_, new)])
        self.currency = np.concatenate([self.currency, np.fromiter((r.currency for r in rows), np.int32, new)])
        self.place = np.concatenate([self.place, np.fromiter((r.place for r in rows), np.int32, new)])
        self.country = np.concatenate([self.country, np.fromiter((r.country for r in rows), np.int32, new)])
        self.residual = np.concatenate([self.residual, np.fromiter((r.residual for r in rows), np.bool_, new)])
        self.plain = ~self.residual
        by_key: dict[str, list[tuple[int, float, float]]] = {}
        for i, row in enumerate(rows):
            for key, low, high in row.specs:
                by_key.setdefault(key, []).append((i, low, high))
        for key in set(self.specs) | set(by_key):
            low_col, high_col, has_col = self.specs.get(key) or (
                np.full(old, -_INF),
                np.full(old, _INF),
                np.zeros(old, np.bool_),
            )
            new_low, new_high, new_has = np.full(new, -_INF), np.full(new, _INF), np.zeros(new, np.bool_)
            for i, low, high in by_key.get(key, ()):
                new_low[i], new_high[i], new_has[i] = low, high, True
            self.specs[key] = (
                np.concatenate([low_col, new_low]),
                np.concatenate([high_col, new_high]),
                np.concatenate([has_col, new_has]),
            )
        by_text: dict[str, list[tuple[int, int]]] = {}
        for i, row in enumerate(rows):
            for key, code in row.texts:
                by_text.setdefault(key, []).append((i, code))
        for key in set(self.texts) | set(by_text):
            wanted = np.zeros(new, np.int32)
            for i, code in by_text.get(key, ()):
                wanted[i] = code
            self.texts[key] = np.concatenate([self.texts.get(key, np.zeros(old, np.int32)), wanted])

    def candidates(
        self, lot: LotFeatures, currency: int, places: tuple[int, int], country: int, texts: dict[str, int]
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """(ids that match outright, residual ids that passed the ranges and need the full rule)."""
        if self.pending:
            self.compile()
        if lot.price is None:
            mask = ~self.has_price
        else:
            price = float(lot.price)
            mask = ~self.has_price | ((self.price_low <= price) & (price <= self.price_high))
        mask &= (self.currency == 0) | (self.currency == currency)
        mask &= (self.place == 0) | (self.place == places[0]) | (self.place == places[1])
        mask &= (self.country == 0) | (self.country == country)
        for key, (low, high, has) in self.specs.items():
            value = lot.numbers.get(key)
            if value is None:
                mask &= ~has
            else:
                mask &= (low <= value) & (value <= high)
        for key, wanted in self.texts.items():
            mask &= (wanted == 0) | (wanted == texts.get(key, -1))
        if not self.residual.any():
            return self.ids[mask], self.ids[:0]
        return self.ids[mask & self.plain], self.ids[mask & self.residual]


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
                    bucket.pending.append(row)
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
