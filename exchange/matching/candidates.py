"""Candidate lots for a request, fetched fast: SQL narrows to live lots of the accepted categories and
grades that the CLIENT may see (`exchange.lots.visibility`, the one rule), reading only the columns the
rules need; the rules then run in Python on plain `Candidate`s.

Ranking keeps only lots failing at most one hard constraint (matches, near misses, bundle parts), so SQL
also leaves out lots that surely fail two of the constraints it can read cheaply (`sure_failures`): a
conservative restatement of the rules in `rules.py`, which stay the reference (a property test checks that
the prefilter never drops a lot the rules would keep)."""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal
from typing import Any

import msgspec
from sqlalchemy import Integer, Text, case, cast, func, literal, or_, select, type_coerce
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.principal import Principal
from exchange.lots.models import Lot
from exchange.lots.visibility import visible_lots_clause
from exchange.matching.needs import base_factor, quantity_factor
from exchange.matching.rules import Candidate, Need
from exchange.orders.models import Order
from exchange.specs.catalog import get_catalog

__all__ = ["client_viewer", "collector_paused", "fetch_candidates", "seller_sales", "sure_failures"]

_COLUMNS = (
    Lot.id,
    Lot.seller_org_id,
    Lot.category,
    Lot.grade,
    type_coerce(Lot.specs, Text),  # the JSON text, decoded below with msgspec (several times faster)
    Lot.quantity_value,
    Lot.quantity_unit,
    Lot.sale_mode,
    Lot.price_minor,
    Lot.min_bid_minor,
    Lot.currency,
    type_coerce(Lot.certifications, Text),
    Lot.best_before,
    Lot.location_region,
    Lot.location_city,
    Lot.status,
)


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection during a short synchronous burst (no await inside): checking thousands
    of lots makes millions of short-lived objects, none in a cycle (reference counting frees them), and
    the collector's passes over them took about as long as the checks themselves."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def client_viewer(org_id: int) -> Principal:
    """The client org as a viewer: matching uses the client's visibility, never the broker's."""
    return Principal(
        user_id=0, email="", name="", is_admin=False, org_id=org_id, org_name=None, org_kind="buyer", org_verified=True
    )


def _spec_units(need: Need) -> dict[tuple[str, str], float]:
    """(category, key) → base units per stored unit, for the keys the request constrains."""
    keys = {bound.key for group in need.groups for bound in group}
    catalog = get_catalog()
    factors = {}
    for code in need.categories:
        category = catalog.get(code)
        for key in keys:
            spec_field = category.field(key) if category else None
            if spec_field is not None:
                factors[(code, key)] = base_factor(spec_field.unit) if spec_field.type == "number" else 0.0
    return factors


_decode = msgspec.json.Decoder(dict[str, Any] | None).decode
_decode_list = msgspec.json.Decoder(list[str] | None).decode


def _specs(category: str, text: Any, factors: dict[tuple[str, str], float]) -> dict[str, Any]:
    specs: dict[str, Any] = {}
    if not text or not any(code == category for code, _key in factors):
        return specs
    raw = _decode(text) if isinstance(text, str | bytes) else text  # PostgreSQL's driver decodes JSON itself
    for (code, key), factor in factors.items():
        if code != category or not raw or key not in raw:
            continue
        value = raw[key]
        if factor and isinstance(value, int | float) and not isinstance(value, bool):
            value = value * factor
        specs[key] = value
    return specs


_SLACK = Decimal("0.000001")
"""Relative slack of the SQL prefilter's number comparisons (floats on SQLite): it drops only sure failures."""


