"""Form errors in plain words: what msgspec and the services say to API clients, as a person reads it."""

from __future__ import annotations

import pytest

from exchange.errors import DomainError, Unprocessable
from exchange.lots import schemas
from exchange.money import parse_money
from web.form_errors import FormRefused, convert_form, field_errors, is_for_developers, plain_words


def _words(error: DomainError) -> str:
    return str(plain_words(error))


def test_a_form_with_several_wrong_fields_names_each_of_them_at_once_in_plain_words() -> None:
    body = {"title": "ab", "category": "textiles/fabric", "quantity": {"value": "x", "unit": ""}, "grade": "Z",
            "sale": {"mode": "fixed_price", "deposit_percent": "500"}, "location": {"country": "CNN"}}  # fmt: skip
    with pytest.raises(FormRefused) as refused:
        convert_form(body, schemas.LotCreate)
    words = {field: str(message) for field, message in refused.value.errors.items()}
    assert words == {
        "title": "Enter at least 3 characters.",
        "quantity.value": "Enter a number.",
        "quantity.unit": "Fill in this field.",
        "grade": "Choose one of the options.",
        "sale.deposit_percent": "Enter 100 or less.",
        "location.country": "This is not in the form we expect.",
    }
    assert field_errors(refused.value, {"sale.deposit_percent": "deposit_percent"})["deposit_percent"]


def test_a_message_that_names_its_field_by_its_path_names_none_under_the_field() -> None:
    with pytest.raises(Unprocessable) as refused:
        parse_money("-3", field="sale.price")
    assert _words(refused.value) == "This value must be more than zero."
    assert "sale.price" in str(refused.value.detail)  # the API's words are unchanged


@pytest.mark.parametrize(
    ("detail", "field", "shown"),
    [
        ("There is no category 'x'; see GET /api/categories.", "category", "There is no category 'x'."),
        ("title: Expected `str` of length >= 3", "title", "Enter at least 3 characters."),
        ("Pay it (POST /api/orders/3/pay) `now`", None, "Invalid input"),
        ("Choose a later closing time.", "sale.closes_at", "Choose a later closing time."),
    ],
)
def test_routes_type_names_and_paths_never_reach_a_page(detail: str, field: str | None, shown: str) -> None:
    words = _words(Unprocessable(detail, field=field))
    assert words == shown
    assert not is_for_developers(words)


def test_every_problem_a_service_found_together_is_shown() -> None:
    first = Unprocessable("The title needs visible text.", field="title")
    first.also = [Unprocessable("Choose a grade.", field="grade")]
    assert set(field_errors(first)) == {"title", "grade"}
