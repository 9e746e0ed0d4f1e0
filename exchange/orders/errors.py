"""Error codes of orders after the sale: transitions, payments, credit terms, runner-up offers."""

from __future__ import annotations

from exchange.errors import ErrorCode

ORDER_NOT_FOUND = ErrorCode(
    "order_not_found", 404, "There is no such order, or your organisation is not a party to it."
)
WRONG_STATE = ErrorCode(
    "order_state", 409, "The order is not in a state that allows this action; `state` and `allowed_actions` say why."
)
WRONG_SIDE = ErrorCode(
    "order_wrong_side", 403, "Your side of the order (buyer, seller, admin) never takes this action."
)
PAYMENT_NOT_FOUND = ErrorCode("payment_not_found", 404, "There is no such payment.")
BAD_SIGNATURE = ErrorCode("bad_signature", 403, "The payment callback's signature is missing or does not match.")
PAYMENT_MISMATCH = ErrorCode("payment_mismatch", 422, "The callback's body does not match the payment it confirms.")
UNKNOWN_PROVIDER = ErrorCode("unknown_provider", 503, "The configured payment provider is not available.")
CREDIT_LIMIT = ErrorCode(
    "credit_limit", 409, "Shipping on credit would take the buyer's unpaid invoices beyond its credit limit."
)
INVOICE_OVERDUE = ErrorCode(
    "invoice_overdue", 403, "Your organisation has an overdue invoice: pay it before new bids, purchases or accepts."
)
NOT_ON_CREDIT = ErrorCode("not_on_credit", 404, "The organisation has no credit terms.")
RUNNER_UP_NOT_FOUND = ErrorCode("runner_up_offer_not_found", 404, "There is no such runner-up offer for you.")
NO_RUNNER_UP = ErrorCode("no_runner_up", 409, "No further bidder can be offered this lot (or an offer is still open).")
RUNNER_UP_CLOSED = ErrorCode("runner_up_offer_closed", 409, "The runner-up offer was already answered or has lapsed.")
