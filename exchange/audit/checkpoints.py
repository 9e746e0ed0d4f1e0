"""Signed checkpoints: `{size, head_hash}` of the log signed with the exchange's Ed25519 key.

Written hourly by the `audit.checkpoint` job (only when the log grew) and on demand by
`exchange audit checkpoint`. Safe with several workers: the insert is conditional on no checkpoint
being at this size or beyond, and `size` is unique, so racing writers store one.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import exists, literal, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.audit.models import AuditCheckpoint
from exchange.audit.services import head, latest_checkpoint
from exchange.audit.signing import Checkpoint, PrivateKey, checkpoint_message, key_id_of

__all__ = ["write_checkpoint"]


async def write_checkpoint(session: AsyncSession, key: PrivateKey, *, at: datetime) -> Checkpoint | None:
    """Sign the log's current head and store it in the caller's transaction; None when the log is empty
    or has not grown since the latest checkpoint (or another worker stored this one first)."""
    size, last_hash = await head(session)
    if size == 0:
        return None
    head_hash = last_hash.hex()
    signature = key.sign(checkpoint_message(size, head_hash)).hex()
    key_id = key_id_of(key.public_key())
    values = select(literal(size), literal(head_hash), literal(signature), literal(key_id), literal(at)).where(
        ~exists().where(AuditCheckpoint.size >= size)
    )
    columns = ["size", "head_hash", "signature", "key_id", "created_at"]
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(AuditCheckpoint)
        .from_select(columns, values)
        .on_conflict_do_nothing(index_elements=["size"])
        .returning(AuditCheckpoint.id)
    )
    inserted = (await session.execute(statement)).first()
    if inserted is None:
        return None
    return await latest_checkpoint(session)
