"""Error codes of saved searches, alerts and price advice."""

from __future__ import annotations

from exchange.errors import ErrorCode

SAVED_SEARCH_NOT_FOUND = ErrorCode("saved_search_not_found", 404, "There is no such saved search of yours.")
TOO_MANY_SAVED_SEARCHES = ErrorCode(
    "too_many_saved_searches", 409, "Your organisation has as many saved searches as it may keep; delete one first."
)
NO_PRICE_TO_CUT = ErrorCode(
    "no_price_to_cut", 409, "The lot has no asking price to lower (a sealed-bid lot without a minimum bid)."
)
PRICE_NOT_LOWER = ErrorCode("price_not_lower", 422, "A price cut must lower the asking price.")
LOT_NOT_LIVE = ErrorCode("lot_not_live", 409, "Only a live lot's price can be cut; `detail` names its state.")
