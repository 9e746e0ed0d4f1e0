"""RFQ JSON API: threads and offers (the fixed paths of API.md), messages, samples, wanted requests."""

from __future__ import annotations

from exchange.rfq.api._conversation import RfqConversationController
from exchange.rfq.api._threads import RfqController
from exchange.rfq.api._wanted import WantedController

__all__ = ["RfqController", "RfqConversationController", "WantedController", "rfq_controllers"]

rfq_controllers = [RfqController, RfqConversationController, WantedController]
