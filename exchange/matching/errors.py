"""Error codes of the brokers' desk: procurement requests, matches, bundles and proposals."""

from __future__ import annotations

from exchange.errors import ErrorCode

REQUEST_NOT_FOUND = ErrorCode(
    "procurement_request_not_found", 404, "There is no such procurement request, or it is not yours."
)
PROPOSAL_NOT_FOUND = ErrorCode("proposal_not_found", 404, "There is no such proposal, or it is not yours.")
PROPOSAL_STATE = ErrorCode(
    "proposal_state",
    409,
    "The proposal is not in a state that allows this; `detail` names the state and what may be done.",
)
PROPOSAL_EXPIRED = ErrorCode("proposal_expired", 409, "The proposal's validity date has passed.")
LOTS_UNAVAILABLE = ErrorCode(
    "lots_unavailable",
    409,
    "Some lots of the proposal are no longer available to you (sold, withdrawn or no longer visible); "
    "`unavailable_lot_ids` names them and nothing was bought.",
)
NOT_YOUR_CLIENT = ErrorCode("not_a_buyer_org", 422, "The client must be a buyer organisation on the exchange.")
