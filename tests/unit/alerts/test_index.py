"""The alert index finds exactly the searches the reference rule (`alerts.matching.matches`) finds: random
searches and lots (Hypothesis), and searches parsed from real query strings by the catalogue's parser."""

from __future__ import annotations

from unittest.mock import patch
from urllib.parse import parse_qs

from hypothesis import given, settings
from hypothesis import strategies as st

from exchange.alerts import index as index_module
from exchange.alerts.index import SearchIndex
from exchange.alerts.matching import LotFeatures, criteria_of, matches, query_of
from exchange.lots.search import LotQuery, SpecFilter, parse_lot_query
from exchange.specs.catalog import get_catalog

CATEGORIES = ["textiles/fabric", "textiles/yarn", "metals/sheet"]
KEYS = ["width", "weight", "thickness"]
values = st.sampled_from([0.5, 1.0, 1.5, 2.0, 3.0])
maybe = st.one_of(st.none(), values)


@st.composite
def spec_filters(draw: st.DrawFn) -> SpecFilter:
    key = draw(st.sampled_from(KEYS))
    low, high = draw(maybe), draw(maybe)
    nums = draw(st.lists(values, max_size=2))
    texts = draw(st.lists(st.sampled_from(["navy", "red"]), max_size=1))
    return SpecFilter(key=key, low=low, high=high, numeric_values=nums, texts=texts)


@st.composite
def queries(draw: st.DrawFn) -> LotQuery:
    price_min = draw(st.one_of(st.none(), st.integers(0, 50)))
    price_max = draw(st.one_of(st.none(), st.integers(0, 50)))
    return LotQuery(
        categories=draw(st.lists(st.sampled_from(CATEGORIES), max_size=2, unique=True)),
        grades=draw(st.lists(st.sampled_from("ABC"), max_size=2, unique=True)),
        modes=draw(st.lists(st.sampled_from(["sealed_bid", "fixed_price"]), max_size=1)),
        statuses=draw(st.sampled_from([["live"], ["live", "awarded"], ["awarded"]])),
        price_min=price_min,
        price_max=price_max,
        currency=draw(st.sampled_from([None, "CNY", "USD"])) if price_min or price_max else None,
        location=draw(st.sampled_from([None, None, "suzhou"])),
        country=draw(st.sampled_from([None, None, "CN"])),
        terms=draw(st.lists(st.tuples(st.sampled_from(["cotton", "twi"]), st.booleans()), max_size=1)),
        specs=draw(st.lists(spec_filters(), max_size=2, unique_by=lambda s: s.key)),
    )


@st.composite
def lots(draw: st.DrawFn) -> LotFeatures:
    return LotFeatures(
        lot_id=1,
        category=draw(st.sampled_from(CATEGORIES)),
        grade=draw(st.sampled_from("ABC")),
        mode=draw(st.sampled_from(["sealed_bid", "fixed_price"])),
        currency=draw(st.sampled_from(["CNY", "USD"])),
        price=draw(st.one_of(st.none(), st.integers(0, 50))),
        city=draw(st.sampled_from(["suzhou", "ningbo"])),
        region="jiangsu",
        country=draw(st.sampled_from(["CN", "VN"])),
        numbers=draw(st.dictionaries(st.sampled_from(KEYS), values, max_size=3)),
        texts=draw(st.dictionaries(st.sampled_from(KEYS), st.sampled_from(["navy", "red"]), max_size=1)),
        terms=frozenset(draw(st.lists(st.sampled_from(["cotton", "twill", "wool"]), max_size=2))),
    )


@settings(max_examples=150, deadline=None)
@given(st.lists(queries(), min_size=1, max_size=30), st.lists(lots(), min_size=1, max_size=5))
def test_the_index_finds_what_the_rule_finds(searches: list[LotQuery], sample: list[LotFeatures]) -> None:
    index = SearchIndex()
    half = len(searches) // 2
    index.add_many(enumerate(searches[:half], start=1))
    for lot in sample[:1]:  # a match between additions: later additions are compiled in
        index.match(lot)
    index.add_many(enumerate(searches[half:], start=half + 1))
    index.discard(1)
    for lot in sample:
        expected = sorted(i for i, q in enumerate(searches, start=1) if i != 1 and matches(q, lot))
        found = index.match(lot)
        assert sorted(found) == expected
        assert len(found) == len(set(found))


def _parsed(query_string: str) -> LotQuery:
    return query_of(criteria_of(parse_lot_query(parse_qs(query_string), get_catalog())))


def test_saved_query_strings_match_with_units_normalised() -> None:
    index = SearchIndex()
    index.add(1, _parsed("category=textiles&spec.width.gte=140cm&grade=A,B"))
    index.add(2, _parsed("category=textiles/fabric&spec.width.lte=1200mm"))
    index.add(3, _parsed("category=textiles/fabric&q=twill&location=Suzhou"))
    index.add(4, _parsed("category=metals/sheet"))
    index.add(5, _parsed("price_max=500.00&currency=CNY"))
    fabric = LotFeatures(
        lot_id=9,
        category="textiles/fabric",
        grade="A",
        mode="fixed_price",
        currency="CNY",
        price=40_000_00,
        city="suzhou",
        region="jiangsu",
        country="CN",
        numbers={"width": 1.5},
        terms=frozenset({"twill", "cotton"}),
    )
    assert sorted(index.match(fabric)) == [1, 3]


@settings(max_examples=60, deadline=None)
@given(st.lists(queries(), min_size=1, max_size=30), st.lists(lots(), min_size=1, max_size=3))
def test_buckets_compiled_piecemeal_while_filing_find_the_same(
    searches: list[LotQuery], sample: list[LotFeatures]
) -> None:
    """A bucket compiles its pending searches every few thousand while a worker loads them (here every 2)."""
    with patch.object(index_module, "COMPILE_EVERY", 2):
        index = SearchIndex()
        index.add_many(enumerate(searches, start=1))
    for lot in sample:
        expected = sorted(i for i, q in enumerate(searches, start=1) if matches(q, lot))
        assert sorted(index.match(lot)) == expected
