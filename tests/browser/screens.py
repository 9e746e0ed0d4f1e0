"""The screens every main journey is walked on: English and Chinese, at 1440 px and at 390 px.

A journey test takes the `screen` fixture (parametrised over the four) and opens its pages with
`screen.open()`: a browser context of its own in that language and width. `fits(page)` fails when the
page scrolls sideways."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from playwright.sync_api import Page

__all__ = ["SCREENS", "Screen", "fits", "overflow_x"]


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
                .slice(0, 5).map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : ''))"""
        )
        raise AssertionError(f"{page.url} scrolls sideways by {extra} px at this width: {offenders}")
