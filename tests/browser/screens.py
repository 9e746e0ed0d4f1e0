"""The screens every main journey is walked on: English and Chinese, at 1440 px and at 390 px.

A journey test takes the `screen` fixture (parametrised over the four) and opens its pages with
`screen.open()`: a browser context of its own in that language and width. `fits(page)` fails when the
page scrolls sideways; `axe_violations(page)` lists what the axe-core accessibility scan finds serious or
critical (axe-core comes from the npm registry into .cache/axe: `ensure_axe` in scripts/_env.sh)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from playwright.sync_api import Page

__all__ = ["AXE", "SCREENS", "Screen", "axe_violations", "fits", "overflow_x", "untranslated"]


@dataclass(frozen=True)
class Screen:
    language: str  # "en" or "zh"
    width: int
    open: Callable[[], Page]

    @property
    def chinese(self) -> bool:
        return self.language == "zh"

    def says(self, english: str, chinese: str) -> str:
        """The words this screen's language shows (for assertions on visible text)."""
        return chinese if self.chinese else english


SCREENS = [("en", 1440), ("zh", 1440), ("en", 390), ("zh", 390)]
LOCALES = {"en": "en-GB", "zh": "zh-CN"}


def overflow_x(page: Page) -> int:
    """How many pixels the page is wider than its viewport (0: no horizontal scrolling)."""
    return int(page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth"))


def fits(page: Page) -> None:
    """The page at hand has no horizontal overflow; the message names the widest offenders."""
    extra = overflow_x(page)
    if extra > 0:
        offenders = page.evaluate(
            """() => [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
                .filter(e => !e.parentElement.closest('.table-wrap, .tabs'))  // these scroll inside their box
                .slice(0, 5).map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : ''))"""
        )
        raise AssertionError(f"{page.url} scrolls sideways by {extra} px at this width: {offenders}")


AXE = Path(__file__).resolve().parents[2] / ".cache/axe/node_modules/axe-core/axe.min.js"
_SCAN = """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations
    .filter(v => v.impact === "serious" || v.impact === "critical")
    .map(v => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", ")}`)"""


@cache
def _axe_source() -> str:
    if not AXE.is_file():
        raise AssertionError(f"axe-core is missing at {AXE}: run `source scripts/_env.sh && ensure_axe`")
    return AXE.read_text(encoding="utf-8")


def axe_violations(page: Page) -> list[str]:
    """The serious and critical accessibility problems axe-core finds on the page at hand, one line each.

    The script is evaluated through the DevTools protocol rather than added as a <script> tag: the pages'
    Content-Security-Policy (scripts from /static only) rightly refuses inline scripts."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_source() + "\n;undefined")
    return list(page.evaluate(_SCAN))


# Words of four or more Latin letters that a Chinese page may show: codes and names that are not translated.
_KEPT_IN_LATIN = {"API", "CNY", "USCC", "PDF", "CSV", "JPEG", "RoHS", "HTMX", "JSON", "SHA256", "English"}
_ENGLISH = """(kept) => {
    const chrome = '.skip-link, header nav a, header button, footer label, footer button, footer a, main :is('
        + 'h1, h2, h3, legend, label, th, .spec-table td, button, summary, .btn, .badge, .kpi-label, .hint, '
        + '.empty-state p)';
    const found = [];
    for (const element of document.querySelectorAll(chrome)) {
        if (element.closest('[data-user-text], .user-text') || !element.checkVisibility()) continue;
        let text = element.innerText || '';  // less what users typed inside it (a place in our sentence)
        for (const typed of element.querySelectorAll('[data-user-text], .user-text')) {
            if (typed.innerText) text = text.split(typed.innerText).join(' ');
        }
        const words = text.match(/[A-Za-z]{4,}/g) || [];
        const english = words.filter(w => !kept.includes(w));
        if (english.length) found.push(element.tagName.toLowerCase() + ': ' + text.trim().slice(0, 60));
    }
    return [...new Set(found)].slice(0, 8);
}"""


def untranslated(page: Page) -> list[str]:
    """On a Chinese page: the page's own words (navigation, headings, labels, buttons, hints) still in English.
    What people typed (names, titles) is left out when marked `.user-text`; tests give their data Chinese names."""
    return list(page.evaluate(_ENGLISH, sorted(_KEPT_IN_LATIN)))
