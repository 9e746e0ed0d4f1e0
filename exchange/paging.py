"""One way to page every API list: `?limit=&offset=` in, `{items, total, next}` out (as GET /api/lots).

A route declares `limit: Limit = None, offset: Offset = None`, reads its window with `window(limit, offset)`
and answers `Page[Item]` (a subclass of it when the list carries extra top-level fields), built with
`page_of(request, window, rows)` or, when the query already counted and sliced, `Page(items, total, next)`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, Generic, TypeVar
from urllib.parse import urlencode

import msgspec
from litestar import Request
from litestar.params import QueryParameter
from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.errors import Unprocessable
from exchange.i18n.messages import Msg

__all__ = [
    "DEFAULT_LIMIT",
    "MAX_LIMIT",
    "MAX_OFFSET",
    "Limit",
    "Offset",
    "Page",
    "Window",
    "fetch_window",
    "page_as",
    "page_of",
    "window",
]

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
MAX_OFFSET = 1_000_000_000

Limit = Annotated[str | None, QueryParameter(description=f"1 to {MAX_LIMIT}, default {DEFAULT_LIMIT}")]
Offset = Annotated[str | None, QueryParameter(description="How many to skip (default 0)")]

T = TypeVar("T")
P = TypeVar("P", bound="Page[Any]")


class Page(msgspec.Struct, Generic[T]):
    items: list[T]
    total: int
    """How many there are in all (every page)."""
    next: str | None
    """The URL of the next page, or null on the last page."""


class Window:
    """A checked `limit`/`offset` pair."""

    def __init__(self, limit: int, offset: int) -> None:
        self.limit = limit
        self.offset = offset

    def next_url(self, path: str, total: int, **params: Any) -> str | None:
        """The next page's URL with `params` (None values left out), or None on the last page."""
        kept = [(k, str(v)) for k, v in params.items() if v is not None]
        return self._next(path, total, kept)

    def next_url_for(self, request: Request[Any, Any, Any], total: int) -> str | None:
        """The next page's URL keeping every query parameter of `request` but the offset."""
        kept = [(k, v) for k, v in request.query_params.multi_items() if k not in {"limit", "offset"}]
        return self._next(request.url.path, total, kept)

    def _next(self, path: str, total: int, kept: list[tuple[str, str]]) -> str | None:
        following = self.offset + self.limit
        if following >= total:
            return None
        return f"{path}?{urlencode([*kept, ('limit', str(self.limit)), ('offset', str(following))])}"


def window(limit: str | None, offset: str | None, *, default: int = DEFAULT_LIMIT, most: int = MAX_LIMIT) -> Window:
    """A 422 naming the parameter when either is not a whole number in range."""
    return Window(_whole(limit, "limit", default, 1, most), _whole(offset, "offset", 0, 0, MAX_OFFSET))


def page_of(request: Request[Any, Any, Any], limit: str | None, offset: str | None, rows: Sequence[T]) -> Page[T]:
    """The requested page of a whole list already in its order (for lists an organisation keeps small)."""
    w = window(limit, offset)
    total = len(rows)
    return Page(items=list(rows[w.offset : w.offset + w.limit]), total=total, next=w.next_url_for(request, total))


async def fetch_window(session: AsyncSession, query: Select[Any], w: Window) -> tuple[list[Any], int]:
    """The rows of `query` (already ordered) inside the window, and how many rows it has in all."""
    total = await session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = (await session.execute(query.limit(w.limit).offset(w.offset))).all()
    return list(rows), int(total or 0)


def page_as(kind: type[P], page: Page[Any], **extra: Any) -> P:
    """`page` as `kind`, a Page subclass with extra top-level fields (`extra`)."""
    return kind(items=page.items, total=page.total, next=page.next, **extra)


def _whole(raw: str | None, name: str, default: int, low: int, high: int) -> int:
    if raw is None:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise Unprocessable(
            Msg("{name} must be a whole number from {low} to {high}.", name=name, low=low, high=high), field=name
        )
    return int(raw)
