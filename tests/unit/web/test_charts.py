"""Server-side SVG charts: well-formed, escaped, scaled, with a title for screen readers."""

from __future__ import annotations

from xml.etree import ElementTree

from web.charts import Bar, bar_chart

NS = "{http://www.w3.org/2000/svg}"


def test_a_bar_chart_is_svg_with_one_bar_per_item_scaled_to_the_largest() -> None:
    svg = bar_chart([Bar("Fabric", 50, "50 %"), Bar("Yarn <B>", 100, "100 %")], title="Sell-through")
    root = ElementTree.fromstring(str(svg))
    assert root.find(f"{NS}title").text == "Sell-through"  # type: ignore[union-attr]
    widths = [float(rect.get("width", "0")) for rect in root.iter(f"{NS}rect")]
    assert widths[1] == 2 * widths[0]
    assert "Yarn &lt;B&gt;" in str(svg)


def test_a_reference_line_and_an_empty_chart() -> None:
    svg = bar_chart([Bar("A", 80, "80 %")], title="Price", reference=100)
    assert ElementTree.fromstring(str(svg)).find(f"{NS}line") is not None
    assert "No data yet" in bar_chart([], title="Nothing")
