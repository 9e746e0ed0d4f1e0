"""A copy of every signed checkpoint outside the database: one canonical JSON line per checkpoint in
`audit-checkpoints.jsonl` beside the key file. Someone who can rewrite the database (drop the triggers,
delete checkpoints and truncate the log) cannot make `verify` forget a checkpoint kept here.

Appended after the checkpoint's transaction committed (a crash in between loses one line, harmlessly).
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import msgspec

from exchange.audit.canonical import canonical_json
from exchange.audit.signing import Checkpoint

__all__ = ["append_checkpoint", "journal_path", "read_journal"]


def journal_path(key_path: Path) -> Path:
    return key_path.parent / "audit-checkpoints.jsonl"


def append_checkpoint(path: Path, checkpoint: Checkpoint) -> None:
    line = canonical_json(
        {
            "size": checkpoint.size,
            "head_hash": checkpoint.head_hash,
            "signature": checkpoint.signature,
            "key_id": checkpoint.key_id,
            "created_at": checkpoint.created_at,
        }
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    # One write(2) of a short line with O_APPEND: lines from several workers never interleave.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        os.write(fd, line + b"\n")
        os.fsync(fd)
    finally:
        os.close(fd)


class _Line(msgspec.Struct):
    size: int
    head_hash: str
    signature: str
    key_id: str
    created_at: datetime


def read_journal(path: Path) -> tuple[list[Checkpoint], list[int]]:
    """The checkpoints in the journal, and the numbers of the lines that could not be read."""
    checkpoints: list[Checkpoint] = []
    unreadable: list[int] = []
    if not path.exists():
        return checkpoints, unreadable
    for number, raw in enumerate(path.read_bytes().splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            line = msgspec.json.decode(raw, type=_Line)
        except msgspec.DecodeError:
            unreadable.append(number)
            continue
        checkpoints.append(Checkpoint(line.size, line.head_hash, line.signature, line.key_id, line.created_at))
    return checkpoints, unreadable
