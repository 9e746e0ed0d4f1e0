"""Jinja environment: filters for money, times and roles used across templates."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from jinja2 import pass_context
from litestar.plugins.jinja import JinjaTemplateEngine

__all__ = ["configure_templates", "nav_for", "register_nav"]

_NAV: dict[str, list[tuple[str, str]]] = {
    "anonymous": [],
    "seller": [("/dashboard", "Dashboard"), ("/orders", "Orders")],
    "buyer": [("/dashboard", "Dashboard"), ("/orders", "Orders")],
    "broker": [("/dashboard", "Dashboard"), ("/orders", "Orders")],
    "admin": [("/dashboard", "Dashboard"), ("/admin/orgs", "Organisations")],
}


def nav_for(role: str) -> list[tuple[str, str]]:
    """Navigation links for a role; capabilities add their pages here."""
    return _NAV.get(role, _NAV["anonymous"])


def register_nav(role: str, href: str, label: str, *, position: int | None = None) -> None:
    items = _NAV.setdefault(role, [])
    if (href, label) in items:
        return
    items.insert(position if position is not None else len(items), (href, label))


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
    env.globals["nav_for"] = nav_for
    env.globals["take_flashes"] = _take_flashes
    env.filters["iso"] = _iso
    env.filters["when"] = _when
