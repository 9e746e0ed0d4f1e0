"""Error codes of inspections and disputes."""

from __future__ import annotations

from exchange.errors import ErrorCode, NotFound
from exchange.i18n.messages import Msg

DISPUTE_NOT_FOUND = ErrorCode(
    "dispute_not_found", 404, "There is no such dispute, or your organisation is not a party."
)
DISPUTE_STATE = ErrorCode(
    "dispute_state", 409, "The dispute's status does not allow this; `state` and `allowed_actions` say what does."
)
DISPUTE_WRONG_SIDE = ErrorCode("dispute_wrong_side", 403, "Your side of the dispute never takes this action.")
ESCALATION_TOO_EARLY = ErrorCode(
    "escalation_too_early",
    409,
    "The seller may still answer: the buyer escalates an unanswered claim from its deadline.",
)
EVIDENCE_NOT_FOUND = ErrorCode(
    "evidence_not_found", 404, "There is no such evidence on this order, or it is not yours."
)
INSPECTION_WINDOW_CLOSED = ErrorCode(
    "inspection_window_closed", 409, "The inspection window of the order has ended (or has not opened yet)."
)
REFUND_TOO_LARGE = ErrorCode("refund_too_large", 422, "A refund cannot exceed the order's amount.")
SAMPLE_TOO_LARGE = ErrorCode(
    "sample_too_large", 422, "More units inspected than the lot holds, or defective than inspected."
)


def dispute_not_found(dispute_id: int) -> NotFound:
    """The 404 that reads the same whether the dispute does not exist or is not the caller's to see."""
    return NotFound(
        f"There is no dispute {dispute_id}, or your organisation is not a party to it.", code=DISPUTE_NOT_FOUND
    )


def evidence_not_found(evidence_id: int) -> NotFound:
    return NotFound(
        Msg("There is no evidence {evidence_id} on this order, or it is not yours.", evidence_id=evidence_id),
        code=EVIDENCE_NOT_FOUND,
    )
