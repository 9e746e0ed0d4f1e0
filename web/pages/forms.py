"""Reading HTML forms: a flat dict of strings, whatever the client sent."""

from __future__ import annotations

from typing import Any

from litestar import Request

__all__ = ["form_fields", "safe_next"]


async def form_fields(request: Request[Any, Any, Any]) -> dict[str, str]:
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str)}


def safe_next(target: str | None, default: str = "/dashboard") -> str:
    """Only same-site paths are followed after sign-in (no open redirects)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return default
