"""A lot's life after drafting: publish (or review), approve or reject, withdraw, expire (relist: `_relist`).

Whenever a lot goes live (published, approved, relisted) it is queued, in the same transaction, for the
saved-search alerts and its slow-sale check (`exchange.alerts.outbox.queue_went_live`)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.errors import ADMIN_ONLY, ORG_NOT_VERIFIED
from exchange.accounts.principal import Principal
from exchange.alerts.outbox import queue_went_live
from exchange.auctions.leaving import require_no_bids, settle_left_sale
from exchange.audit import record
from exchange.audit.actors import CLOCK, actor_of
from exchange.errors import Conflict, Forbidden, NotFound, Unprocessable
from exchange.i18n.catalog import N_
from exchange.i18n.messages import Msg, MsgText, as_msg
from exchange.live.channels import lot_channel, publish_event
from exchange.lots import rules
from exchange.lots.errors import (
    CLOSING_TIME_PASSED,
    LOT_NOT_FOUND,
    LOT_NOT_IN_REVIEW,
    NOT_WITHDRAWABLE,
    SPEC_REQUIRED,
)
from exchange.lots.events import lot_left_sale
from exchange.lots.models import Lot, LotDocument
from exchange.lots.services._common import aware, own_lot, transition
from exchange.lots.services._drafts import leaf_category
from exchange.lots.services._invites import notify_invited
from exchange.notifications.services import notify
from exchange.runtime import Runtime, clock_of
from exchange.settings import DEFAULT_MIN_BIDDING_WINDOW
from exchange.specs.catalog import SpecLabels
from exchange.specs.compliance import LotFacts, check_refusals, review_reasons
from exchange.specs.validation import missing_required

__all__ = [
    "approve_lot",
    "expire_due_lots",
    "publish_lot",
    "reject_lot",
    "review_queue",
    "withdraw_lot",
]


async def _document_kinds(session: AsyncSession, lot_id: int) -> set[str]:
    return set(await session.scalars(select(LotDocument.kind).where(LotDocument.lot_id == lot_id).distinct()))


def _window(lot: Lot, now: datetime, min_bidding: timedelta | None, runtime: Runtime | None) -> dict[str, Any]:
    if min_bidding is None:  # the operator's MIN_BIDDING_WINDOW, when the app's runtime is at hand
        min_bidding = runtime.settings.min_bidding_window if runtime is not None else DEFAULT_MIN_BIDDING_WINDOW
    closes_at = aware(lot.closes_at) if lot.closes_at else None
    ends_at, closes = rules.listing_window(now, lot.listing_days, lot.sale_mode, closes_at, min_bidding=min_bidding)
    return {"published_at": now, "ends_at": ends_at, "closes_at": closes}


async def _checked_for_sale(session: AsyncSession, principal: Principal, lot: Lot, now: datetime) -> list[str]:
    """The publishing checks (verified seller, required specs, defects, compliance refusals): a refusal raises,
    nothing changes; answers the reasons a compliance rule sends the lot to review (empty: it may go live)."""
    if not principal.org_verified:
        raise Forbidden(
            N_("Your organisation is not verified yet; an administrator verifies it before you can publish."),
            code=ORG_NOT_VERIFIED,
        )
    category = leaf_category(lot.category)
    missing = missing_required(category, lot.specs or {})
    if missing:
        raise Unprocessable(
            Msg(
                "Fill in the required specs before publishing: {names}.",
                names=SpecLabels(tuple(missing)),
            ),
            field=f"specs.{missing[0].key}",
            code=SPEC_REQUIRED,
        )
    rules.check_defects(lot.grade, lot.defects)
    facts = LotFacts(
        specs=lot.specs or {},
        certifications=lot.certifications or [],
        document_kinds=await _document_kinds(session, lot.id),
        best_before=lot.best_before,
        today=now.date(),
    )
    check_refusals(category, facts)
    return review_reasons(category, facts)


async def _went_live(session: AsyncSession, lot: Lot, reason: str, now: datetime, runtime: Runtime | None) -> None:
    share = runtime.settings.slow_sale_share if runtime is not None else 0.5
    await queue_went_live(
        session, lot.id, reason, now=now, published_at=lot.published_at, ends_at=lot.ends_at, share=share
    )
    await notify_invited(session, lot, runtime=runtime)


async def publish_lot(
    session: AsyncSession,
    principal: Principal,
    lot_id: int,
    *,
    runtime: Runtime | None = None,
    now: datetime | None = None,
    min_bidding: timedelta | None = None,
) -> Lot:
    """Publish the caller's draft: live, or in review when a compliance rule needs an administrator.

    Refused (nothing changes) for an unverified seller, missing required specs, grade B/C without a
    defect disclosure, food too close to its best-before date, or a closing time outside the window
    (sooner than `min_bidding`, the operator's MIN_BIDDING_WINDOW, or after the listing ends).
    """
    lot = await own_lot(session, principal, lot_id)
    rules.require_draft(lot.status, "published")
    now = now or clock_of(runtime).now()
    reasons = await _checked_for_sale(session, principal, lot, now)
    window = _window(lot, now, min_bidding, runtime)
    if reasons:
        review = {"status": "in_review", "review_reason": " ".join(reasons)}
        await transition(session, lot, ("draft",), action="publish", actor=actor_of(principal), at=now, **review)
    else:
        live = {"status": "live", "review_reason": "", **window}
        await transition(session, lot, ("draft",), action="publish", actor=actor_of(principal), at=now, **live)
        await _went_live(session, lot, "published", now, runtime)
        _announce(runtime, lot)
    return lot


def _announce(runtime: Runtime | None, lot: Lot) -> None:
    # Only the fact of a change: pages re-fetch what the viewer may see.
    publish_event(runtime, lot_channel(lot.id), "status", {})


async def review_queue(session: AsyncSession) -> list[Lot]:
    """Lots waiting for an administrator, oldest first."""
    return list(await session.scalars(select(Lot).where(Lot.status == "in_review").order_by(Lot.updated_at, Lot.id)))


async def _reviewed_lot(session: AsyncSession, principal: Principal, lot_id: int) -> Lot:
    if not principal.is_admin:
        raise Forbidden(N_("Only platform administrators review lots."), code=ADMIN_ONLY)
    lot = await session.get(Lot, lot_id)
    if lot is None:
        raise NotFound(Msg("There is no lot {lot}.", lot=lot_id), code=LOT_NOT_FOUND)
    if lot.status != "in_review":
        raise Conflict(
            Msg("This lot is {status}, not waiting for review.", status=Msg(lot.status.replace("_", " "))),
            code=LOT_NOT_IN_REVIEW,
        )
    return lot


async def approve_lot(
    session: AsyncSession,
    principal: Principal,
    lot_id: int,
    *,
    note: str = "",
    runtime: Runtime | None = None,
    now: datetime | None = None,
    min_bidding: timedelta | None = None,
) -> Lot:
    """An administrator lets a reviewed lot go live; its listing window starts now."""
    lot = await _reviewed_lot(session, principal, lot_id)
    now = now or clock_of(runtime).now()
    try:
        window = _window(lot, now, min_bidding, runtime)
    except Unprocessable as error:
        raise Conflict(
            MsgText(
                Msg(
                    "{problem} Reject the lot with this reason so the seller can set a new closing time.",
                    problem=as_msg(error.detail),
                ),
                f"{error.detail} Reject the lot with this reason so the seller can set a new closing time.",
            ),
            code=CLOSING_TIME_PASSED,
        ) from None
    live = {"status": "live", "review_reason": "", **window}
    await transition(session, lot, ("in_review",), action="approve", actor=actor_of(principal), at=now, **live)
    await _went_live(session, lot, "approved", now, runtime)
    await notify(
        session,
        lot.seller_org_id,
        kind="lot_approved",
        title=Msg("Approved and live: {title}", title=lot.title),
        body=note.strip(),
        link=f"/lots/{lot.id}",
        runtime=runtime,
    )
    _announce(runtime, lot)
    return lot


async def reject_lot(
    session: AsyncSession, principal: Principal, lot_id: int, *, reason: str, runtime: Runtime | None = None
) -> Lot:
    """An administrator sends a reviewed lot back to its seller as a draft, with the reason."""
    reason = " ".join(reason.split())
    if len(reason) < 5:
        raise Unprocessable(N_("Tell the seller why the lot is rejected."), field="reason")
    lot = await _reviewed_lot(session, principal, lot_id)
    draft = {"status": "draft", "review_reason": f"Rejected in review: {reason}"}
    now = clock_of(runtime).now()
    await transition(session, lot, ("in_review",), action="reject", actor=actor_of(principal), at=now, **draft)
    await notify(
        session,
        lot.seller_org_id,
        kind="lot_rejected",
        title=Msg("Sent back from review: {title}", title=lot.title),
        body=reason,
        link=f"/lots/{lot.id}",
        runtime=runtime,
    )
    return lot


async def withdraw_lot(
    session: AsyncSession, principal: Principal, lot_id: int, *, runtime: Runtime | None = None
) -> Lot:
    """The seller takes a draft, reviewed or live lot off the market; not a sealed-bid lot once buyers have
    bid on it (`lot_has_bids`: it leaves sale only at its close). Held deposits are released, and bidders
    and watchers are told.

    Commits, then tells the bid engine (`events.lot_left_sale`), so that a bid or purchase racing the
    withdrawal is refused by Redis at once rather than later by the database."""
    lot = await own_lot(session, principal, lot_id)
    if lot.status not in rules.WITHDRAWABLE:
        raise Conflict(
            Msg("A lot that is {status} cannot be withdrawn.", status=Msg(lot.status.replace("_", " "))),
            code=NOT_WITHDRAWABLE,
        )
    was_live = lot.status == "live"
    now = clock_of(runtime).now()
    actor = actor_of(principal)
    await transition(session, lot, rules.WITHDRAWABLE, action="withdraw", actor=actor, at=now, status="withdrawn")
    if was_live:
        try:
            # After the UPDATE, under the lot's lock: race-free against a bid (see `auctions.leaving`).
            await require_no_bids(session, lot, refused=N_("withdrawn"))
        except Conflict:
            await session.rollback()  # a page answers with a redirect, which would commit the session
            raise
        await settle_left_sale(session, lot.id, "withdrawn", runtime=runtime)
    await session.commit()
    if was_live:
        await lot_left_sale(runtime, [lot.id], "withdrawn")
    _announce(runtime, lot)
    return lot


async def expire_due_lots(session: AsyncSession, now: datetime, *, runtime: Runtime | None = None) -> list[int]:
    """Delist fixed-price lots whose listing window has ended unsold, telling each seller (and anyone who
    watched one); returns their ids (raise `events.lot_left_sale` for them once committed).

    Sealed-bid lots are left to the bid engine, which closes them at `closes_at` (their window's end)
    as awarded or unsold. Safe to run from several processes: the UPDATE changes each lot once.
    """
    result = await session.execute(
        update(Lot)
        .where(Lot.status == "live", Lot.sale_mode == "fixed_price", Lot.ends_at <= now)
        .values(status="expired")
        .returning(Lot.id, Lot.seller_org_id, Lot.title)
        .execution_options(synchronize_session=False)
    )
    expired = result.all()
    for lot_id, seller_org_id, title in expired:
        await settle_left_sale(session, lot_id, "expired", runtime=runtime)
        await notify(
            session,
            seller_org_id,
            kind="lot_expired",
            title=Msg("Listing ended unsold: {title}", title=title),
            body=Msg("The listing window ended without a sale. Consider a lower price, RFQ, or a sealed-bid sale."),
            link=f"/lots/{lot_id}",
            runtime=runtime,
        )
        publish_event(runtime, lot_channel(lot_id), "status", {})
    for lot_id, _seller, _title in expired:
        live, gone = {"status": "live"}, {"status": "expired"}
        await record(
            session, actor=CLOCK, object_type="lot", object_id=lot_id, action="expire", before=live, after=gone, at=now
        )
    return [lot_id for lot_id, _seller, _title in expired]
