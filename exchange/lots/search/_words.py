"""The words of a `q` search as the term index holds them, and how common each is.

A query word stands for the index's words equal to it, or starting with it (three letters or more); those
are listed (`MAX_EXPANSIONS` at most, each found by one index seek) so that checking whether a lot has the
word is one primary-key lookup per listed word on `lot_terms (term, lot_id)`. Each word's postings are
counted up to `RARE_POSTINGS`: the rarest word decides where a search starts (see `_word_search`). With a
category, a listed word's postings are those within the category (and its sub-categories): one range of
`ix_lot_terms_term_category (term, category, lot_id)` per (index word, category).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.lots.models import LotTerm

__all__ = ["MAX_EXPANSIONS", "RARE_POSTINGS", "Word", "look_up_words"]

RARE_POSTINGS = 20_000
"""Postings counted per word; a word with fewer is rare, and a search holding it starts from its postings."""
MAX_EXPANSIONS = 32
"""Index words listed for a prefix; past that the prefix is matched as a range of the index."""


def _after(term: str) -> str:
    """The smallest string above every string that starts with `term` (byte-wise order)."""
    return term[:-1] + chr(ord(term[-1]) + 1)


@dataclass(frozen=True, slots=True)
class Word:
    term: str
    prefix: bool
    listed: tuple[str, ...] | None
    """The index's words this query word matches, or None: a prefix of more than MAX_EXPANSIONS words."""
    postings: int
    """`lot_terms` rows of those words (within `categories`), counted up to RARE_POSTINGS."""
    categories: tuple[str, ...] = ()
    """The search's categories when the postings are taken within them (a listed word), else ()."""

    @property
    def rare(self) -> bool:
        return self.postings < RARE_POSTINGS

    @property
    def single(self) -> bool:
        """One index word: its postings hold each lot once, so they can drive a join without DISTINCT."""
        return self.listed is not None and len(self.listed) == 1

    def match(self, term: Any = LotTerm.term) -> Any:
        """The `lot_terms` rows of this word (`term`: the column of an alias of `lot_terms`)."""
        if self.listed is not None:
            return term == self.listed[0] if len(self.listed) == 1 else term.in_(self.listed)
        return and_(term >= self.term, term < _after(self.term))

    def within(self, category: Any = LotTerm.category) -> Any:
        """The `lot_terms` rows within the search's categories (`category`: an alias's column), or None."""
        if not self.categories:
            return None
        codes = self.categories
        return category == codes[0] if len(codes) == 1 else category.in_(codes)

    def posting_rows(self) -> Any:
        """The `lot_terms` rows a search may start from: the word's, within the search's categories if any
        (each such row's lot is in them, `reindex_lot` writing the lot's category with its terms)."""
        within = self.within()
        return self.match() if within is None else and_(self.match(), within)


async def _listed(session: AsyncSession, term: str) -> tuple[str, ...] | None:
    """The index's distinct words starting with `term`, found by skipping from one to the next (one seek each)."""
    high = _after(term)
    first = select(func.min(LotTerm.term).label("term")).where(LotTerm.term >= term, LotTerm.term < high)
    step = first.cte("words", recursive=True)
    following = select(func.min(LotTerm.term)).where(LotTerm.term > step.c.term, LotTerm.term < high)
    step = step.union_all(select(following.scalar_subquery()).where(step.c.term.is_not(None)))
    listing = select(step.c.term).where(step.c.term.is_not(None)).limit(MAX_EXPANSIONS + 1)
    found = list(await session.scalars(listing))
    return None if len(found) > MAX_EXPANSIONS else tuple(found)


async def look_up_words(
    session: AsyncSession, terms: list[tuple[str, bool]], categories: list[str] | None = None
) -> list[Word]:
    """Each (term, prefix?) of a query with the index words it matches and its postings (up to RARE_POSTINGS),
    within `categories` for a listed word (a prefix matched as a range is counted over all categories, so
    the count stays one bounded read of the range)."""
    words: list[Word] = []
    for term, prefix in terms:
        listed = await _listed(session, term) if prefix else (term,)
        if listed == ():
            words.append(Word(term, prefix, listed, 0))
            continue
        within = tuple(categories or ()) if listed is not None else ()
        draft = Word(term, prefix, listed, 0, within)
        counted = select(literal(1)).select_from(LotTerm).where(draft.posting_rows()).limit(RARE_POSTINGS).subquery()
        postings = int(await session.scalar(select(func.count()).select_from(counted)) or 0)
        words.append(Word(term, prefix, listed, postings, within))
    return words
