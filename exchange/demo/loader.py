"""Runs the demo steps in order inside one transaction."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.models import Org
from exchange.demo.context import DemoContext, DemoStep
from exchange.demo.steps import DEMO_STEPS

__all__ = ["load_demo"]


async def load_demo(
    session: AsyncSession,
    password: str,
    progress: Callable[[str], None] = print,
    steps: Sequence[tuple[str, DemoStep]] = DEMO_STEPS,
    data_dir: Path | None = None,
) -> DemoContext | None:
    """Load every demo step, or nothing (None) when the database already has organisations."""
    if await session.scalar(select(func.count()).select_from(Org)):
        return None
    context = DemoContext(password=password, data_dir=data_dir)
    for name, step in steps:
        progress(f"  loading demo {name}…")
        await step(session, context)
        await session.flush()
    return context
