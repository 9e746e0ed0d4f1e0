from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from exchange.alerts import rules

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def test_slow_sale_is_due_a_share_of_the_way_through_the_window() -> None:
    assert rules.slow_sale_due(NOW, NOW + timedelta(days=14)) == NOW + timedelta(days=7)
    assert rules.slow_sale_due(NOW, NOW + timedelta(days=10), 0.3) == NOW + timedelta(days=3)


def test_grade_bands_are_data_per_category_with_a_default() -> None:
    assert (
        rules.band_for("textiles/fabric", "A").low_percent,
        rules.band_for("textiles/fabric", "A").high_percent,
    ) == (
        15,
        20,
    )
    assert rules.band_for("gifts/household", "C").high_percent == 10
    metals = rules.band_for("metals/sheet", "B")
    assert (metals.source, metals.low_percent) == ("metals", 40)


def _position(price: int, comparables: list[Decimal] | None = None) -> rules.PricePosition:
    return rules.price_position(
        price_minor=price,
        quantity=Decimal(100),
        reference_minor=1000,
        category="textiles/fabric",
        grade="B",
        comparable_percents=comparables or [],
    )


def test_a_price_outside_the_band_is_a_warning() -> None:
    inside = _position(12_000)  # 120 per unit of a 1000 reference: 12 %, in B's 10-15 %
    assert (inside.position, inside.percent_of_reference, inside.warnings) == ("within", Decimal("12.0"), [])
    above = _position(30_000)
    assert above.position == "above"
    assert "above the grade B band" in above.warnings[0]
    below = _position(5_000)
    assert below.position == "below"
    assert below.warnings
    unknown = rules.price_position(
        price_minor=None, quantity=Decimal(1), reference_minor=None, category="x", grade="A", comparable_percents=[]
    )
    assert unknown.position == "unknown"


def test_comparable_sales_far_below_the_price_warn_too() -> None:
    position = _position(14_000, [Decimal(10), Decimal(11), Decimal(9)])
    assert position.position == "within"
    assert position.comparable_median_percent == Decimal("10.0")
    assert "median 10.0 %" in position.warnings[0]


def test_the_suggested_cut_comes_from_comparables_then_the_band_then_ten_percent() -> None:
    by_sales = rules.suggest_price_cut(
        price_minor=30_000,
        quantity=Decimal(100),
        reference_minor=1000,
        category="textiles/fabric",
        grade="B",
        comparable_percents=[Decimal(10), Decimal(12)],
    )
    assert by_sales is not None
    assert by_sales.price_minor == 11_000
    assert "median of 2 comparable" in by_sales.basis
    by_band = rules.suggest_price_cut(
        price_minor=30_000,
        quantity=Decimal(100),
        reference_minor=1000,
        category="textiles/fabric",
        grade="B",
        comparable_percents=[],
    )
    assert by_band is not None
    assert by_band.price_minor == 12_500
    assert "band" in by_band.basis
    blind = rules.suggest_price_cut(
        price_minor=30_000,
        quantity=Decimal(100),
        reference_minor=None,
        category="x",
        grade="A",
        comparable_percents=[],
    )
    assert blind is not None
    assert blind.price_minor == 27_000
    cheap = rules.suggest_price_cut(
        price_minor=5_000,
        quantity=Decimal(100),
        reference_minor=1000,
        category="textiles/fabric",
        grade="B",
        comparable_percents=[],
    )
    assert cheap is None


def test_lots_like_the_ones_you_buy() -> None:
    history = [
        rules.ProfileLot("textiles/fabric", "B", Decimal(8), "Jiangsu", {"width": 1.5}, "bought"),
        rules.ProfileLot("textiles/fabric", "A", Decimal(10), "Jiangsu", {"width": 1.6}, "bid"),
    ]
    profile = rules.profile_of(history)
    assert profile is not None
    assert profile.unit_price == (Decimal(8), Decimal(10))
    like = rules.ProfileLot("textiles/fabric", "B", Decimal(9), "Jiangsu", {"width": 1.55}, "live")
    reason = rules.suggestion_reason(profile, like, "Fabric")
    assert reason is not None
    assert "2 Fabric lots" in reason
    assert "Jiangsu" in reason
    dearer = rules.ProfileLot("textiles/fabric", "B", Decimal(13), "Jiangsu", {}, "live")
    assert rules.suggestion_reason(profile, dearer, "Fabric") is None
    wider = rules.ProfileLot("textiles/fabric", "B", Decimal(9), "", {"width": 3.0}, "live")
    assert rules.suggestion_reason(profile, wider, "Fabric") is None
    other = rules.ProfileLot("metals/sheet", "B", Decimal(9), "", {}, "live")
    assert rules.suggestion_reason(profile, other, "Sheet") is None
    assert rules.profile_of([]) is None
