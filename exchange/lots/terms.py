"""Search words: how lot text and a `q` query are cut into terms (no I/O).

Words are lower-cased and lightly stemmed (a plural `s` is dropped). Chinese, Japanese and Korean
text has no spaces, so it is indexed as single characters and character pairs.
"""

from __future__ import annotations

import re

__all__ = ["MAX_QUERY_TERMS", "MAX_TERM_LENGTH", "query_terms", "terms_of"]

MAX_TERM_LENGTH = 64
MAX_QUERY_TERMS = 8
MAX_TERMS_PER_LOT = 400
_WORD = re.compile(r"\w+", re.UNICODE)
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]+")
_STOP = {"a", "an", "and", "the", "of", "in", "on", "for", "to", "with", "x", "or"}


def _stem(word: str) -> str:
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _cjk_terms(run: str) -> list[str]:
    return list(run) + [run[i : i + 2] for i in range(len(run) - 1)]


def _words(text: str) -> list[str]:
    found: list[str] = []
    for run in _CJK.findall(text):
        found.extend(_cjk_terms(run))
    for word in _WORD.findall(_CJK.sub(" ", text.lower())):
        word = word.strip("_")
        if word and word not in _STOP:
            found.append(_stem(word)[:MAX_TERM_LENGTH])
    return found


def terms_of(*texts: str) -> set[str]:
    """Every distinct term of the given texts (at most a few hundred per lot)."""
    terms: set[str] = set()
    for text in texts:
        for term in _words(text):
            if len(terms) >= MAX_TERMS_PER_LOT:
                return terms
            terms.add(term)
    return terms


def query_terms(q: str) -> list[tuple[str, bool]]:
    """(term, prefix?) for each word of a query: words of 3+ letters also match longer words."""
    result: list[tuple[str, bool]] = []
    for run in _CJK.findall(q):
        pieces = [run] if len(run) == 1 else [run[i : i + 2] for i in range(len(run) - 1)]
        result.extend((piece, False) for piece in pieces)
    for word in _WORD.findall(_CJK.sub(" ", q.lower())):
        word = word.strip("_")
        if word and word not in _STOP:
            stemmed = _stem(word)[:MAX_TERM_LENGTH]
            result.append((stemmed, len(stemmed) >= 3))
    unique = list(dict.fromkeys(result))
    return unique[:MAX_QUERY_TERMS]
