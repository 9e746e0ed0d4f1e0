"""RFQ use cases, shared by the JSON API and the pages.

Every service takes the caller's `Principal`; a thread exists only for its two orgs (and admins, read-only).
Pass `runtime` to push notifications and thread events live; `now` is for tests of expiry.
"""

from __future__ import annotations

from exchange.rfq.services._accept import Accepted, accept_offer, accept_offer_once, finish_accept
from exchange.rfq.services._access import offer_to_accept
from exchange.rfq.services._compare import compare_answers, unit_price_text
from exchange.rfq.services._effects import thread_channel
from exchange.rfq.services._expiry import close_threads_on_unavailable_lots, expire_due_offers
from exchange.rfq.services._messages import (
    MAX_FILE_BYTES,
    IncomingFile,
    list_messages,
    open_attachment,
    post_message,
)
from exchange.rfq.services._negotiation import decline_thread, make_offer, open_rfq, withdraw_offer
from exchange.rfq.services._queries import get_thread_for, list_threads_for
from exchange.rfq.services._samples import move_sample, request_sample
from exchange.rfq.services._terms import terms_problems
from exchange.rfq.services._views import offer_out, sample_out
from exchange.rfq.services._wanted import (
    answer_currency,
    answer_wanted,
    answerable_lots,
    cancel_wanted,
    check_wanted,
    create_wanted,
    get_wanted,
    list_wanted,
)

__all__ = [
    "MAX_FILE_BYTES",
    "Accepted",
    "IncomingFile",
    "accept_offer",
    "accept_offer_once",
    "answer_currency",
    "answer_wanted",
    "answerable_lots",
    "cancel_wanted",
    "check_wanted",
    "close_threads_on_unavailable_lots",
    "compare_answers",
    "create_wanted",
    "decline_thread",
    "expire_due_offers",
    "finish_accept",
    "get_thread_for",
    "get_wanted",
    "list_messages",
    "list_threads_for",
    "list_wanted",
    "make_offer",
    "move_sample",
    "offer_out",
    "offer_to_accept",
    "open_attachment",
    "open_rfq",
    "post_message",
    "request_sample",
    "sample_out",
    "terms_problems",
    "thread_channel",
    "unit_price_text",
    "withdraw_offer",
]
