"""The Ed25519 key that signs checkpoints: a file outside the database (AUDIT_KEY_PATH, by default
`<data dir>/audit-ed25519.key`), made on first use, readable by its owner only (0600)."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from exchange.audit.canonical import canonical_json, canonical_time

__all__ = [
    "Checkpoint",
    "PrivateKey",
    "PublicKey",
    "checkpoint_message",
    "key_id_of",
    "load_or_create_key",
    "public_key_pem",
    "read_public_key",
]

PrivateKey = Ed25519PrivateKey
PublicKey = Ed25519PublicKey


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A signed statement that the log had `size` records ending in `head_hash` (print it on statements)."""

    size: int
    head_hash: str
    signature: str
    key_id: str
    created_at: datetime

    def line(self) -> str:
        """One line for a printed statement."""
        return (
            f"Audit checkpoint: {self.size} records, head {self.head_hash}, "
            f"signed {canonical_time(self.created_at)} by key {self.key_id[:16]} (Ed25519 {self.signature[:32]}…)"
        )


def checkpoint_message(size: int, head_hash: str) -> bytes:
    """What a checkpoint signs: canonical JSON `{"head_hash": "<hex>", "size": n}`."""
    return canonical_json({"head_hash": head_hash, "size": size})


def key_id_of(public_key: PublicKey) -> str:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def load_or_create_key(path: Path) -> PrivateKey:
    """The private key at `path` (PEM, PKCS#8); made with mode 0600 when the file does not exist yet.
    O_EXCL: of several workers making it at once, one writes it and all read that one."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "wb") as handle:
                handle.write(pem)
                handle.flush()
                os.fsync(handle.fileno())
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} does not hold an Ed25519 private key")
    return key


def public_key_pem(key: PrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def read_public_key(path: Path) -> PublicKey:
    """A public key file (PEM), or the public half of a private key file."""
    data = path.read_bytes()
    if b"PRIVATE KEY" in data:
        private = serialization.load_pem_private_key(data, password=None)
        if not isinstance(private, Ed25519PrivateKey):
            raise ValueError(f"{path} does not hold an Ed25519 key")
        return private.public_key()
    public = serialization.load_pem_public_key(data)
    if not isinstance(public, Ed25519PublicKey):
        raise ValueError(f"{path} does not hold an Ed25519 public key")
    return public
