"""Text at the edges: what people type into titles, names, descriptions. The one rule for all of them.

A required text needs something a reader can see: blanks, zero-width and other format characters,
combining marks on their own and the few letters that draw nothing (Hangul fillers, the blank braille
pattern) do not count. Control characters (NUL and the like) are refused everywhere; multi-line text
keeps its line breaks and tabs.
"""

from __future__ import annotations

import unicodedata

from exchange.errors import BAD_TEXT, BLANK, Unprocessable
from exchange.i18n.messages import Msg, as_msg

__all__ = ["clean_text", "visible_length"]

_INVISIBLE_CATEGORIES = {"Zs", "Zl", "Zp", "Cc", "Cf", "Cs", "Mn", "Me"}
_BLANK_LETTERS = {"\u115f", "\u1160", "\u3164", "\uffa0", "\u2800"}
"""Characters of visible categories that render as nothing."""
_LINE_BREAKS = {"\n", "\r", "\t"}


def visible_length(text: str) -> int:
    """How many characters of `text` draw something."""
    return sum(1 for ch in text if unicodedata.category(ch) not in _INVISIBLE_CATEGORIES and ch not in _BLANK_LETTERS)


def clean_text(
    raw: str, *, field: str, label: str, required: bool = False, min_length: int = 0, multiline: bool = False
) -> str:
    """`raw` without surrounding blanks; a 422 naming the field when it holds a control character, or when it
    is required (or not empty) and has fewer than `min_length` (at least one) visible characters."""
    text = raw.strip()
    for ch in text:
        category = unicodedata.category(ch)
        if category in ("Cc", "Cs") and not (multiline and ch in _LINE_BREAKS):
            raise Unprocessable(
                Msg(
                    "{label} contains a control character (U+{code}); remove it.",
                    label=as_msg(label),
                    code=format(ord(ch), "04X"),
                ),
                field=field,
                code=BAD_TEXT,
            )
    visible = visible_length(text)
    if required and visible == 0:
        raise Unprocessable(Msg("{label} needs visible text.", label=as_msg(label)), field=field, code=BLANK)
    if visible and visible < min_length:
        raise Unprocessable(
            Msg("{label} needs at least {count} visible characters.", label=as_msg(label), count=min_length),
            field=field,
            code=BLANK,
        )
    return text
