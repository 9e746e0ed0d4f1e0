"""The audit log: one verifiable, append-only record of every state change, hash-chained and checkpointed.

    from exchange.audit import record
    await record(session, actor="org:3", object_type="order", object_id=12, action="ship",
                 before={"status": "paid"}, after={"status": "shipped"}, at=now)

`record` appends in the caller's transaction (it commits with the change it tells about, or not at all).
`latest_checkpoint(session)` is the latest signed `{size, head_hash}` (`.line()` prints it on statements).
"""

from exchange.audit.services import Checkpoint, latest_checkpoint, record

__all__ = ["Checkpoint", "latest_checkpoint", "record"]
