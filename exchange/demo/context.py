"""What the demo steps share: the demo password, and the ids each step made for the later ones."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

__all__ = ["DemoContext", "DemoStep"]


@dataclass
class DemoContext:
    password: str
    orgs: dict[str, int] = field(default_factory=dict)
    """Demo org handle (e.g. "seller1") -> org id, for later steps."""
    users: dict[str, int] = field(default_factory=dict)
    report: list[str] = field(default_factory=list)


DemoStep = Callable[[AsyncSession, DemoContext], Awaitable[None]]
