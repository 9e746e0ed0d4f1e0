"""Lots as their viewers may see them: the reserve only for the seller, review notes for seller and admins."""

from __future__ import annotations

from collections.abc import Sequence

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange import paging
from exchange.accounts.principal import Principal
from exchange.auctions.counts import bid_counts_in_sql
from exchange.lots import rules, schemas
from exchange.lots.models import Lot, LotDocument, LotInvite
from exchange.lots.services._common import aware
from exchange.lots.visibility import get_visible_lot
from exchange.money import format_minor
from exchange.specs.catalog import get_catalog

__all__ = ["document_out", "get_lot", "list_seller_lots", "lot_out", "lots_out", "seller_lots_page"]


def document_out(document: LotDocument) -> schemas.Document:
    return schemas.Document(
        id=document.id,
        kind=document.kind,
        filename=document.filename,
        content_type=document.content_type,
        size=document.size,
        url=f"/api/lots/{document.lot_id}/documents/{document.id}",
        uploaded_at=document.uploaded_at,
    )


def lot_out(
    lot: Lot,
    principal: Principal | None,
    *,
    bid_count: int = 0,
    documents: Sequence[LotDocument] = (),
    invited_org_ids: Sequence[int] = (),
    relisted_as: int | None = None,
) -> schemas.Lot:
    """The lot for this viewer. Only the seller sees the reserve; seller and admins see review notes and invites."""
    is_seller = principal is not None and principal.org_id is not None and principal.org_id == lot.seller_org_id
    insider = is_seller or (principal is not None and principal.is_admin)
    catalog = get_catalog()
    category = catalog.get(lot.category)
    units: dict[str, str] = {}
    if category is not None:
        for key in lot.specs or {}:
            spec_field = category.field(key)
            if spec_field is not None and spec_field.shown_unit:
                units[key] = spec_field.shown_unit
    currency = lot.currency

    def money(minor: int | None) -> str | None:
        return format_minor(minor, currency)

    closes_at = aware(lot.closes_at) if lot.closes_at else None
    return schemas.Lot(
        id=lot.id,
        seller_org_id=lot.seller_org_id,
        title=lot.title,
        description=lot.description,
        category=lot.category,
        category_name=catalog.label_of(lot.category),
        specs=dict(lot.specs or {}),
        spec_units=units,
        quantity=schemas.Quantity(value=_plain(lot.quantity_value), unit=lot.quantity_unit),
        grade=lot.grade,
        defects=lot.defects,
        source=lot.source,
        reference_price=money(lot.reference_price_minor),
        currency=currency,
        location=schemas.Location(city=lot.location_city, region=lot.location_region, country=lot.location_country),
        certifications=list(lot.certifications or []),
        best_before=lot.best_before,
        sale=schemas.Sale(
            mode=lot.sale_mode,
            price=money(lot.price_minor),
            min_bid=money(lot.min_bid_minor),
            second_price=lot.second_price,
            deposit_percent=lot.deposit_percent,
            closes_at=closes_at,
            rfq_enabled=lot.rfq_enabled,
            reserve_price=money(lot.reserve_price_minor) if is_seller else msgspec.UNSET,
        ),
        visibility=lot.visibility,
        status=lot.status,
        closes_at=closes_at,
        ends_at=aware(lot.ends_at) if lot.ends_at else None,
        published_at=aware(lot.published_at) if lot.published_at else None,
        listing_days=lot.listing_days,
        bid_count=bid_count,
        winning_amount=money(lot.winning_amount_minor) if lot.status in rules.CLOSED_STATUSES else None,
        documents=[document_out(d) for d in documents],
        created_at=aware(lot.created_at),
        updated_at=aware(lot.updated_at),
        review_reason=lot.review_reason if insider else msgspec.UNSET,
        invited_org_ids=list(invited_org_ids) if insider and lot.visibility == "private" else msgspec.UNSET,
        relisted_from=lot.relisted_from_id if insider else msgspec.UNSET,
        relisted_as=relisted_as if insider else msgspec.UNSET,
    )


def _plain(value: object) -> str:
    text = format(value, "f") if value is not None else "0"
    return text.rstrip("0").rstrip(".") if "." in text else text


async def lots_out(session: AsyncSession, principal: Principal | None, lots: Sequence[Lot]) -> list[schemas.Lot]:
    """Many lots with their bid counts, documents and (for insiders) invites, in three queries."""
    if not lots:
        return []
    ids = [lot.id for lot in lots]
    counts = await bid_counts_in_sql(session, ids)
    documents: dict[int, list[LotDocument]] = {}
    for document in await session.scalars(
        select(LotDocument).where(LotDocument.lot_id.in_(ids)).order_by(LotDocument.id)
    ):
        documents.setdefault(document.lot_id, []).append(document)
    invites: dict[int, list[int]] = {}
    if principal is not None:
        private_ids = [lot.id for lot in lots if lot.visibility == "private"]
        if private_ids:
            for lot_id, org_id in await session.execute(
                select(LotInvite.lot_id, LotInvite.org_id).where(LotInvite.lot_id.in_(private_ids))
            ):
                invites.setdefault(lot_id, []).append(org_id)
    relisted_as: dict[int, int] = {}
    if principal is not None and (principal.is_admin or any(lot.seller_org_id == principal.org_id for lot in lots)):
        for new_id, old_id in await session.execute(
            select(Lot.id, Lot.relisted_from_id).where(Lot.relisted_from_id.in_(ids))
        ):
            if old_id is not None:
                relisted_as[old_id] = new_id
    return [
        lot_out(
            lot,
            principal,
            bid_count=counts.get(lot.id, 0),
            documents=documents.get(lot.id, []),
            invited_org_ids=sorted(invites.get(lot.id, [])),
            relisted_as=relisted_as.get(lot.id),
        )
        for lot in lots
    ]


async def get_lot(session: AsyncSession, principal: Principal | None, lot_id: int) -> schemas.Lot:
    """One lot as the caller may see it; 404 alike for missing and invisible lots."""
    lot = await get_visible_lot(session, principal, lot_id)
    return (await lots_out(session, principal, [lot]))[0]


async def list_seller_lots(
    session: AsyncSession, principal: Principal, *, status: str | None = None, limit: int = 200
) -> list[schemas.Lot]:
    """The caller's organisation's own lots, newest first, optionally of one status."""
    lots, _ = await seller_lots_page(session, principal, paging.Window(limit, 0), status=status)
    return lots


async def seller_lots_page(
    session: AsyncSession, principal: Principal, window: paging.Window, *, status: str | None = None
) -> tuple[list[schemas.Lot], int]:
    """One window of `list_seller_lots`, and how many lots it has in all."""
    if principal.org_id is None:
        return [], 0
    query = select(Lot).where(Lot.seller_org_id == principal.org_id)
    if status:
        query = query.where(Lot.status == status)
    rows, total = await paging.fetch_window(session, query.order_by(Lot.created_at.desc(), Lot.id.desc()), window)
    return await lots_out(session, principal, [lot for (lot,) in rows]), total
