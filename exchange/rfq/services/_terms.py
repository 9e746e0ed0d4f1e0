"""Reading the terms of an offer from the API's input: money in the lot's currency, dates, validity."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from typing import Any, Protocol

from exchange.errors import Problems, Unprocessable
from exchange.i18n.catalog import N_
from exchange.i18n.messages import Msg
from exchange.money import parse_currency, parse_money
from exchange.rfq import rules

__all__ = ["OfferTerms", "TermsInput", "given_terms", "read_terms_of", "terms_problems"]


class TermsInput(Protocol):
    """What every offer-making input carries (an RFQ's opening offer, a counter, a wanted-request answer)."""

    @property
    def price(self) -> str | int: ...
    @property
    def currency(self) -> str | None: ...
    @property
    def valid_until(self) -> datetime | None: ...
    @property
    def delivery_by(self) -> date | None: ...
    @property
    def payment_terms(self) -> str | None: ...
    @property
    def packaging(self) -> str: ...
    @property
    def message(self) -> str: ...


@dataclass(frozen=True)
class OfferTerms:
    price_minor: int
    currency: str
    valid_until: datetime
    delivery_by: date | None
    payment_terms: str | None
    packaging: str
    message: str


def _same_currency(currency: str, lot_currency: str) -> None:
    if parse_currency(currency) != lot_currency:
        raise Unprocessable(Msg("Quote in the lot's currency, {currency}.", currency=lot_currency), field="currency")


def _validity(valid_until: datetime | None, now: datetime) -> datetime:
    if valid_until is not None and valid_until.tzinfo is None:
        raise Unprocessable(
            N_("valid_until needs a time zone offset, like 2026-12-01T12:00:00+08:00."), field="valid_until"
        )
    try:
        return rules.validity_window(valid_until, now)
    except ValueError as error:
        raise Unprocessable(error.args[0], field="valid_until") from None


def _delivery(delivery_by: date | None, today: date) -> None:
    try:
        rules.check_delivery_date(delivery_by, today)
    except ValueError as error:
        raise Unprocessable(error.args[0], field="delivery_by") from None


def _payment_terms(payment_terms: str) -> None:
    if payment_terms not in rules.PAYMENT_TERMS:
        raise Unprocessable(
            Msg("Choose the payment terms from: {choices}.", choices=", ".join(rules.PAYMENT_TERMS)),
            field="payment_terms",
        )


def terms_problems(given: Mapping[str, Any], lot_currency: str, now: datetime, found: Problems) -> dict[str, Any]:
    """An offer's terms checked, every problem into `found` in the order the API answers them; a field missing
    from `given` (a page form could not read it) is not checked. The checked price and validity."""
    checked: dict[str, Any] = {}
    if given.get("currency") is not None:
        found.check(partial(_same_currency, given["currency"], lot_currency))
    if "valid_until" in given or "price" in given:
        checked["valid_until"] = found.check(partial(_validity, given.get("valid_until"), now))
    found.check(partial(_delivery, given.get("delivery_by"), now.date()))
    if given.get("payment_terms") is not None:
        found.check(partial(_payment_terms, given["payment_terms"]))
    if "price" in given:
        checked["price_minor"] = found.check(partial(parse_money, given["price"], lot_currency, field="price"))
    return checked


def read_terms_of(data: TermsInput, lot_currency: str, now: datetime) -> OfferTerms:
    """Validated terms of an input Struct that carries the offer fields, or a 422 naming the first wrong field
    (the others in its `also`); prices are for the whole lot in the lot's currency."""
    checked = terms_problems(given_terms(data), lot_currency, now, found := Problems())
    found.raise_first()
    return OfferTerms(
        price_minor=checked["price_minor"],
        currency=lot_currency,
        valid_until=checked["valid_until"],
        delivery_by=data.delivery_by,
        payment_terms=data.payment_terms,
        packaging=data.packaging.strip(),
        message=data.message.strip(),
    )


_TERMS = ("price", "currency", "valid_until", "delivery_by", "payment_terms")


def given_terms(data: TermsInput) -> dict[str, Any]:
    """The fields of an input Struct that `terms_problems` checks, by name."""
    return {name: getattr(data, name) for name in _TERMS}
