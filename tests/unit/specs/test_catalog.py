from __future__ import annotations

from datetime import date, timedelta

import pytest

from exchange.errors import Unprocessable
from exchange.i18n.locales import using
from exchange.specs.catalog import CatalogError, get_catalog, load_catalog
from exchange.specs.compliance import LotFacts, check_refusals, review_reasons
from exchange.specs.validation import clean_specs, missing_required

TODAY = date(2026, 11, 22)


def _facts(**changes: object) -> LotFacts:
    values: dict[str, object] = {
        "specs": {},
        "certifications": [],
        "document_kinds": set(),
        "best_before": None,
        "today": TODAY,
        **changes,
    }
    return LotFacts(**values)  # type: ignore[arg-type]


def test_the_shipped_catalogue_has_real_leaf_categories_across_every_trade() -> None:
    catalog = get_catalog()
    leaves = {c.code for c in catalog.leaves()}
    assert len(leaves) >= 12
    for family in (
        "textiles",
        "metals",
        "plastics",
        "electronics",
        "packaging",
        "chemicals",
        "gifts",
        "apparel",
        "footwear",
        "food",
    ):
        assert any(code.startswith(family + "/") for code in leaves), family
    for leaf in catalog.leaves():
        assert any(f.required for f in leaf.fields), leaf.code


def test_a_category_and_its_descendants_are_found_by_the_parent_code() -> None:
    assert set(get_catalog().with_descendants("electronics")) == {
        "electronics",
        "electronics/power-bank",
        "electronics/components",
    }


def test_spec_values_are_normalised_to_the_schema() -> None:
    fabric = get_catalog().categories["textiles/fabric"]
    cleaned = clean_specs(fabric, {"fibre": "Cotton", "width": "1.5 m", "weight": "180gsm", "colour": "  navy   blue "})
    assert cleaned == {"fibre": "cotton", "width": 150.0, "weight": 180.0, "colour": "navy blue"}
    assert [f.key for f in missing_required(fabric, {"fibre": "cotton"})] == ["width", "weight", "colour"]


@pytest.mark.parametrize(
    ("specs", "field"),
    [({"shine": "yes"}, "specs.shine"), ({"fibre": "kevlar"}, "specs.fibre"), ({"width": "-2 m"}, "specs.width")],
)
def test_values_outside_the_schema_are_refused(specs: dict[str, object], field: str) -> None:
    with pytest.raises(Unprocessable) as caught:
        clean_specs(get_catalog().categories["textiles/fabric"], specs)
    assert caught.value.field == field


def test_a_power_bank_needs_3c_declared_and_its_certificate_attached() -> None:
    power_bank = get_catalog().categories["electronics/power-bank"]
    assert "3C certificate missing" in review_reasons(power_bank, _facts())[0]
    assert "no certificate document" in review_reasons(power_bank, _facts(certifications=["3c"]))[0]
    assert review_reasons(power_bank, _facts(certifications=["3C"], document_kinds={"certificate"})) == []


def test_branded_goods_need_the_brand_owners_authorisation() -> None:
    garments = get_catalog().categories["apparel/garments"]
    assert review_reasons(garments, _facts(specs={"brand": "Northpeak"}))
    assert review_reasons(garments, _facts(specs={"brand": "Northpeak"}, document_kinds={"brand_authorisation"})) == []
    assert review_reasons(garments, _facts(specs={"brand": "Unbranded"})) == []


def test_food_needs_thirty_days_left_before_best_before() -> None:
    food = get_catalog().categories["food/packaged"]
    check_refusals(food, _facts(best_before=TODAY + timedelta(days=30)))
    for best_before in (None, TODAY + timedelta(days=29)):
        with pytest.raises(Unprocessable) as caught:
            check_refusals(food, _facts(best_before=best_before))
        assert caught.value.field == "best_before"


def test_a_spec_choice_reads_in_chinese_on_a_chinese_page_and_stays_a_code_elsewhere() -> None:
    fibre = get_catalog().get("textiles/fabric").field("fibre")  # type: ignore[union-attr]
    assert fibre is not None
    with using("zh_CN"):
        assert fibre.local_choice("cotton") == "棉"
        assert fibre.local_choice("Spandex Blend") == "氨纶混纺"  # stored spellings match regardless of case
        assert fibre.local_choice("not a choice") == "not a choice"
    assert fibre.local_choice("cotton") == "cotton"


def test_every_translated_choice_list_has_one_chinese_word_per_choice_and_a_short_one_is_refused() -> None:
    for category in get_catalog().categories.values():
        for spec_field in category.fields:
            assert not spec_field.choices_zh or len(spec_field.choices_zh) == len(spec_field.choices)
    text = """version = 1
[[categories]]
code = "textiles"
name = "Textiles"
  [[categories.fields]]
  key = "fibre"
  label = "Fibre"
  type = "enum"
  choices = ["cotton", "linen"]
  choices_zh = ["棉"]
"""
    with pytest.raises(CatalogError, match="one Chinese word per choice"):
        load_catalog(text)
