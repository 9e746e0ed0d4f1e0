"""Candidate lots for a request, fetched fast: SQL narrows to live lots of the accepted categories and
grades that the CLIENT may see (`exchange.lots.visibility`, the one rule), reading only the columns the
rules need; the rules then run in Python on plain `Candidate`s."""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import msgspec
from sqlalchemy import Text, func, select, type_coerce
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.principal import Principal
from exchange.lots.models import Lot
from exchange.lots.visibility import visible_lots_clause
from exchange.matching.needs import base_factor, quantity_factor
from exchange.matching.rules import Candidate, Need
from exchange.orders.models import Order
from exchange.specs.catalog import get_catalog

__all__ = ["client_viewer", "collector_paused", "fetch_candidates", "seller_sales"]

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


async def fetch_candidates(session: AsyncSession, need: Need, client_org_id: int) -> list[Candidate]:
    query = select(*_COLUMNS).where(
        Lot.status == "live",
        Lot.category.in_(sorted(need.categories)),
        Lot.seller_org_id != client_org_id,
        visible_lots_clause(client_viewer(client_org_id)),
    )
    if need.grades:
        query = query.where(Lot.grade.in_(need.grades))
    factors = _spec_units(need)
    rows = (await session.execute(query)).all()
    with collector_paused():
        return [_candidate(row, need, factors) for row in rows]


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
        quantity_text=f"{Decimal(qty).normalize():f} {unit}",
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
