"""Candidate lots for a request, fetched fast: SQL narrows to live lots of the accepted categories and
grades that the CLIENT may see (`exchange.lots.visibility`, the one rule), reading only the columns the
rules need; the rules then run in Python on plain `Candidate`s."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.principal import Principal
from exchange.lots.models import Lot
from exchange.lots.visibility import visible_lots_clause
from exchange.matching.needs import base_factor, quantity_factor
from exchange.matching.rules import Candidate, Need
from exchange.orders.models import Order
from exchange.specs.catalog import get_catalog

__all__ = ["client_viewer", "fetch_candidates", "seller_sales"]

_COLUMNS = (
    Lot.id,
    Lot.seller_org_id,
    Lot.category,
    Lot.grade,
    Lot.specs,
    Lot.quantity_value,
    Lot.quantity_unit,
    Lot.sale_mode,
    Lot.price_minor,
    Lot.min_bid_minor,
    Lot.currency,
    Lot.certifications,
    Lot.best_before,
    Lot.location_region,
    Lot.location_city,
    Lot.status,
)


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


def _specs(category: str, raw: dict[str, Any] | None, factors: dict[tuple[str, str], float]) -> dict[str, Any]:
    specs: dict[str, Any] = {}
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
    candidates = []
    for row in (await session.execute(query)).all():
        (lot_id, seller, category, grade, specs, qty, unit, mode, price, min_bid, currency, certs, best_before,
         region, city, status) = row  # fmt: skip
        factor = quantity_factor(unit, need.unit)
        known_price = price if mode == "fixed_price" else min_bid
        candidates.append(
            Candidate(
                lot_id=lot_id,
                seller_org_id=seller,
                category=category,
                grade=grade,
                quantity=Decimal(qty) * factor if factor is not None else None,
                price_minor=known_price,
                currency=currency,
                status=status,
                visible=True,
                specs=_specs(category, specs, factors),
                certifications=tuple(certs or ()),
                best_before=best_before,
                region=region or "",
                city=city or "",
                quantity_text=f"{Decimal(qty).normalize():f} {unit}",
            )
        )
    return candidates


async def seller_sales(session: AsyncSession, seller_ids: Iterable[int]) -> dict[int, int]:
    """Orders each seller has had (their record on the exchange)."""
    ids = sorted(set(seller_ids))
    if not ids:
        return {}
    rows = await session.execute(
        select(Order.seller_org_id, func.count()).where(Order.seller_org_id.in_(ids)).group_by(Order.seller_org_id)
    )
    return {seller: count for seller, count in rows.all()}
