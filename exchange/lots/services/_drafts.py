"""Creating and editing drafts: every field checked against the category's schema before anything is written."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import msgspec
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.errors import WRONG_ORG_KIND
from exchange.accounts.models import Org
from exchange.accounts.principal import Principal
from exchange.alerts.outbox import queue_went_live
from exchange.errors import Conflict, Forbidden, Problems, Unprocessable, from_msgspec_error
from exchange.i18n.catalog import N_
from exchange.i18n.messages import Msg, MsgText
from exchange.lots import rules, schemas
from exchange.lots.errors import LOT_UNAVAILABLE
from exchange.lots.index import reindex_lot
from exchange.lots.models import Lot, LotInvite
from exchange.lots.services._common import own_lot
from exchange.lots.services._invites import notify_invited
from exchange.money import format_minor, parse_currency, parse_money
from exchange.specs.catalog import Category, get_catalog
from exchange.specs.units import quantity_unit
from exchange.specs.validation import clean_specs
from exchange.text import clean_text, visible_length

__all__ = [
    "create_lot",
    "current_body",
    "invite_to_lot",
    "leaf_category",
    "lot_values",
    "respecified",
    "update_lot",
    "write_invites",
]


def leaf_category(code: str, *, field: str = "category") -> Category:
    """The category for a lot; 422 for an unknown code or a parent category."""
    category = get_catalog().get(code.strip())
    if category is None:
        raise Unprocessable(
            MsgText(
                Msg("There is no such category; choose one from the list."),
                f"There is no category {code[:80]!r}; see GET /api/categories.",
            ),
            field=field,
        )
    if not category.is_leaf:
        choices = ", ".join(category.children)
        raise Unprocessable(
            MsgText(
                Msg("That is a group of categories; choose one of the categories in it."),
                f"{category.name} is a group; post the lot in one of: {choices}.",
            ),
            field=field,
        )
    return category


def _money(raw: str | int | None, currency: str, field: str) -> int | None:
    return None if raw is None or raw == "" else parse_money(raw, currency, field=field)


def _certification(raw: str) -> str:
    return clean_text(raw, field="certifications", label="A certification")


def respecified(old: Category, new: Category, specs: dict[str, Any]) -> dict[str, Any]:
    """Stored specs re-read for a new category: numbers keep their unit, keys the new category lacks go."""
    carried: dict[str, Any] = {}
    for key, value in specs.items():
        old_field, new_field = old.field(key), new.field(key)
        if old_field is None or new_field is None or old_field.type != new_field.type:
            continue
        carried[key] = f"{value} {old_field.unit}" if old_field.type == "number" and old_field.unit else value
    return carried


def _require_aware(moment: datetime | None, field: str) -> None:
    if moment is not None and moment.tzinfo is None:
        raise Unprocessable(N_("Give the time with its UTC offset, like 2026-12-01T16:00:00+08:00."), field=field)


async def _checked_invites(session: AsyncSession, org_ids: list[int], visibility: str) -> list[int]:
    unique = sorted(set(org_ids))
    if unique and visibility != "private":
        raise Unprocessable(N_("Only private lots have invited organisations."), field="invited_org_ids")
    if not unique:
        return []
    found = set(await session.scalars(select(Org.id).where(Org.id.in_(unique), Org.kind.in_(("buyer", "broker")))))
    missing = [org_id for org_id in unique if org_id not in found]
    if missing:
        raise Unprocessable(
            MsgText(
                Msg("Invite buyer or broker organisations only."),
                f"Invite buyer or broker organisations only; {missing[0]} is not one.",
            ),
            field="invited_org_ids",
        )
    return unique


def lot_values(data: schemas.LotCreate, category: Category) -> dict[str, Any]:
    """The lot's column values from a complete body, or the first problem as a 422 (the others in its `also`)."""
    found = Problems()
    title = found.check(lambda: clean_text(data.title, field="title", label="The title", required=True, min_length=3))
    currency = parse_currency(data.currency)
    specs = found.check(lambda: clean_specs(category, data.specs))
    unit = found.check(lambda: quantity_unit(data.quantity.unit))
    country = found.check(lambda: rules.check_country(data.location.country, field="location.country"))
    found.check(lambda: rules.check_defects(data.grade, data.defects))
    found.check(lambda: rules.check_quantity(data.quantity.value))
    found.check(lambda: rules.check_listing_days(data.listing_days))
    sale = data.sale
    price = found.check(lambda: _money(sale.price, currency, "sale.price"))
    reserve = found.check(lambda: _money(sale.reserve_price, currency, "sale.reserve_price"))
    min_bid = found.check(lambda: _money(sale.min_bid, currency, "sale.min_bid"))
    reference = found.check(lambda: _money(data.reference_price, currency, "reference_price"))
    found.raise_first()
    rules.check_sale_terms(
        sale.mode, price=price, reserve=reserve, min_bid=min_bid, deposit_percent=sale.deposit_percent
    )
    _require_aware(sale.closes_at, "sale.closes_at")
    if sale.closes_at is not None and sale.closes_at <= datetime.now(UTC):
        raise Unprocessable(N_("The closing time is in the past."), field="sale.closes_at")
    if sale.closes_at is not None and sale.mode != "sealed_bid":
        raise Unprocessable(N_("Only sealed-bid lots have a closing time."), field="sale.closes_at")
    return {
        "title": title,
        "description": clean_text(data.description, field="description", label="The description", multiline=True),
        "category": category.code,
        "specs": specs,
        "quantity_value": Decimal(data.quantity.value),
        "quantity_unit": unit,
        "grade": data.grade,
        "defects": clean_text(data.defects, field="defects", label="The defect disclosure", multiline=True),
        "source": data.source,
        "reference_price_minor": reference,
        "currency": currency,
        "location_city": clean_text(data.location.city, field="location.city", label="The city"),
        "location_region": clean_text(data.location.region, field="location.region", label="The region"),
        "location_country": country,
        "certifications": sorted(
            {text for c in data.certifications if (text := _certification(c)) and visible_length(text)}
        ),
        "best_before": data.best_before,
        "sale_mode": sale.mode,
        "price_minor": price,
        "reserve_price_minor": reserve,
        "min_bid_minor": min_bid,
        "second_price": sale.second_price if sale.mode == "sealed_bid" else False,
        "deposit_percent": sale.deposit_percent,
        "closes_at": sale.closes_at,
        "rfq_enabled": sale.rfq_enabled,
        "visibility": data.visibility,
        "listing_days": data.listing_days,
    }


