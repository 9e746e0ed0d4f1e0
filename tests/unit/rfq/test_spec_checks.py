from __future__ import annotations

from decimal import Decimal

import pytest

from exchange.errors import Unprocessable
from exchange.lots.models import Lot
from exchange.rfq import schemas
from exchange.rfq.services._specs import check_category, check_constraints, spec_checks


def fabric(**specs: object) -> Lot:
    return Lot(category="textiles/fabric", specs=specs, quantity_value=Decimal("10"), quantity_unit="m")


def constraint(key: str, op: str, value: object, unit: str | None = None) -> dict[str, object]:
    return {"key": key, "op": op, "value": value, "unit": unit}


def test_numbers_compare_in_the_schemas_unit_whatever_unit_the_buyer_wrote() -> None:
    lot = fabric(width=150.0)  # stored in cm, the schema's unit
    checks = spec_checks([constraint("width", "gte", 1.4, "m"), constraint("width", "lte", 1400, "mm")], lot)
    assert [(c.offered, c.meets) for c in checks] == [("150 cm", True), ("150 cm", False)]
    assert checks[0].wanted == "≥ 1.4 m"


def test_a_constraint_without_a_unit_is_in_the_schemas_unit() -> None:
    assert spec_checks([constraint("width", "gte", 140)], fabric(width=150.0))[0].wanted == "≥ 140 cm"
    assert spec_checks([constraint("width", "gte", 160)], fabric(width=150.0))[0].meets is False


def test_choices_match_regardless_of_case_and_missing_values_cannot_be_told() -> None:
    checks = spec_checks(
        [constraint("fibre", "eq", "Cotton"), constraint("colour", "eq", "navy")], fabric(fibre="cotton")
    )
    assert [c.meets for c in checks] == [True, None]


def test_categories_and_constraints_are_checked_against_the_catalogue() -> None:
    assert check_category(" Textiles/Fabric ") == "textiles/fabric"
    with pytest.raises(Unprocessable, match="not a category"):
        check_category("widgets")
    stored = check_constraints("textiles", [schemas.SpecConstraint(key="width", op="gte", value=140.0, unit="cm")])
    assert stored == [{"key": "width", "op": "gte", "value": 140.0, "unit": "cm"}]
    with pytest.raises(Unprocessable) as refused:
        check_constraints("textiles/fabric", [schemas.SpecConstraint(key="width", op="gte", value=1.0, unit="kg")])
    assert refused.value.field == "specs[0].unit"
