"""The hourly signed checkpoint of the audit log (every worker runs it; the insert is conditional)."""

from __future__ import annotations

from exchange.audit.checkpoints import write_checkpoint
from exchange.audit.journal import append_checkpoint, journal_path
from exchange.audit.signing import load_or_create_key
from exchange.runtime import Runtime
from exchange.scheduler import Job

__all__ = ["CHECKPOINT_EVERY_SECONDS", "JOBS", "checkpoint_log"]

CHECKPOINT_EVERY_SECONDS = 3600.0


async def checkpoint_log(runtime: Runtime) -> None:
    key_path = runtime.settings.audit_key_file
    key = load_or_create_key(key_path)
    async with runtime.session_maker() as session, session.begin():
        written = await write_checkpoint(session, key, at=runtime.clock.now())
    if written is not None:
        append_checkpoint(journal_path(key_path), written)


JOBS = (Job("audit.checkpoint", CHECKPOINT_EVERY_SECONDS, checkpoint_log),)