async def write_invites(session: AsyncSession, lot_id: int, org_ids: list[int]) -> None:
    await session.execute(delete(LotInvite).where(LotInvite.lot_id == lot_id))
    session.add_all(LotInvite(lot_id=lot_id, org_id=org_id) for org_id in org_ids)


async def create_lot(session: AsyncSession, principal: Principal, data: schemas.LotCreate) -> Lot:
    """A new draft of the caller's seller organisation. Nothing is written unless every field is valid."""
    if principal.org_id is None or principal.org_kind != "seller":
        raise Forbidden(N_("Only seller organisations post lots."), code=WRONG_ORG_KIND)
    values = lot_values(data, leaf_category(data.category))
    invites = await _checked_invites(session, data.invited_org_ids, data.visibility)
    lot = Lot(seller_org_id=principal.org_id, status="draft", **values)
    session.add(lot)
    await session.flush()
    await write_invites(session, lot.id, invites)
    await reindex_lot(session, lot)
    await session.flush()
    return lot


def current_body(lot: Lot, invites: list[int]) -> dict[str, Any]:
    def money(minor: int | None) -> str | None:
        return format_minor(minor, lot.currency)

    return {
        "title": lot.title,
        "description": lot.description,
        "category": lot.category,
        "specs": dict(lot.specs or {}),
        "quantity": {"value": str(lot.quantity_value), "unit": lot.quantity_unit},
        "grade": lot.grade,
        "defects": lot.defects,
        "source": lot.source,
        "reference_price": money(lot.reference_price_minor),
        "currency": lot.currency,
        "location": {"city": lot.location_city, "region": lot.location_region, "country": lot.location_country},
        "certifications": list(lot.certifications or []),
        "best_before": lot.best_before,
        "sale": {
            "mode": lot.sale_mode,
            "price": money(lot.price_minor),
            "reserve_price": money(lot.reserve_price_minor),
            "min_bid": money(lot.min_bid_minor),
            "second_price": lot.second_price,
            "deposit_percent": lot.deposit_percent,
            "closes_at": lot.closes_at,
            "rfq_enabled": lot.rfq_enabled,
        },
        "visibility": lot.visibility,
        "invited_org_ids": invites,
        "listing_days": lot.listing_days,
    }


