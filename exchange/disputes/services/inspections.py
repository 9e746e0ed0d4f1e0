"""The buyer's sample inspection of a delivered order and the refund its findings suggest."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.principal import Principal
from exchange.disputes import rules, schemas
from exchange.disputes.errors import SAMPLE_TOO_LARGE
from exchange.disputes.models import Inspection
from exchange.disputes.services._access import actor_for, lock_order, order_for
from exchange.disputes.services._views import inspection_out
from exchange.disputes.services._window import require_window
from exchange.disputes.services.evidence import check_evidence_ids
from exchange.errors import Unprocessable
from exchange.i18n.catalog import N_
from exchange.i18n.messages import Msg
from exchange.lots.models import Lot
from exchange.orders import transitions
from exchange.runtime import Runtime
from exchange.text import clean_text

__all__ = ["latest_inspection", "listing_of", "record_inspection"]


def listing_of(lot: Lot) -> rules.Listing:
    return rules.Listing(
        grade=lot.grade,
        defects=lot.defects or "",
        category=lot.category,
        reference_price_minor=lot.reference_price_minor,
        quantity_unit=lot.quantity_unit,
    )


async def latest_inspection(session: AsyncSession, order_id: int) -> Inspection | None:
    return await session.scalar(
        select(Inspection).where(Inspection.order_id == order_id).order_by(Inspection.id.desc()).limit(1)
    )


def _check_counts(data: schemas.InspectionCreate, size: int) -> None:
    if data.units_inspected > size:
        raise Unprocessable(
            Msg(
                "The units inspected ({count}) are more than the lot's {size} units.",
                count=data.units_inspected,
                size=size,
            ),
            field="units_inspected",
            code=SAMPLE_TOO_LARGE,
        )
    if data.units_defective > data.units_inspected:
        raise Unprocessable(
            N_("units_defective cannot be more than units_inspected."), field="units_defective", code=SAMPLE_TOO_LARGE
        )
    for kind, count in data.defects_by_kind.items():
        clean_text(kind, field="defects_by_kind", label="A kind of defect", required=True)
        if count > data.units_defective:
            raise Unprocessable(
                Msg("The defects of kind {kind} count more units than the defective units.", kind=repr(kind)),
                field="defects_by_kind",
                code=SAMPLE_TOO_LARGE,
            )


async def record_inspection(
    session: AsyncSession, principal: Principal, order_id: int, data: schemas.InspectionCreate, *, runtime: Runtime
) -> schemas.Inspection:
    """Record the buyer's inspection (in the window), move the order to inspecting, answer the suggested refund."""
    order, side = await order_for(session, principal, order_id)
    now = runtime.clock.now()
    if side != "buyer":
        raise transitions.refuse(order, "inspect", side)
    order = await lock_order(session, order.id)
    await require_window(session, order, now)
    lot = await session.get(Lot, order.lot_id)
    assert lot is not None
    size = rules.lot_size(lot.quantity_value)
    _check_counts(data, size)
    photos = await check_evidence_ids(session, order, data.photos, field="photos")
    suggestion = rules.suggest_refund(
        rules.InspectionFindings(data.units_inspected, data.units_defective, data.observed_grade),
        listing_of(lot),
        order.amount_minor,
        order.currency,
    )
    await transitions.apply(
        session,
        order,
        "inspect",
        actor_for(principal, side),
        now,
        detail={"units_inspected": data.units_inspected, "units_defective": data.units_defective},
    )
    inspection = Inspection(
        order_id=order.id,
        org_id=order.buyer_org_id,
        sampling=data.sampling,
        lot_size=size,
        sample_size=rules.sample_size(size, data.sampling),
        units_inspected=data.units_inspected,
        units_defective=data.units_defective,
        defects_by_kind=dict(data.defects_by_kind),
        observed_grade=data.observed_grade,
        photo_ids=photos,
        notes=clean_text(data.notes, field="notes", label="The notes", multiline=True),
        suggested_refund_minor=suggestion.amount_minor,
        refund_lines=[[line.label, line.amount_minor] for line in suggestion.lines],
        created_at=now,
    )
    session.add(inspection)
    await session.flush()
    return inspection_out(inspection, order.currency, order.status)
