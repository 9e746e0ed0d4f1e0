"""Jinja environment: filters for money, times and roles used across templates."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from jinja2 import pass_context
from litestar.plugins.jinja import JinjaTemplateEngine

from web.confirm_steps import accept_confirm, sale_confirm

__all__ = ["NAV", "configure_templates", "nav_for"]

NAV: dict[str, tuple[tuple[str, str], ...]] = {
    "anonymous": (("/lots", "Browse lots"),),
    "seller": (
        ("/dashboard", "Dashboard"),
        ("/lots", "Browse lots"),
        ("/seller/lots", "My lots"),
        ("/lots/new", "Post a lot"),
        ("/orders", "Orders"),
        ("/seller/payouts", "Payouts"),
        ("/seller/sales", "Sales"),
        ("/rfqs", "RFQs"),
        ("/wanted", "Wanted board"),
        ("/notifications", "Notifications"),
    ),
    "buyer": (
        ("/dashboard", "Dashboard"),
        ("/lots", "Browse lots"),
        ("/orders", "Orders"),
        ("/bids", "My bids"),
        ("/rfqs", "RFQs"),
        ("/wanted", "Wanted"),
        ("/saved-searches", "Saved searches"),
        ("/proposals", "Proposals"),
        ("/notifications", "Notifications"),
    ),
    "broker": (
        ("/dashboard", "Dashboard"),
        ("/desk", "Brokers' desk"),
        ("/lots", "Browse lots"),
        ("/orders", "Orders"),
        ("/notifications", "Notifications"),
    ),
    "admin": (
        ("/dashboard", "Dashboard"),
        ("/lots", "Browse lots"),
        ("/admin/orgs", "Organisations"),
        ("/admin/reviews", "Reviews"),
        ("/orders", "Orders"),
        ("/admin/disputes", "Disputes"),
        ("/admin/fee-schedules", "Fees"),
        ("/admin/finance", "Finance"),
        ("/rfqs", "RFQs"),
    ),
}
"""Each role's navigation links (href, label) in the order shown; a new page adds its link here."""


def nav_for(role: str) -> tuple[tuple[str, str], ...]:
    """Navigation links for a role (an unknown role sees the anonymous links)."""
    return NAV.get(role, NAV["anonymous"])


def _iso(value: datetime | None) -> str:
    return value.isoformat() if value else ""


def _when(value: datetime | None) -> str:
    return value.strftime("%d %b %Y, %H:%M UTC") if value else ""


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
    if "_" not in env.globals:
        # Text of the newer pages is marked for translation; until catalogues are loaded it reads as written.
        env.add_extension("jinja2.ext.i18n")
        env.install_null_translations(newstyle=True)
    env.globals["nav_for"] = nav_for
    env.globals["sale_confirm"] = sale_confirm
    env.globals["accept_confirm"] = accept_confirm
    env.globals["take_flashes"] = _take_flashes
    env.filters["iso"] = _iso
    env.filters["when"] = _when
