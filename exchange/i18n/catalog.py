"""The message catalogues: `locale/<locale>/LC_MESSAGES/messages.po`, read once at start-up (no compile step)."""

from __future__ import annotations

from functools import cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from exchange.i18n.locales import DEFAULT_LOCALE, current_locale

__all__ = ["LOCALE_DIR", "N_", "gettext", "load", "ngettext", "translations"]

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "messages"


@cache
def translations(locale: str) -> NullTranslations:
    """The catalogue for `locale` (English is the source language: its strings are the msgids)."""
    path = LOCALE_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
    if locale == DEFAULT_LOCALE or not path.is_file():
        return NullTranslations()
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    # Compiled in memory (fuzzy entries left out, as msgfmt does): the .po in the repo is all there is.
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def load() -> None:
    """Read every catalogue now (at start-up), so a broken .po fails the start, not a page."""
    for path in LOCALE_DIR.glob("*/LC_MESSAGES/*.po"):
        translations(path.parent.parent.name)


def gettext(message: str) -> str:
    """`message` in the current locale (the English msgid when the catalogue lacks it)."""
    return translations(current_locale()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(current_locale()).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Marks a string for extraction, translated later where it is shown (navigation labels)."""
    return message
