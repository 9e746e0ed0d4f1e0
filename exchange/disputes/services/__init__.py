"""Inspection, evidence, disputes and arbitration: the use cases (see each module)."""

from exchange.disputes.services.arbitration import decide, dispute_queue, dispute_queue_page
from exchange.disputes.services.disputes import (
    accept_offer,
    add_message,
    answer_dispute,
    dispute_id_of_order,
    dispute_page,
    escalate,
    get_dispute,
    open_dispute,
)
from exchange.disputes.services.evidence import add_evidence, read_evidence
from exchange.disputes.services.inspections import record_inspection

__all__ = [
    "accept_offer",
    "add_evidence",
    "add_message",
    "answer_dispute",
    "decide",
    "dispute_id_of_order",
    "dispute_page",
    "dispute_queue",
    "dispute_queue_page",
    "escalate",
    "get_dispute",
    "open_dispute",
    "read_evidence",
    "record_inspection",
]
