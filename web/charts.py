"""Charts as SVG drawn on the server: readable without JavaScript, printable, no chart library.

A chart is horizontal bars, one row per item: the label on its own line above the bar (so long category
names fit a 390 px phone), the bar, and its value at the bar's end. Each chart carries a <title> and
<desc> for screen readers; pages put the same figures in a table beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from exchange.i18n.catalog import gettext

__all__ = ["Bar", "bar_chart"]

WIDTH = 340
ROW = 44
LABEL_Y = 15
BAR_Y = 21
BAR_HEIGHT = 14
VALUE_SPACE = 84
COLOURS = ("#14808f", "#0e5a6b")


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    value: float
    text: str
    """The value as shown at the bar's end ("82 %", "3 lots")."""


def bar_chart(
    bars: Sequence[Bar], *, title: str, max_value: float | None = None, reference: float | None = None
) -> Markup:
    """Horizontal bars scaled to `max_value` (default: the largest value); `reference` draws a dashed line
    at that value (100 % of the reference price, say)."""
    if not bars:
        return Markup('<p class="muted small">{}</p>').format(gettext("No data yet."))
    top = max(max_value or 0.0, max(b.value for b in bars), reference or 0.0) or 1.0
    span = WIDTH - VALUE_SPACE
    height = ROW * len(bars) + 4
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {WIDTH} {height}" width="100%" '
        f'preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
        "<desc>" + escape("; ".join(f"{b.label}: {b.text}" for b in bars)) + "</desc>",
    ]
    for index, bar in enumerate(bars):
        y = index * ROW
        length = 0.0 if bar.value <= 0 else max(1.0, span * min(bar.value, top) / top)
        parts.append(f'<text x="0" y="{y + LABEL_Y}" font-size="14" fill="#1b2530">{escape(bar.label)}</text>')
        parts.append(
            f'<rect x="0" y="{y + BAR_Y}" width="{length:.1f}" height="{BAR_HEIGHT}" rx="2" '
            f'fill="{COLOURS[index % 2]}"></rect>'
        )
        parts.append(
            f'<text x="{length + 4:.1f}" y="{y + BAR_Y + BAR_HEIGHT - 2}" font-size="13" fill="#5b6b7a">'
            f"{escape(bar.text)}</text>"
        )
    if reference is not None:
        x = span * reference / top
        parts.append(
            f'<line x1="{x:.1f}" y1="0" x2="{x:.1f}" y2="{height}" stroke="#b3261e" stroke-width="1" '
            'stroke-dasharray="4 3"></line>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every text and label above is escaped)
