"""The catalogue's events for other capabilities: a lot sold by another path, a lot that left sale, a lot
that went live (published, approved, relisted) or got cheaper.

Raised through the app's dispatcher (`runtime.events`) after the SQL change is committed; the bid
engine listens (wired in `exchange.app`), so it refuses bids and purchases on such a lot at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from exchange.runtime import Runtime

__all__ = ["LotLeftSale", "LotSoldElsewhere", "LotWentLive", "lot_left_sale", "lot_sold_elsewhere", "lot_went_live"]


@dataclass(frozen=True, slots=True)
class LotSoldElsewhere:
    """A quote or proposal sold the lot (not the bid engine)."""

    lot_id: int


@dataclass(frozen=True, slots=True)
class LotLeftSale:
    """The lot left `live` unsold (withdrawn, expired); `status` is its new status."""

    lot_id: int
    status: str


async def lot_sold_elsewhere(runtime: Runtime, lot_id: int) -> None:
    """Tell listeners a lot was sold by a quote or proposal, after the SQL commit."""
    await runtime.events.emit(LotSoldElsewhere(lot_id))


async def lot_left_sale(runtime: Runtime | None, lot_ids: list[int], status: str) -> None:
    """Tell listeners lots left `live` unsold (withdrawn, expired), after the SQL commit.

    Best effort: the database already refuses bids and purchases on them; the listeners only make the
    refusal immediate. A listener that fails is logged, never raised to the seller or the job.
    """
    if runtime is None:
        return
    for lot_id in lot_ids:
        await runtime.events.emit_best_effort(LotLeftSale(lot_id, status))


@dataclass(frozen=True, slots=True)
class LotWentLive:
    """The lot went live (published, approved, relisted) or its price was cut: the saved-search alerts listen.

    The lot was also queued in the `lot_went_live` outbox in the same transaction, so the alerts go out
    (by the fan-out job) even if this event is lost; the event only makes them immediate."""

    lot_id: int


async def lot_went_live(runtime: Runtime | None, lot_id: int) -> None:
    """Tell listeners a lot went live, after the SQL commit. Best effort (see `LotWentLive`)."""
    if runtime is None:
        return
    await runtime.events.emit_best_effort(LotWentLive(lot_id))