def sure_failures(need: Need, *, certificates: bool = True) -> Any:
    """How many of the price (currency included), quantity, shelf-life and certificate constraints a lot surely
    fails, as an SQL expression; each term is 1 only where the rule in `rules.py` fails for certain (a lot in
    another unit than the request's, whose conversion SQL does not know, is never counted on quantity or price).
    `certificates=False` leaves the certificates out: their JSON column is the one the index
    `ix_lots_match` does not hold, so a query reading only that index cannot count them."""
    terms: list[Any] = []
    qty = Lot.quantity_value
    same_unit = Lot.quantity_unit == need.unit if quantity_factor(need.unit, need.unit) == 1 else literal(False)
    known = case((Lot.sale_mode == "fixed_price", Lot.price_minor), else_=Lot.min_bid_minor)
    priced = same_unit & known.is_not(None) & (qty > 0)
    over = [known > qty * (Decimal(need.budget_max_minor) * (1 + _SLACK)) + 1]
    if need.budget_min_minor is not None:
        over.append(known < qty * (Decimal(need.budget_min_minor) * (1 - _SLACK)) - 1)
    if need.budget_total_minor is not None:
        over.append(known > need.budget_total_minor)
    terms.append((Lot.currency != need.currency) | (priced & or_(*over)))
    terms.append(same_unit & (qty < need.quantity * (1 - _SLACK) - _SLACK))
    if need.min_shelf_life_days is not None:
        terms.append(
            Lot.best_before.is_not(None)
            & (Lot.best_before < need.deliver_by + timedelta(days=need.min_shelf_life_days))
        )
    if need.certificates and certificates:
        terms.append(cast(Lot.certifications, Text).in_(("[]", "null")))  # holds none of them
    return sum((case((term, 1), else_=0) for term in terms), start=literal(0, Integer))


def _base_query(need: Need, client_org_id: int, *columns: Any) -> Any:
    query = select(*columns).where(
        Lot.status == "live",
        Lot.category.in_(sorted(need.categories)),
        Lot.seller_org_id != client_org_id,
        visible_lots_clause(client_viewer(client_org_id)),
    )
    if need.grades:
        query = query.where(Lot.grade.in_(need.grades))
    return query


async def fetch_candidates(session: AsyncSession, need: Need, client_org_id: int) -> tuple[list[Candidate], int]:
    """(the candidates that may fail at most one hard constraint, how many lots the client may consider)."""
    checked = await session.scalar(_base_query(need, client_org_id, func.count()))
    query = _base_query(need, client_org_id, *_COLUMNS).where(sure_failures(need) <= 1)
    factors = _spec_units(need)
    rows = (await session.execute(query)).all()
    with collector_paused():
        return [_candidate(row, need, factors) for row in rows], checked or 0


def _candidate(row: Any, need: Need, factors: dict[tuple[str, str], float]) -> Candidate:
    (lot_id, seller, category, grade, specs, qty, unit, mode, price, min_bid, currency, certs, best_before,
     region, city, status) = row  # fmt: skip
    factor = quantity_factor(unit, need.unit)
    return Candidate(
        lot_id=lot_id,
        seller_org_id=seller,
        category=category,
        grade=grade,
        quantity=Decimal(qty) * factor if factor is not None else None,
        price_minor=price if mode == "fixed_price" else min_bid,
        currency=currency,
        status=status,
        visible=True,
        specs=_specs(category, specs, factors),
        certifications=tuple((_decode_list(certs) if isinstance(certs, str | bytes) else certs) or ()),
        best_before=best_before,
        region=region or "",
        city=city or "",
        # read by the rules only when the quantity does not convert
        quantity_text=f"{Decimal(qty).normalize():f} {unit}" if factor is None else "",
    )


async def seller_sales(session: AsyncSession, seller_ids: Iterable[int]) -> dict[int, int]:
    """Orders each seller has had (their record on the exchange)."""
    ids = sorted(set(seller_ids))
    if not ids:
        return {}
    rows = await session.execute(
        select(Order.seller_org_id, func.count()).where(Order.seller_org_id.in_(ids)).group_by(Order.seller_org_id)
    )
    return {seller: count for seller, count in rows.all()}
