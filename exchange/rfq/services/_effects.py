"""Side effects that must wait for the commit: live events that make pages re-fetch what they may see."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.live.channels import publish_event
from exchange.runtime import Runtime

__all__ = ["publish_after_commit", "thread_channel"]

_PENDING = "rfq_after_commit"


def thread_channel(thread_id: int) -> str:
    return f"rfq:{thread_id}"


def _run_pending(session: Any) -> None:
    for action in session.info.pop(_PENDING, []):
        action()


def _drop_pending(session: Any) -> None:
    session.info.pop(_PENDING, None)


def _after_commit(session: AsyncSession, action: Callable[[], None]) -> None:
    sync_session = session.sync_session
    if not sync_session.info.get("rfq_hooked"):
        event.listen(sync_session, "after_commit", _run_pending)
        event.listen(sync_session, "after_soft_rollback", lambda s, _tx: _drop_pending(s))
        sync_session.info["rfq_hooked"] = True
    sync_session.info.setdefault(_PENDING, []).append(action)


def publish_after_commit(session: AsyncSession, runtime: Runtime | None, thread_id: int, event_name: str) -> None:
    """Tell open thread pages that something changed (no content: they re-fetch through the access check)."""
    if runtime is None:
        return
    _after_commit(session, lambda: publish_event(runtime, thread_channel(thread_id), event_name, {}))
