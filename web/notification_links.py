"""Where a notification leads, in words ("Open order #12"), instead of the raw path it links to."""

from __future__ import annotations

import re

from exchange.i18n.catalog import N_
from exchange.i18n.messages import Msg

__all__ = ["link_words"]

_ROUTES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^/orders/(?P<id>\d+)$"), N_("Open order #{id}")),
    (re.compile(r"^/rfqs/(?P<id>\d+)$"), N_("Open the negotiation")),
    (re.compile(r"^/wanted/(?P<id>\d+)$"), N_("Compare the quotes")),
    (re.compile(r"^/lots/(?P<id>\d+)/pricing$"), N_("See the pricing advice")),
    (re.compile(r"^/lots/(?P<id>\d+)(/sale)?$"), N_("Open the lot")),
    (re.compile(r"^/proposals/(?P<id>\d+)$"), N_("Open proposal #{id}")),
    (re.compile(r"^/disputes/(?P<id>\d+)$"), N_("Open dispute #{id}")),
    (re.compile(r"^/saved-searches$"), N_("Your saved searches")),
    (re.compile(r"^/admin/disputes$"), N_("Open the arbitration queue")),
    (re.compile(r"^/admin/reviews$"), N_("Open the review queue")),
    (re.compile(r"^/admin/orgs$"), N_("Open the organisations")),
)


def link_words(link: str) -> str:
    """The words for a notification's link in the current language ("" without a link)."""
    if not link:
        return ""
    for pattern, words in _ROUTES:
        found = pattern.match(link)
        if found:
            return Msg(words, id=found.groupdict().get("id", "")).render()
    return Msg(N_("Open")).render()
