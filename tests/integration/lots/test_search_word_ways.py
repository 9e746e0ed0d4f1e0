"""A search with words goes one of several ways (walking the sort order and checking each lot's words, starting
from the rarest word's postings, or from the other filters' index range; prefixes listed as words or matched
as a range), chosen by how common the words are. Whichever way is taken, it finds what a plain reading of the
lots finds: the same lots in the same order, the same total and facets. Each way is forced here in turn on
the lots and random searches of `test_search_matches_plain_reading`."""

from __future__ import annotations

from contextlib import ExitStack
from unittest.mock import patch

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange.lots.search import _word_search, _words
from tests.conftest import OrgFactory
from tests.integration.lots.test_search_matches_plain_reading import (
    QUERIES,
    Pool,
    _filters,
    _make_lots,
    _same_as_plain_reading,
)
from tests.support.catalogue import unique_place

WAYS = {
    "walk the sort order": {"RARE_POSTINGS": 1, "WALK_BUDGET": 10**9},
    "from the rarest word's postings": {"RARE_POSTINGS": 10**9, "WALK_BUDGET": 0},
    "from the other filters' index": {"RARE_POSTINGS": 1, "WALK_BUDGET": 0},
    # The counts too (a single word's are otherwise counted from its postings): within a category, the driving
    # word's postings there as one list each lot is looked up in.
    "counted from the other filters' index": {"RARE_POSTINGS": 1, "WALK_BUDGET": 0, "count_from_postings": False},
}


@pytest.fixture(scope="module")
async def lots(db: async_sessionmaker[AsyncSession], make_org: OrgFactory) -> Pool:
    made = Pool(unique_place(), await make_org("seller"), await make_org("buyer"), await make_org("buyer"))
    await _make_lots(db, made)
    return made


@st.composite
def _with_words(draw: st.DrawFn) -> dict[str, list[str]]:
    return {**draw(_filters()), "q": [draw(st.sampled_from(QUERIES))]}


@pytest.mark.parametrize("way", list(WAYS))
@pytest.mark.parametrize("prefixes", ["listed", "as ranges"])
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(params=_with_words(), who=st.sampled_from(("anonymous", "seller", "invited", "stranger")))
async def test_every_way_a_word_search_goes_finds_what_a_plain_reading_finds(
    db: async_sessionmaker[AsyncSession], lots: Pool, way: str, prefixes: str, params: dict[str, list[str]], who: str
) -> None:
    with ExitStack() as forced:
        forced.enter_context(patch.object(_words, "RARE_POSTINGS", WAYS[way]["RARE_POSTINGS"]))
        forced.enter_context(patch.object(_word_search, "WALK_BUDGET", WAYS[way]["WALK_BUDGET"]))
        if WAYS[way].get("count_from_postings") is False:
            forced.enter_context(patch.object(_word_search.WordPlan, "_counted_from_postings", lambda _plan: False))
        if prefixes == "as ranges":
            forced.enter_context(patch.object(_words, "MAX_EXPANSIONS", 0))
        await _same_as_plain_reading(db, lots, params, who)
