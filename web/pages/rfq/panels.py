"""The RFQ panel on buyers' and sellers' dashboards: how many negotiations are open and wait for them (the
threads themselves are listed once, in the dashboard's "what needs me now")."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.principal import Principal
from exchange.rfq import services

__all__ = ["rfq_dashboard"]

PANEL = "rfq/_dashboard_panel.html"


async def rfq_dashboard(session: AsyncSession, principal: Principal) -> tuple[list[str], dict[str, Any]]:
    """(templates to include, their context) for the dashboard of a buyer or seller."""
    if principal.org_id is None or principal.org_kind not in ("buyer", "seller"):
        return [], {}
    threads = await services.list_threads_for(session, principal, which="open")
    side = principal.org_kind
    waiting = [t for t in threads if t.waiting_for == side]
    return [PANEL], {"rfq_open": len(threads), "rfq_waiting_count": len(waiting)}
