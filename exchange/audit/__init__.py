"""The audit log: one verifiable, append-only record of every state change, hash-chained and checkpointed.

    from exchange.audit import record
    await record(session, actor="org:3", object_type="order", object_id=12, action="ship",
                 before={"status": "paid"}, after={"status": "shipped"}, at=now)

`record` appends in the caller's transaction (it commits with the change it tells about, or not at all).
`latest_checkpoint(session)` is the latest signed `{size, head_hash}` (`.line()` prints it on statements).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from exchange.audit.services import latest_checkpoint, record
    from exchange.audit.signing import Checkpoint

__all__ = ["Checkpoint", "latest_checkpoint", "record"]


def __getattr__(name: str) -> Any:
    """Imported on first use: `exchange audit verify` reads the log without the ORM models (start-up time)."""
    if name in ("latest_checkpoint", "record"):
        from exchange.audit import services

        return getattr(services, name)
    if name == "Checkpoint":
        from exchange.audit.signing import Checkpoint

        return Checkpoint
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
