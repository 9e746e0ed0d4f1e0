"""Properties of the matching rules over random lots and requests (Hypothesis), checked against a plain
restatement of each hard constraint."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from exchange.matching import rules
from exchange.matching.rules import Bound, Candidate, Need

TODAY = date(2026, 12, 1)
CATEGORIES = ("textiles/fabric", "textiles/yarn", "electronics/power-bank")
COLOURS = ("navy", "red", "white")

bounds = st.one_of(
    st.builds(lambda op, v: Bound("width", op, v, "cm", 100.0), st.sampled_from(["gte", "lte"]), st.floats(0.5, 2.5)),
    st.builds(lambda v: Bound("colour", "eq", v), st.sampled_from(COLOURS)),
    st.builds(
        lambda op, v: Bound("weight", op, v, "g/m²", 1000.0), st.sampled_from(["gte", "lte"]), st.floats(0.1, 0.3)
    ),
)

needs = st.builds(
    lambda qty, lo, hi, total, cats, certs, groups, shelf, grades, days: Need(
        quantity=Decimal(qty),
        unit="m",
        budget_min_minor=lo if lo is not None and lo <= hi else None,
        budget_max_minor=hi,
        budget_total_minor=total,
        currency="CNY",
        deliver_by=TODAY + timedelta(days=days),
        categories=frozenset(cats),
        certificates=tuple(certs),
        groups=tuple(tuple(g) for g in groups),
        min_shelf_life_days=shelf,
        region="Jiangsu",
        grades=tuple(grades),
    ),
    st.integers(1, 10_000),
    st.one_of(st.none(), st.integers(1, 2_000)),
    st.integers(1, 3_000),
    st.one_of(st.none(), st.integers(1, 10_000_000)),
    st.sets(st.sampled_from(CATEGORIES), min_size=1),
    st.lists(st.sampled_from(["3C", "CE"]), max_size=2, unique=True),
    st.lists(st.lists(bounds, min_size=1, max_size=3), max_size=3),
    st.one_of(st.none(), st.integers(0, 200)),
    st.lists(st.sampled_from(["A", "B", "C"]), max_size=3, unique=True),
    st.integers(0, 100),
)

candidates = st.builds(
    lambda i, seller, cat, grade, qty, price, cur, status, visible, width, weight, colour, certs, bb, region, sales: (
        Candidate(
            lot_id=i,
            seller_org_id=seller,
            category=cat,
            grade=grade,
            quantity=None if qty is None else Decimal(qty),
            price_minor=price,
            currency=cur,
            status=status,
            visible=visible,
            specs={k: v for k, v in (("width", width), ("weight", weight), ("colour", colour)) if v is not None},
            certifications=tuple(certs),
            best_before=None if bb is None else TODAY + timedelta(days=bb),
            region=region,
            seller_sales=sales,
        )
    ),
    st.integers(1, 10**6),
    st.integers(1, 20),
    st.sampled_from(CATEGORIES),
    st.sampled_from(["A", "B", "C"]),
    st.one_of(st.none(), st.integers(1, 20_000)),
    st.one_of(st.none(), st.integers(1, 50_000_000)),
    st.sampled_from(["CNY", "CNY", "USD"]),
    st.sampled_from(["live", "live", "sold"]),
    st.booleans(),
    st.one_of(st.none(), st.floats(0.5, 2.5)),
    st.one_of(st.none(), st.floats(0.1, 0.3)),
    st.one_of(st.none(), st.sampled_from(COLOURS)),
    st.lists(st.sampled_from(["3c", "CE", "RoHS"]), max_size=3, unique=True),
    st.one_of(st.none(), st.integers(0, 400)),
    st.sampled_from(["Jiangsu", "Zhejiang", ""]),
    st.integers(0, 30),
)


def _bound_holds(bound: Bound, value: object) -> bool:
    if value is None:
        return False
    if isinstance(bound.value, str):
        return str(value).casefold() == bound.value.casefold()
    assert isinstance(value, float)
    assert isinstance(bound.value, float)
    slack = 1e-9 * abs(bound.value)
    return value >= bound.value - slack if bound.op == "gte" else value <= bound.value + slack


def _violations(need: Need, c: Candidate) -> set[str]:
    """Each hard constraint restated plainly: the ones this lot breaks."""
    broken = set()
    if c.status != "live":
        broken.add("status")
    if c.category not in need.categories:
        broken.add("category")
    if need.grades and c.grade not in need.grades:
        broken.add("grade")
    held = {x.casefold() for x in c.certifications}
    if any(x.casefold() not in held for x in need.certificates):
        broken.add("certificates")
    if need.groups and not any(all(_bound_holds(b, c.specs.get(b.key)) for b in g) for g in need.groups):
        broken.add("specs")
    shelf = need.min_shelf_life_days
    if shelf is not None and c.best_before is not None and (c.best_before - need.deliver_by).days < shelf:
        broken.add("shelf life")
    if c.quantity is None or c.quantity < need.quantity:
        broken.add("quantity")
    if c.currency != need.currency:
        broken.add("price")
    elif c.price_minor is not None and c.quantity:
        per_unit = Decimal(c.price_minor) / c.quantity
        if per_unit > need.budget_max_minor:
            broken.add("price")
        if need.budget_min_minor is not None and per_unit < need.budget_min_minor:
            broken.add("price")
        if need.budget_total_minor is not None and c.price_minor > need.budget_total_minor:
            broken.add("price")
    return broken


@settings(max_examples=400, deadline=None)
@given(need=needs, candidate=candidates)
def test_no_match_breaks_a_hard_constraint_and_each_near_miss_breaks_exactly_one(
    need: Need, candidate: Candidate
) -> None:
    evaluation = rules.evaluate(need, candidate)
    broken = _violations(need, candidate)
    assert {c.constraint for c in evaluation.failed} == broken
    if evaluation.is_match:
        assert candidate.visible
        assert not broken
    if evaluation.is_near_miss:
        assert candidate.visible
        assert len(broken) == 1
        assert evaluation.failed[0].margin
    if not candidate.visible:
        assert not evaluation.is_match
        assert not evaluation.is_near_miss
        assert not rules.bundle_part(evaluation)
    quick = rules.evaluate(need, candidate, give_up_after=2)  # what ranking uses
    assert quick.is_match == evaluation.is_match
    assert quick.is_near_miss == evaluation.is_near_miss
    assert rules.bundle_part(quick) == rules.bundle_part(evaluation)
    if rules.bundle_part(evaluation):
        assert broken <= {"quantity"}
        assert candidate.price_minor is not None


@settings(max_examples=300, deadline=None)
@given(need=needs, candidate=candidates)
def test_the_explanation_adds_up_to_the_score(need: Need, candidate: Candidate) -> None:
    score = rules.score(need, candidate)
    assert sum(points for _name, points, _why in score.factors) == score.total
    assert all(why() for _name, _points, why in score.factors)
    assert 0 <= score.total <= 10_000
    assert all(points >= 0 for _name, points, _why in score.factors)


def test_near_miss_says_by_how_much() -> None:
    need = Need(quantity=Decimal(1000), unit="pcs", budget_max_minor=5000, currency="CNY", deliver_by=TODAY,
                categories=frozenset({"electronics/power-bank"}))  # fmt: skip
    dear = Candidate(1, 1, "electronics/power-bank", "A", Decimal(1000), 5_600_000)
    assert [(c.constraint, c.margin) for c in rules.evaluate(need, dear).failed] == [
        ("price", "56.00 CNY per pcs, 12 % over budget")
    ]
    food = Need(quantity=Decimal(10), unit="pcs", budget_max_minor=5000, currency="CNY", deliver_by=TODAY,
                categories=frozenset({"food/packaged"}), min_shelf_life_days=60)  # fmt: skip
    old = Candidate(2, 1, "food/packaged", "A", Decimal(10), 100, best_before=TODAY + timedelta(days=40))
    assert [c.margin for c in rules.evaluate(food, old).failed] == ["shelf life 20 days short at delivery"]


def test_commission_is_the_margin_plus_the_percent_of_cost() -> None:
    assert rules.line_money(4_000_000, 4_500_000, Decimal(2)) == (500_000, 580_000)
    assert rules.line_money(None, 100_000, Decimal(2)) == (0, 2_000)
