"""Checked uploads on disk: the type is read from the file's first bytes (never the client's claim),
the size is limited per kind, and the stored name is ours (never derived from the client's name).
The name shown and given on download keeps the client's stem, with the extension of the real type."""

from __future__ import annotations

import hashlib
import os
import re
import uuid
from dataclasses import dataclass
from pathlib import Path

from anyio import to_thread

from exchange.errors import DomainError, Unprocessable
from exchange.i18n.catalog import N_
from exchange.i18n.messages import Msg
from exchange.uploads.errors import EMPTY_FILE, FILE_TOO_LARGE, FILE_TYPE

__all__ = [
    "UploadRule",
    "check_upload",
    "name_for_type",
    "read_stored",
    "remove_stored",
    "sniff",
    "store_bytes",
    "uploads_root",
]

_SIGNATURES: list[tuple[bytes, int, str, str]] = [
    (b"\xff\xd8\xff", 0, "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", 0, "image/png", "png"),
    (b"WEBP", 8, "image/webp", "webp"),
    (b"%PDF-", 0, "application/pdf", "pdf"),
]
_EXTENSIONS = {content_type: extension for _, _, content_type, extension in _SIGNATURES}
_ALIASES = {"jpg": {"jpg", "jpeg"}}
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f/\\]+")


class TooLarge(DomainError):
    status_code = 413
    code = FILE_TOO_LARGE.code
    title = "File too large"


@dataclass(frozen=True, slots=True)
class UploadRule:
    """What a kind of upload may be: its content types and largest size."""

    content_types: frozenset[str]
    max_bytes: int

    def describe(self) -> str:
        names = sorted(t.split("/")[1].upper() for t in self.content_types)
        return f"{', '.join(names)} up to {self.max_bytes // (1024 * 1024)} MB"


@dataclass(frozen=True, slots=True)
class CheckedUpload:
    content: bytes
    content_type: str
    extension: str
    filename: str
    sha256: str


def sniff(content: bytes) -> tuple[str, str] | None:
    """(content type, extension) read from the file's first bytes; None for a type we do not take."""
    for signature, offset, content_type, extension in _SIGNATURES:
        if content[offset : offset + len(signature)] == signature:
            if content_type == "image/webp" and not content.startswith(b"RIFF"):
                continue
            return content_type, extension
    return None


def name_for_type(filename: str | None, content_type: str, default_stem: str = "upload") -> str:
    """The client's file name without its folders, control characters or a wrong extension: a PDF
    sent as `x.html` is `x.pdf`, so no browser or desktop opens it as what it is not."""
    base = _UNSAFE_NAME.sub("_", os.path.basename((filename or "").replace("\\", "/"))).strip(" .")
    extension = _EXTENSIONS.get(content_type)
    if extension is None:
        return (base or default_stem)[:200]
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem = base
    elif suffix.lower() in _ALIASES.get(extension, {extension}):
        return base[:200]
    stem = stem.strip(" .")[: 200 - len(extension) - 1] or default_stem
    return f"{stem}.{extension}"


def check_upload(content: bytes, filename: str | None, rule: UploadRule, *, field: str = "file") -> CheckedUpload:
    """The upload if its real type and size fit the rule; 413 when too large, 422 for a wrong type."""
    if not content:
        raise Unprocessable(N_("The file is empty."), field=field, code=EMPTY_FILE)
    if len(content) > rule.max_bytes:
        raise TooLarge(
            Msg(
                "The file is {size} MB; the limit is {limit}.",
                size=round(len(content) / (1024 * 1024), 1),
                limit=rule.describe(),
            ),
            field=field,
        )
    sniffed = sniff(content)
    if sniffed is None or sniffed[0] not in rule.content_types:
        raise Unprocessable(
            Msg("This file type is not accepted here; upload {kinds}.", kinds=rule.describe()),
            field=field,
            code=FILE_TYPE,
        )
    content_type, extension = sniffed
    return CheckedUpload(
        content=content,
        content_type=content_type,
        extension=extension,
        filename=name_for_type(filename, content_type),
        sha256=hashlib.sha256(content).hexdigest(),
    )


def uploads_root(data_dir: Path) -> Path:
    return data_dir / "uploads"


def _path(root: Path, key: str) -> Path:
    path = (root / key).resolve()
    if not path.is_relative_to(root.resolve()):
        raise ValueError("storage key escapes the uploads directory")
    return path


def _write(root: Path, key: str, content: bytes) -> None:
    path = _path(root, key)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(path.suffix + ".part")
    temporary.write_bytes(content)
    os.replace(temporary, path)


async def store_bytes(root: Path, folder: str, upload: CheckedUpload) -> str:
    """Write the file under `root/folder/` with a random name; returns its storage key."""
    key = f"{folder}/{uuid.uuid4().hex}.{upload.extension}"
    await to_thread.run_sync(_write, root, key, upload.content)
    return key


async def read_stored(root: Path, key: str) -> bytes | None:
    path = _path(root, key)
    if not await to_thread.run_sync(path.is_file):
        return None
    return await to_thread.run_sync(path.read_bytes)


async def remove_stored(root: Path, key: str) -> None:
    path = _path(root, key)
    await to_thread.run_sync(lambda: path.unlink(missing_ok=True))
