"""Jinja environment: filters for money, times and roles used across templates."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from jinja2 import pass_context
from litestar.plugins.jinja import JinjaTemplateEngine

from exchange.i18n.catalog import N_
from web.confirm_orders import order_confirm
from web.confirm_steps import accept_confirm, sale_confirm
from web.form_errors import plain_words
from web.i18n import configure_i18n

__all__ = ["NAV", "configure_templates", "nav_for"]

NAV: dict[str, tuple[tuple[str, str], ...]] = {
    "anonymous": (("/lots", N_("Browse lots")),),
    "seller": (
        ("/dashboard", N_("Dashboard")),
        ("/lots", N_("Browse lots")),
        ("/seller/lots", N_("My lots")),
        ("/lots/new", N_("Post a lot")),
        ("/orders", N_("Orders")),
        ("/seller/payouts", N_("Payouts")),
        ("/seller/sales", N_("Sales")),
        ("/rfqs", N_("RFQs")),
        ("/wanted", N_("Wanted board")),
        ("/notifications", N_("Notifications")),
    ),
    "buyer": (
        ("/dashboard", N_("Dashboard")),
        ("/lots", N_("Browse lots")),
        ("/orders", N_("Orders")),
        ("/bids", N_("My bids")),
        ("/rfqs", N_("RFQs")),
        ("/wanted", N_("Wanted")),
        ("/saved-searches", N_("Saved searches")),
        ("/proposals", N_("Proposals")),
        ("/notifications", N_("Notifications")),
    ),
    "broker": (
        ("/dashboard", N_("Dashboard")),
        ("/desk", N_("Brokers' desk")),
        ("/lots", N_("Browse lots")),
        ("/orders", N_("Orders")),
        ("/notifications", N_("Notifications")),
    ),
    "admin": (
        ("/dashboard", N_("Dashboard")),
        ("/lots", N_("Browse lots")),
        ("/admin/orgs", N_("Organisations")),
        ("/admin/reviews", N_("Reviews")),
        ("/orders", N_("Orders")),
        ("/admin/disputes", N_("Disputes")),
        ("/admin/fee-schedules", N_("Fees")),
        ("/admin/finance", N_("Finance")),
        ("/rfqs", N_("RFQs")),
    ),
}
"""Each role's navigation links (href, label) in the order shown; a new page adds its link here."""


def nav_for(role: str) -> tuple[tuple[str, str], ...]:
    """Navigation links for a role (an unknown role sees the anonymous links)."""
    return NAV.get(role, NAV["anonymous"])


def _iso(value: datetime | None) -> str:
    return value.isoformat() if value else ""


@pass_context
def _take_flashes(context: Any) -> list[dict[str, str]]:
    """Flash messages for this visitor, emptied once shown; none where no session was loaded (a 404)."""
    request = context.get("request")
    if request is None or "session" not in request.scope or not isinstance(request.scope["session"], dict):
        return []
    messages: list[dict[str, str]] = request.scope["session"].pop("_messages", [])
    return messages


def configure_templates(engine: JinjaTemplateEngine) -> None:
    env: Any = engine.engine
    env.globals["nav_for"] = nav_for
    env.globals["sale_confirm"] = sale_confirm
    env.globals["accept_confirm"] = accept_confirm
    env.globals["order_confirm"] = order_confirm
    env.globals["take_flashes"] = _take_flashes
    env.filters["iso"] = _iso
    env.filters["plain"] = plain_words  # a refusal in plain words: {{ error | plain | tr }}
    configure_i18n(env)
