"""Error codes of sales: sealed bids, deposits, fixed-price purchases and the bid engine."""

from __future__ import annotations

from exchange.errors import ErrorCode

ALREADY_SOLD = ErrorCode("already_sold", 409, "The lot has already been sold.")
BELOW_MINIMUM = ErrorCode("below_minimum", 422, "The bid is below the lot's minimum bid.")
BIDDING_CLOSED = ErrorCode("bidding_closed", 409, "The lot's closing time has passed: no more bids or withdrawals.")
BIDS_SEALED = ErrorCode("bids_sealed", 403, "Bids are sealed until the lot closes: nobody can read them before.")
DEPOSIT_IN_PROGRESS = ErrorCode("deposit_in_progress", 409, "Your deposit on this lot is being recorded already.")
DEPOSIT_REQUIRED = ErrorCode("deposit_required", 403, "The lot requires a bid deposit before you may bid.")
ENGINE_BUSY = ErrorCode(
    "engine_busy", 503, "The lot is being brought up to date in the bid engine; nothing was changed."
)
ENGINE_UNAVAILABLE = ErrorCode("engine_unavailable", 503, "The bid engine (Redis) is unavailable; nothing was changed.")
LOT_HAS_BIDS = ErrorCode(
    "lot_has_bids", 409, "The lot has sealed bids, so it sells only at its close (no withdrawal, no sale by quote)."
)
NO_BID = ErrorCode("no_bid", 404, "Your organisation has no current bid on this lot.")
NO_DEPOSIT = ErrorCode("no_deposit", 404, "Your organisation holds no deposit on this lot.")
NO_DEPOSIT_NEEDED = ErrorCode("no_deposit_needed", 409, "The lot does not take bid deposits.")
NO_OPENING_REPORT = ErrorCode(
    "no_opening_report", 404, "The lot left sale before any sealed bid; there are no bids to open."
)
NO_ORG = ErrorCode("no_org", 403, "Only members of an organisation can do this (watch a lot).")
NOT_FIXED_PRICE = ErrorCode("not_fixed_price", 409, "The lot is sold by sealed bid, not bought at a fixed price.")
NOT_SEALED_BID = ErrorCode(
    "not_sealed_bid", 409, "The lot is not sold by sealed bid (404 for its opening report).", also=(404,)
)
OWN_LOT = ErrorCode("own_lot", 403, "Your organisation sells this lot; a seller cannot bid on or buy its own lot.")
VERIFIED_BUYER_ONLY = ErrorCode("verified_buyer_only", 403, "Only verified buyer organisations may bid or buy.")
