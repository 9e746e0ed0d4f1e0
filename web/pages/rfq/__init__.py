"""RFQ pages: inbox, thread page (HTMX moves, live over SSE), asking for a quote, wanted requests."""

from __future__ import annotations

from web.pages.rfq._threads import RfqPages
from web.pages.rfq._wanted import WantedPages
from web.pages.rfq.panels import rfq_dashboard

__all__ = ["RfqPages", "WantedPages", "rfq_dashboard"]
