"""A refused search on the browse page, in words for people.

The JSON API names the query parameter and its allowed values (`grade must be one of: A, B, C`), which suits a
developer building a URL. The browse page shows the same refusal to a buyer who followed a link or edited one,
so a problem with a parameter's name, a list of codes or the `spec.` syntax in it is said in plain words here.
"""

from __future__ import annotations

from exchange.errors import DomainError
from exchange.i18n.catalog import N_
from exchange.i18n.messages import Msg
from web.form_errors import plain_words

__all__ = ["search_problem"]

_BY_PARAMETER = {
    "grade": N_("Choose a grade from the filters."),
    "mode": N_("Choose a way of selling from the filters."),
    "status": N_("Choose a status from the filters."),
    "sort": N_("Choose an order from the list."),
    "limit": N_("This page of results does not exist; start again from the first page."),
    "offset": N_("This page of results does not exist; start again from the first page."),
    "price_min": N_("Enter the lowest price in plain digits, like 40000.00."),
    "price_max": N_("Enter the highest price in plain digits, like 40000.00."),
}
SPEC_SYNTAX = N_("This spec filter cannot be read; clear it and choose again from the filters.")


def search_problem(problem: DomainError) -> Msg | str:
    """What the browse page says about a search it could not run."""
    field = problem.field or ""
    if field in _BY_PARAMETER:
        return Msg(_BY_PARAMETER[field])
    carried = getattr(problem.detail, "msg", None)
    msgid = carried.msgid if isinstance(carried, Msg) else str(problem.detail)
    if field.startswith("spec.") and ("spec." in msgid or "{param}" in msgid):
        return Msg(SPEC_SYNTAX)
    return plain_words(problem)
