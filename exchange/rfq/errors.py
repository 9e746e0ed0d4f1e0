"""Error codes of requests for quotes: negotiation threads, offers, samples, wanted requests."""

from __future__ import annotations

from exchange.errors import ErrorCode

ATTACHMENT_NOT_FOUND = ErrorCode("attachment_not_found", 404, "There is no such attachment in this negotiation.")
BUYER_NOT_INVITED = ErrorCode(
    "buyer_not_invited", 409, "The buyer cannot see this (private) lot, so it cannot be offered."
)
NOT_A_PARTY = ErrorCode("not_a_party", 403, "Only the buyer and the seller of a negotiation may do this.")
NOT_YOUR_MOVE = ErrorCode("not_your_move", 409, "The other side makes this sample move.")
NOT_YOUR_REQUEST = ErrorCode("not_your_request", 403, "Only the buyer who posted the wanted request may do this.")
NOT_YOUR_TURN = ErrorCode("not_your_turn", 409, "Your last offer is still open: wait for the answer or withdraw it.")
NOTHING_TO_WITHDRAW = ErrorCode("nothing_to_withdraw", 409, "You have no open offer in this negotiation to withdraw.")
OFFER_EXPIRED = ErrorCode("offer_expired", 409, "The offer expired at its valid-until time.")
OFFER_NOT_IN_THREAD = ErrorCode("offer_not_in_thread", 409, "The offer is not part of this negotiation.")
OFFER_NOT_OPEN = ErrorCode("offer_not_open", 409, "The offer can no longer be accepted.")
OFFER_SUPERSEDED = ErrorCode("offer_superseded", 409, "A newer offer replaced this one; answer the latest.")
OWN_OFFER = ErrorCode("own_offer", 409, "You cannot accept your own offer.")
REQUEST_CLOSED = ErrorCode("request_closed", 409, "The wanted request is closed.")
RFQ_DISABLED = ErrorCode("rfq_disabled", 409, "The seller turned requests for quotes off on this lot.")
RFQ_EXISTS = ErrorCode("rfq_exists", 409, "Your organisation already has an open negotiation on this lot.")
RFQ_NOT_FOUND = ErrorCode("rfq_not_found", 404, "There is no such negotiation, or you are not part of it.")
SAMPLE_NOT_FOUND = ErrorCode("sample_not_found", 404, "There is no such sample request in this negotiation.")
SAMPLE_PENDING = ErrorCode("sample_pending", 409, "A sample request in this negotiation is still open.")
SAMPLE_STATE = ErrorCode("sample_state", 409, "The sample is not in a state that allows this move.")
THREAD_CHANGED = ErrorCode("thread_changed", 409, "The negotiation changed meanwhile; reload and try again.")
THREAD_CLOSED = ErrorCode("thread_closed", 409, "The negotiation has ended.")
UNKNOWN_MOVE = ErrorCode("unknown_move", 409, "There is no such sample move.")
WANTED_NOT_FOUND = ErrorCode("wanted_not_found", 404, "There is no such wanted request, or it is not visible to you.")
