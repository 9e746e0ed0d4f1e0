"""Messages in a thread: text, links (inspection videos, shared documents) and uploaded photos or PDFs.

Only the thread's two orgs and admins read them; files are served through the same check.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from urllib.parse import urlsplit

import anyio
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.principal import Principal
from exchange.errors import NotFound, Problems, Unprocessable
from exchange.i18n.catalog import N_
from exchange.i18n.messages import Msg
from exchange.lots.models import Lot
from exchange.rfq import schemas
from exchange.rfq.errors import ATTACHMENT_NOT_FOUND
from exchange.rfq.models import RfqAttachment, RfqMessage
from exchange.rfq.services._access import load_thread, party_side
from exchange.rfq.services._effects import publish_after_commit
from exchange.rfq.services._notices import notify_thread
from exchange.runtime import Runtime
from exchange.uploads import name_for_type, sniff

__all__ = ["MAX_FILE_BYTES", "IncomingFile", "list_messages", "message_problems", "open_attachment", "post_message"]

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_BODY_CHARS = 4000
_KINDS = {"image/jpeg": "photo", "image/png": "photo", "image/webp": "photo", "application/pdf": "document"}


@dataclass(frozen=True)
class IncomingFile:
    filename: str
    data: bytes


def _sniff(data: bytes) -> tuple[str, str]:
    """The real type of an upload from its first bytes (the client's claim is not trusted)."""
    sniffed = sniff(data)
    if sniffed is not None and sniffed[0] in _KINDS:
        return sniffed[0], _KINDS[sniffed[0]]
    raise Unprocessable(N_("Attach a photo (JPEG, PNG, WebP) or a PDF document."), field="file")


def _check_link(link: schemas.LinkIn, index: int) -> None:
    parts = urlsplit(link.url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise Unprocessable(N_("A link must be an http(s) address."), field=f"links[{index}].url")


def _file_type(incoming: IncomingFile) -> tuple[str, str]:
    if len(incoming.data) > MAX_FILE_BYTES:
        raise Unprocessable(
            Msg("A file can be at most {count} MB.", count=MAX_FILE_BYTES // (1024 * 1024)), field="file"
        )
    return _sniff(incoming.data)


def message_problems(
    body: str, links: list[schemas.LinkIn], files: list[IncomingFile], found: Problems
) -> list[tuple[IncomingFile, str, str]]:
    """A message's text, links and files checked, every problem into `found` in the order the API answers
    them (a page form shows them all at once). The files that pass, with their real type and kind."""
    if len(body) > MAX_BODY_CHARS:
        found.add(Unprocessable(N_("A message can be at most 4000 characters."), field="body"))
    elif not body.strip() and not links and not files:
        found.add(Unprocessable(N_("Write a message or attach something."), field="body"))
    for index, link in enumerate(links):
        found.check(partial(_check_link, link, index))
    sniffed = []
    for incoming in files:
        typed = found.check(partial(_file_type, incoming))
        if typed is not None:
            sniffed.append((incoming, *typed))
    return sniffed


def _attachment_out(att: RfqAttachment, url_prefix: str) -> schemas.Attachment:
    url = att.url or f"{url_prefix}/{att.thread_id}/attachments/{att.id}"
    return schemas.Attachment(
        id=att.id, kind=att.kind, name=att.name, url=url, content_type=att.content_type, size_bytes=att.size_bytes
    )


async def post_message(
    session: AsyncSession,
    principal: Principal,
    thread_id: int,
    *,
    body: str = "",
    links: list[schemas.LinkIn] | None = None,
    files: list[IncomingFile] | None = None,
    storage_dir: Path | None = None,
    runtime: Runtime | None = None,
) -> RfqMessage:
    """A message from one party to the other; needs text, a link or a file (files go under `storage_dir`)."""
    thread = await load_thread(session, principal, thread_id)
    side = party_side(thread, principal)
    links = links or []
    files = [f for f in files or [] if f.data]
    text = body.strip()
    sniffed = message_problems(body, links, files, found := Problems())
    found.raise_first()
    assert principal.org_id is not None
    message = RfqMessage(
        thread_id=thread.id,
        author_org_id=principal.org_id,
        author_user_id=principal.user_id,
        author_side=side,
        body=text,
    )
    session.add(message)
    await session.flush()
    for link in links:
        name = link.name.strip() or urlsplit(link.url).netloc
        session.add(
            RfqAttachment(message_id=message.id, thread_id=thread.id, kind=link.kind, name=name, url=link.url.strip())
        )
    if sniffed and storage_dir is None:
        raise ValueError("post_message needs storage_dir to store files")
    for incoming, content_type, kind in sniffed:
        assert storage_dir is not None
        folder = anyio.Path(storage_dir) / str(thread.id)
        await folder.mkdir(parents=True, exist_ok=True)
        key = f"{thread.id}/{uuid.uuid4().hex}"
        await (anyio.Path(storage_dir) / key).write_bytes(incoming.data)
        session.add(
            RfqAttachment(
                message_id=message.id,
                thread_id=thread.id,
                kind=kind,
                name=name_for_type(incoming.filename, content_type, "attachment"),
                storage_key=key,
                content_type=content_type,
                size_bytes=len(incoming.data),
            )
        )
    await session.flush()
    lot_title = await session.scalar(select(Lot.title).where(Lot.id == thread.lot_id)) or f"lot {thread.lot_id}"
    counterpart = thread.seller_org_id if side == "buyer" else thread.buyer_org_id
    await notify_thread(
        session,
        counterpart,
        thread.id,
        kind="rfq_message",
        title=Msg("New message about {title}", title=lot_title),
        body=text[:200],
        runtime=runtime,
    )
    publish_after_commit(session, runtime, thread.id, "message")
    return message


async def list_messages(
    session: AsyncSession, principal: Principal, thread_id: int, *, url_prefix: str = "/api/rfqs"
) -> list[schemas.Message]:
    """Every message of a thread, oldest first, with its attachments."""
    thread = await load_thread(session, principal, thread_id)
    messages = list(
        await session.scalars(
            select(RfqMessage).where(RfqMessage.thread_id == thread.id).order_by(RfqMessage.created_at, RfqMessage.id)
        )
    )
    attachments: dict[int, list[schemas.Attachment]] = {}
    for att in await session.scalars(
        select(RfqAttachment).where(RfqAttachment.thread_id == thread.id).order_by(RfqAttachment.id)
    ):
        attachments.setdefault(att.message_id, []).append(_attachment_out(att, url_prefix))
    return [
        schemas.Message(
            id=m.id,
            thread_id=m.thread_id,
            author_org_id=m.author_org_id,
            author_side=m.author_side,
            body=m.body,
            attachments=attachments.get(m.id, []),
            created_at=m.created_at,
        )
        for m in messages
    ]


async def open_attachment(
    session: AsyncSession, principal: Principal, thread_id: int, attachment_id: int, *, storage_dir: Path
) -> tuple[Path, str, str]:
    """(path, content type, file name) of a stored file in a thread the caller may read; 404 otherwise."""
    thread = await load_thread(session, principal, thread_id)
    att = await session.get(RfqAttachment, attachment_id)
    if att is None or att.thread_id != thread.id or att.storage_key is None:
        raise NotFound(
            Msg("There is no file {attachment_id} in this thread.", attachment_id=attachment_id),
            code=ATTACHMENT_NOT_FOUND,
        )
    path = Path(storage_dir) / att.storage_key
    if not path.is_file():
        raise NotFound(N_("This file is no longer stored."), code=ATTACHMENT_NOT_FOUND)
    content_type = att.content_type or "application/octet-stream"
    # Named for its real type even if it was stored before names were: never `.html` for a PDF.
    return path, content_type, name_for_type(att.name, content_type, "attachment")
