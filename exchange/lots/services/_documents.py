"""Photos and documents of a lot: uploaded to its draft, readable by whoever may see the lot."""

from __future__ import annotations

from pathlib import Path

from anyio import to_thread
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.principal import Principal
from exchange.errors import Conflict, NotFound, Unprocessable
from exchange.i18n.catalog import N_
from exchange.i18n.messages import Msg
from exchange.lots import rules
from exchange.lots.errors import DOCUMENT_MISSING, DOCUMENT_NOT_FOUND, TOO_MANY_FILES
from exchange.lots.models import LotDocument
from exchange.lots.services._common import own_lot
from exchange.lots.visibility import get_visible_lot
from exchange.specs.catalog import DOCUMENT_KINDS
from exchange.uploads import UploadRule, check_upload, read_stored, remove_stored, store_bytes, uploads_root
from exchange.uploads.thumbnails import make_thumbnail

__all__ = [
    "MAX_DOCUMENTS_PER_LOT",
    "UPLOAD_RULES",
    "add_document",
    "cover_photos",
    "read_document",
    "read_preview",
    "remove_document",
]

MB = 1024 * 1024
_PHOTO = UploadRule(frozenset({"image/jpeg", "image/png", "image/webp"}), 5 * MB)
_PAPER = UploadRule(frozenset({"application/pdf", "image/jpeg", "image/png"}), 10 * MB)
UPLOAD_RULES: dict[str, UploadRule] = {kind: (_PHOTO if kind == "photo" else _PAPER) for kind in DOCUMENT_KINDS}
"""What each kind of upload may be: photos are images up to 5 MB, documents PDF or scans up to 10 MB."""
MAX_DOCUMENTS_PER_LOT = 30
MAX_UPLOAD_BYTES = max(rule.max_bytes for rule in UPLOAD_RULES.values())


async def add_document(
    session: AsyncSession,
    principal: Principal,
    lot_id: int,
    *,
    kind: str,
    filename: str | None,
    content: bytes,
    data_dir: Path,
) -> LotDocument:
    """Attach a checked photo or document to the caller's draft (type read from the bytes, size per kind)."""
    if kind not in UPLOAD_RULES:
        raise Unprocessable(Msg("The kind must be one of: {kinds}.", kinds=", ".join(DOCUMENT_KINDS)), field="kind")
    lot = await own_lot(session, principal, lot_id)
    rules.require_draft(lot.status, "given new files")
    upload = check_upload(content, filename, UPLOAD_RULES[kind])
    count = await session.scalar(select(func.count()).select_from(LotDocument).where(LotDocument.lot_id == lot.id))
    if (count or 0) >= MAX_DOCUMENTS_PER_LOT:
        raise Conflict(
            Msg("A lot holds at most {count} files; remove one first.", count=MAX_DOCUMENTS_PER_LOT),
            code=TOO_MANY_FILES,
        )
    key = await store_bytes(uploads_root(data_dir), f"lots/{lot.id}", upload)
    thumb_key = await _stored_thumbnail(data_dir, lot.id, upload.content) if kind == "photo" else None
    document = LotDocument(
        thumb_key=thumb_key,
        lot_id=lot.id,
        kind=kind,
        filename=upload.filename,
        content_type=upload.content_type,
        size=len(upload.content),
        sha256=upload.sha256,
        storage_key=key,
    )
    session.add(document)
    await session.flush()
    return document


async def _stored_thumbnail(data_dir: Path, lot_id: int, content: bytes) -> str | None:
    """Store a photo's preview; None when Pillow cannot read the photo (pages then show the photo itself)."""
    preview = await to_thread.run_sync(make_thumbnail, content)
    if preview is None:
        return None
    checked = check_upload(preview, "preview.jpg", _PHOTO)
    return await store_bytes(uploads_root(data_dir), f"lots/{lot_id}/previews", checked)


async def read_preview(
    session: AsyncSession, principal: Principal | None, lot_id: int, document_id: int, *, data_dir: Path
) -> tuple[LotDocument, bytes, str]:
    """A photo's preview (or the file itself when it has none) with its content type, for whoever may see
    the lot; 404 otherwise."""
    document, content = await read_document(session, principal, lot_id, document_id, data_dir=data_dir)
    if document.thumb_key:
        preview = await read_stored(uploads_root(data_dir), document.thumb_key)
        if preview is not None:
            return document, preview, "image/jpeg"
    return document, content, document.content_type


async def cover_photos(session: AsyncSession, lot_ids: list[int]) -> dict[int, int]:
    """The first photo of each of these lots: {lot id: document id} (lots without a photo are absent)."""
    if not lot_ids:
        return {}
    rows = await session.execute(
        select(LotDocument.lot_id, func.min(LotDocument.id))
        .where(LotDocument.lot_id.in_(lot_ids), LotDocument.kind == "photo")
        .group_by(LotDocument.lot_id)
    )
    return {row[0]: row[1] for row in rows}


async def _document(session: AsyncSession, lot_id: int, document_id: int) -> LotDocument:
    document = await session.scalar(
        select(LotDocument).where(LotDocument.id == document_id, LotDocument.lot_id == lot_id)
    )
    if document is None:
        raise NotFound(
            Msg("Lot {lot_id} has no file {document_id}.", lot_id=lot_id, document_id=document_id),
            code=DOCUMENT_NOT_FOUND,
        )
    return document


async def read_document(
    session: AsyncSession, principal: Principal | None, lot_id: int, document_id: int, *, data_dir: Path
) -> tuple[LotDocument, bytes]:
    """A file of a lot the caller may see, with its bytes; 404 otherwise."""
    await get_visible_lot(session, principal, lot_id)
    document = await _document(session, lot_id, document_id)
    content = await read_stored(uploads_root(data_dir), document.storage_key)
    if content is None:
        raise NotFound(N_("The file is missing from storage."), code=DOCUMENT_MISSING)
    return document, content


async def remove_document(
    session: AsyncSession, principal: Principal, lot_id: int, document_id: int, *, data_dir: Path
) -> None:
    """Remove a file from the caller's draft."""
    lot = await own_lot(session, principal, lot_id)
    rules.require_draft(lot.status, "changed")
    document = await _document(session, lot.id, document_id)
    await session.delete(document)
    await session.flush()
    shared = await session.scalar(
        select(LotDocument.id).where(LotDocument.storage_key == document.storage_key).limit(1)
    )
    if shared is not None:  # a relisted lot's copy shares the stored file with the lot it relists
        return
    await remove_stored(uploads_root(data_dir), document.storage_key)
    if document.thumb_key:
        await remove_stored(uploads_root(data_dir), document.thumb_key)
