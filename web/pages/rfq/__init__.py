"""RFQ pages: inbox, thread page (HTMX moves, live over SSE), asking for a quote, wanted requests."""

from __future__ import annotations

from web.pages.rfq._threads import RfqPages
from web.pages.rfq._wanted import WantedPages
from web.pages.rfq.panels import rfq_dashboard
from web.templating import register_nav

__all__ = ["RfqPages", "WantedPages", "rfq_dashboard"]

register_nav("buyer", "/rfqs", "RFQs")
register_nav("buyer", "/wanted", "Wanted")
register_nav("seller", "/rfqs", "RFQs")
register_nav("seller", "/wanted", "Wanted board")
register_nav("admin", "/rfqs", "RFQs")