async def update_lot(session: AsyncSession, principal: Principal, lot_id: int, data: schemas.LotUpdate) -> Lot:
    """Change the fields given of the caller's draft; the result is checked as a whole before it is written."""
    lot = await own_lot(session, principal, lot_id)
    rules.require_draft(lot.status, "edited")
    invites = list(await session.scalars(select(LotInvite.org_id).where(LotInvite.lot_id == lot.id)))
    body = current_body(lot, invites)
    changes = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not msgspec.UNSET}
    if "category" in changes and "specs" not in changes and changes["category"] != lot.category:
        new_category = leaf_category(changes["category"])
        old_category = get_catalog().get(lot.category)
        body["specs"] = respecified(old_category, new_category, body["specs"]) if old_category else {}
    elif "specs" not in changes and (category := get_catalog().get(lot.category)) is not None:
        body["specs"] = respecified(category, category, body["specs"])
    body.update({k: msgspec.to_builtins(v) if isinstance(v, msgspec.Struct) else v for k, v in changes.items()})
    if body["visibility"] == "public" and "invited_org_ids" not in changes:
        body["invited_org_ids"] = []
    try:
        merged = msgspec.convert(body, schemas.LotCreate)
    except msgspec.ValidationError as error:
        raise from_msgspec_error(error) from None
    values = lot_values(merged, leaf_category(merged.category))
    new_invites = await _checked_invites(session, merged.invited_org_ids, merged.visibility)
    for name, value in values.items():
        setattr(lot, name, value)
    await write_invites(session, lot.id, new_invites)
    await session.flush()
    await reindex_lot(session, lot)
    await session.flush()
    return lot


async def invite_to_lot(session: AsyncSession, principal: Principal, lot_id: int, org_ids: list[int]) -> Lot:
    """The seller invites more buyer organisations to its private lot, also once bidding has opened (an
    invited buyer may bid from then on; the bid engine reads new invitations from SQL). Already invited
    organisations stay invited; nothing is written unless every id is a buyer or broker organisation."""
    lot = await own_lot(session, principal, lot_id)
    if lot.status not in ("draft", "in_review", "live"):
        raise Conflict(N_("Buyers can be invited only before the lot has left sale."), code=LOT_UNAVAILABLE)
    invites = await _checked_invites(session, org_ids, lot.visibility)
    if not invites:
        raise Unprocessable(N_("Name at least one organisation to invite."), field="org_ids")
    already = set(await session.scalars(select(LotInvite.org_id).where(LotInvite.lot_id == lot_id)))
    session.add_all(LotInvite(lot_id=lot_id, org_id=org_id) for org_id in invites if org_id not in already)
    await session.flush()
    if lot.status == "live" and set(invites) - already:  # the newly invited orgs' saved searches may match it
        await queue_went_live(session, lot.id, "invited")
        await notify_invited(session, lot, set(invites) - already)
    return lot
