"""What the demo steps share: the demo password, and the ids each step made for the later ones."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

__all__ = ["DemoContext", "DemoStep"]


@dataclass
class DemoContext:
    password: str
    orgs: dict[str, int] = field(default_factory=dict)
    """Demo org handle (e.g. "seller1") -> org id, for later steps."""
    users: dict[str, int] = field(default_factory=dict)
    report: list[str] = field(default_factory=list)
    data_dir: Path | None = None
    """Where uploads go (the demo lots' photos); None: the lots get no photos."""


DemoStep = Callable[[AsyncSession, DemoContext], Awaitable[None]]
