"""Reading the terms of an offer from the API's input: money in the lot's currency, dates, validity."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from exchange.errors import Unprocessable
from exchange.i18n.catalog import N_
from exchange.money import parse_currency, parse_money
from exchange.rfq import rules

__all__ = ["OfferTerms", "TermsInput", "read_terms", "read_terms_of"]


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


def read_terms(
    *,
    price: str | int,
    currency: str | None,
    lot_currency: str,
    valid_until: datetime | None,
    delivery_by: date | None,
    payment_terms: str | None,
    packaging: str,
    message: str,
    now: datetime,
) -> OfferTerms:
    """Validated terms, or a 422 naming the field; prices are for the whole lot in the lot's currency."""
    if currency is not None and parse_currency(currency) != lot_currency:
        raise Unprocessable(f"Quote in the lot's currency, {lot_currency}.", field="currency")
    if valid_until is not None and valid_until.tzinfo is None:
        raise Unprocessable(
            N_("valid_until needs a time zone offset, like 2026-12-01T12:00:00+08:00."), field="valid_until"
        )
    try:
        until = rules.validity_window(valid_until, now)
    except ValueError as error:
        raise Unprocessable(str(error), field="valid_until") from None
    try:
        rules.check_delivery_date(delivery_by, now.date())
    except ValueError as error:
        raise Unprocessable(str(error), field="delivery_by") from None
    if payment_terms is not None and payment_terms not in rules.PAYMENT_TERMS:
        raise Unprocessable(f"payment_terms must be one of {', '.join(rules.PAYMENT_TERMS)}.", field="payment_terms")
    return OfferTerms(
        price_minor=parse_money(price, lot_currency, field="price"),
        currency=lot_currency,
        valid_until=until,
        delivery_by=delivery_by,
        payment_terms=payment_terms,
        packaging=packaging.strip(),
        message=message.strip(),
    )


def read_terms_of(data: TermsInput, lot_currency: str, now: datetime) -> OfferTerms:
    """`read_terms` over an input Struct that carries the offer fields."""
    return read_terms(
        price=data.price,
        currency=data.currency,
        lot_currency=lot_currency,
        valid_until=data.valid_until,
        delivery_by=data.delivery_by,
        payment_terms=data.payment_terms,
        packaging=data.packaging,
        message=data.message,
        now=now,
    )
