"""Error codes of lots: drafts, review, publishing, documents, search; and the one "no such lot" answer."""

from __future__ import annotations

from exchange.errors import ErrorCode, NotFound
from exchange.i18n.messages import Msg

CLOSING_TIME_PASSED = ErrorCode(
    "closing_time_passed", 409, "The lot's closing time passed while it waited for review; reject it instead."
)
ALREADY_RELISTED = ErrorCode("already_relisted", 409, "The lot was already relisted as a new lot; relist that one.")
DEFECTS_REQUIRED = ErrorCode("defects_required", 422, "A grade B or C lot must disclose its defects.")
DOCUMENT_MISSING = ErrorCode("document_missing", 404, "The document's file is no longer stored.")
DOCUMENT_NOT_FOUND = ErrorCode("document_not_found", 404, "There is no such document on this lot.")
LOT_NOT_DRAFT = ErrorCode("lot_not_draft", 409, "Only a draft lot can be changed this way.")
LOT_NOT_FOUND = ErrorCode("lot_not_found", 404, "There is no such lot, or it is not visible to you.")
LOT_NOT_IN_REVIEW = ErrorCode("lot_not_in_review", 409, "The lot is not waiting for review.")
LOT_STATE_CHANGED = ErrorCode("lot_state_changed", 409, "The lot changed meanwhile (sold, closed or withdrawn).")
LOT_UNAVAILABLE = ErrorCode("lot_unavailable", 409, "The lot is no longer available (sold, closed or withdrawn).")
NOT_RELISTABLE = ErrorCode(
    "not_relistable",
    409,
    "Only a fixed-price lot that expired unsold, was withdrawn or whose buyer did not pay can be relisted.",
)
NOT_WITHDRAWABLE = ErrorCode("not_withdrawable", 409, "The lot cannot be withdrawn in its current state.")
NOT_YOUR_LOT = ErrorCode("not_your_lot", 403, "Only the selling organisation may do this to its lot.")
RUNNER_UP_OFFER_OPEN = ErrorCode(
    "runner_up_offer_open",
    409,
    "A runner-up offer for the lot is still open: wait for its answer or deadline before relisting.",
)
SPEC_REQUIRED = ErrorCode("spec_required", 422, "Required specs are missing, so the lot cannot be published.")
TOO_MANY_FILES = ErrorCode("too_many_files", 409, "The lot already has as many documents as it may have.")
UNIT_REQUIRED = ErrorCode(
    "unit_required", 422, "A search filter on a measure needs its unit (categories measure it differently)."
)


def lot_not_found(lot_id: int) -> NotFound:
    """The 404 that reads the same whether the lot does not exist or is not visible to the caller."""
    return NotFound(Msg("There is no lot {lot_id}, or it is not visible to you.", lot_id=lot_id), code=LOT_NOT_FOUND)
