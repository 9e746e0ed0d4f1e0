"""Finding every translatable string in the code and templates (Babel), and merging them into the .po files.

Used by `scripts/i18n extract|update` and by the test that fails when a string lacks its translation.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po, write_po

from exchange.i18n.catalog import DOMAIN, LOCALE_DIR

__all__ = ["ROOT", "extract_catalog", "po_path", "update_catalogs"]

ROOT = Path(__file__).resolve().parents[2]
METHODS = [
    ("exchange/**.py", "python"),
    ("web/**.py", "python"),
    ("web/templates/**.html", "jinja2"),
]
"""What babel.cfg says, in code: Python under exchange/ and web/, and the Jinja templates."""
OPTIONS = {"web/templates/**.html": {"trimmed": "true", "extensions": "jinja2.ext.i18n"}}
KEYWORDS = {**DEFAULT_KEYWORDS, "Msg": None, "N_": None}
"""`_`, `gettext`, `ngettext`... plus `Msg("...")` (stored messages) and `N_("...")` (marked, translated later)."""


def extract_catalog() -> Catalog:
    """Every msgid in the code and templates, with where it appears."""
    catalog = Catalog(domain=DOMAIN, project="Surplus Exchange", charset="utf-8")
    for filename, lineno, message, comments, context in extract_from_dir(
        str(ROOT), METHODS, OPTIONS, KEYWORDS, strip_comment_tags=True
    ):
        if not message or (isinstance(message, tuple) and not message[0]):
            continue
        if any(part.startswith(("exchange/i18n/locale",)) for part in (filename,)):
            continue
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def po_path(locale: str) -> Path:
    return LOCALE_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


def update_catalogs(template: Catalog) -> dict[str, int]:
    """Merge the extracted msgids into every locale's .po (new ones empty, gone ones dropped); how many lack
    a translation per locale."""
    missing: dict[str, int] = {}
    for path in sorted(LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        locale = path.parent.parent.name
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=locale)
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        with path.open("wb") as handle:
            write_po(handle, catalog, width=120, sort_output=False, include_previous=False)
        missing[locale] = sum(1 for m in catalog if m.id and not m.string)
    return missing
