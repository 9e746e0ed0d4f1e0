"""Runs the demo steps in order inside one transaction."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.models import Org

__all__ = ["DEMO_STEPS", "DemoContext", "DemoStep", "load_demo"]


@dataclass
class DemoContext:
    password: str
    orgs: dict[str, int] = field(default_factory=dict)
    """Demo org handle (e.g. "seller1") -> org id, for later steps."""
    users: dict[str, int] = field(default_factory=dict)
    report: list[str] = field(default_factory=list)


DemoStep = Callable[[AsyncSession, DemoContext], Awaitable[None]]
DEMO_STEPS: list[tuple[str, DemoStep]] = []


async def load_demo(
    session: AsyncSession, password: str, progress: Callable[[str], None] = print
) -> DemoContext | None:
    """Load every demo step, or nothing (None) when the database already has organisations."""
    if await session.scalar(select(func.count()).select_from(Org)):
        return None
    from exchange.demo import accounts  # noqa: F401  (registers the accounts step first)
    from exchange.demo.registry import import_capability_demos

    import_capability_demos()

    context = DemoContext(password=password)
    for name, step in DEMO_STEPS:
        progress(f"  loading demo {name}…")
        await step(session, context)
        await session.flush()
    return context
