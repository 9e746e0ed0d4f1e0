"""Matches, near misses and bundles of one procurement request (the rules in `rules.py`, the solver in
`bundles.py`); only lots the client may see are ever candidates."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_FLOOR, Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.i18n.messages import Money, Msg
from exchange.lots.models import Lot
from exchange.matching import rules, schemas
from exchange.matching.bundles import Part, best_bundles
from exchange.matching.candidates import collector_paused, fetch_candidates, seller_sales
from exchange.matching.models import ProcurementRequest
from exchange.matching.needs import need_of
from exchange.matching.shortlist import Ranked, best_ranked
from exchange.money import format_minor

__all__ = ["Ranked", "bundles_for", "match_lot", "matches_for", "rank"]

TOP = 20
BUNDLE_CANDIDATES = 200


async def rank(
    session: AsyncSession, need: rules.Need, client_org_id: int
) -> tuple[list[Ranked], list[Ranked], list[Ranked], int]:
    """(matches best first, near misses best first, bundle parts best first, candidates checked): every
    candidate checked with the rules. The pages and the API read the first few of each through
    `shortlist.best_ranked`, which gives the same and checks far fewer lots; this is its reference."""
    candidates, checked = await fetch_candidates(session, need, client_org_id)
    with collector_paused():
        # A lot failing two constraints is nothing to show: stop checking it at its second failure, and keep
        # only the visible lots failing at most one (matches, near misses, bundle parts), the rest freed at once.
        kept = [e for c in candidates if c.visible and (e := rules.evaluate(need, c, give_up_after=2)).failures <= 1]
    sales = await seller_sales(session, (e.candidate.seller_org_id for e in kept))
    with collector_paused():
        ranked = [
            Ranked(e, rules.score(need, e.candidate, seller_sales=sales.get(e.candidate.seller_org_id, 0)))
            for e in kept
        ]
        ranked.sort(key=lambda r: (-r.score.total, r.evaluation.candidate.lot_id))
    matches = [r for r in ranked if r.evaluation.is_match]
    near = [r for r in ranked if r.evaluation.is_near_miss]
    parts = [r for r in ranked if rules.bundle_part(r.evaluation)]
    return matches, near, parts, checked


async def _lots(session: AsyncSession, ids: Sequence[int]) -> dict[int, Lot]:
    if not ids:
        return {}
    return {lot.id: lot for lot in await session.scalars(select(Lot).where(Lot.id.in_(list(ids))))}


def match_lot(lot: Lot) -> schemas.MatchLot:
    known = lot.price_minor if lot.sale_mode == "fixed_price" else lot.min_bid_minor
    return schemas.MatchLot(
        id=lot.id,
        title=lot.title,
        category=lot.category,
        grade=lot.grade,
        quantity=schemas.Quantity(value=f"{Decimal(lot.quantity_value).normalize():f}", unit=lot.quantity_unit),
        sale_mode=lot.sale_mode,
        price=format_minor(known, lot.currency),
        currency=lot.currency,
        seller_org_id=lot.seller_org_id,
        region=lot.location_region,
        city=lot.location_city,
    )


def _explanation(ranked: Ranked) -> list[schemas.Explanation]:
    items = [
        schemas.Explanation(constraint=c.constraint, passed=c.passed, margin=c.margin) for c in ranked.evaluation.checks
    ]
    items += [
        schemas.Explanation(factor=name, contribution=points / 100, margin=why())
        for name, points, why in ranked.score.factors
    ]
    return items


async def matches_for(session: AsyncSession, request: ProcurementRequest) -> schemas.MatchPage:
    need = need_of(request)
    best = await best_ranked(session, need, request.client_org_id, matches=TOP, near_misses=TOP, parts=0)
    top, near_top, checked = best.matches, best.near_misses, best.candidates
    lots = await _lots(session, [r.evaluation.candidate.lot_id for r in (*top, *near_top)])
    return schemas.MatchPage(
        items=[
            schemas.Match(
                lot=match_lot(lots[r.evaluation.candidate.lot_id]),
                score=r.score.total / 100,
                explanation=_explanation(r),
            )
            for r in top
        ],
        near_misses=[
            schemas.NearMiss(
                lot=match_lot(lots[r.evaluation.candidate.lot_id]),
                failed=schemas.NearMissFailure(
                    constraint=r.evaluation.failed[0].constraint, by=r.evaluation.failed[0].margin
                ),
            )
            for r in near_top
        ],
        candidates=checked,
    )


def _scale(need: Decimal) -> int:
    """Quantities are solved as integers: the need times 10^k, at most ~10^9."""
    k = 4
    while k > 0 and need * 10**k > 10**9:
        k -= 1
    return 10**k


def _pct_text(part: Decimal, whole: Decimal) -> str:
    return f"{(part / whole * 100).quantize(Decimal('0.1'))} %"


async def bundles_for(
    session: AsyncSession, request: ProcurementRequest, *, overage_percent: int
) -> schemas.BundlePage:
    need = need_of(request)
    best = await best_ranked(session, need, request.client_org_id, matches=0, near_misses=0, parts=BUNDLE_CANDIDATES)
    parts = best.parts
    scale = _scale(need.quantity)
    need_scaled = int((need.quantity * scale).to_integral_value(ROUND_FLOOR))
    solver_parts = [
        Part(
            lot_id=r.evaluation.candidate.lot_id,
            seller_org_id=r.evaluation.candidate.seller_org_id,
            quantity=int(((r.evaluation.candidate.quantity or Decimal(0)) * scale).to_integral_value(ROUND_FLOOR)),
            cost=r.evaluation.candidate.price_minor or 0,
        )
        for r in parts
    ]
    found = best_bundles(
        solver_parts,
        need_scaled,
        max_overage=need_scaled * overage_percent // 100,
        max_sellers=need.max_sellers,
        budget_total=need.budget_total_minor,
    )
    lots = await _lots(session, sorted({i for b in found for i in b.lot_ids}))
    items = []
    for rank_index, bundle in enumerate(found):
        quantity = Decimal(bundle.quantity) / scale
        over = quantity - need.quantity
        cost = format_minor(bundle.cost, need.currency)
        quantity_text = f"{quantity.normalize():f}"
        cover = Msg(
            "{lots} lots from {sellers} seller(s) cover {quantity} {unit} ({over} over, at most {limit} %) for {cost}",
            lots=len(bundle.lot_ids),
            sellers=len(bundle.sellers),
            quantity=quantity_text,
            unit=Msg(need.unit),
            over=_pct_text(over, need.quantity),
            limit=overage_percent,
            cost=Money(cost, need.currency),
        )
        if rank_index == 0:
            rank = (
                Msg("the cheapest cover (proven optimal)")
                if bundle.proven_optimal
                else Msg("the cheapest cover found in the time allowed")
            )
        else:
            extra = format_minor(bundle.cost - found[0].cost, need.currency) if bundle.cost > found[0].cost else "0.00"
            rank = Msg("{extra} more than the best", extra=Money(extra, need.currency))
        # In the reader's language: the API always answers in English, a page in its viewer's.
        why = Msg("{cover}; {rank}", cover=cover, rank=rank).render()
        items.append(
            schemas.Bundle(
                lots=[
                    schemas.BundleLot(
                        id=lots[i].id,
                        title=lots[i].title,
                        quantity=match_lot(lots[i]).quantity,
                        price=format_minor(match_lot_price(lots[i]), lots[i].currency) or "0",
                        seller_org_id=lots[i].seller_org_id,
                    )
                    for i in bundle.lot_ids
                ],
                total=cost or "0",
                quantity=quantity_text,
                overage=_pct_text(over, need.quantity),
                sellers=list(bundle.sellers),
                why=why,
            )
        )
    return schemas.BundlePage(items=items, candidates=len(solver_parts))


def match_lot_price(lot: Lot) -> int | None:
    return lot.price_minor if lot.sale_mode == "fixed_price" else lot.min_bid_minor
