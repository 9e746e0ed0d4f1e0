"""Messages, attachments and sample orders inside a thread (its two orgs only; admins may read)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, PathParameter
from litestar.response import File
from sqlalchemy.ext.asyncio import AsyncSession

from exchange import paging
from exchange.accounts.guards import current_principal, requires_signed_in, requires_verified_org
from exchange.errors import Unprocessable
from exchange.i18n.catalog import N_
from exchange.params import Id
from exchange.rfq import schemas, services
from exchange.runtime import Runtime

__all__ = ["RfqConversationController", "attachments_dir"]

UPLOAD_BODY_LIMIT = services.MAX_FILE_BYTES + 256 * 1024


def attachments_dir(runtime: Runtime) -> Path:
    return Path(runtime.settings.data_dir) / "rfq-attachments"


@dataclass
class MessageUpload:
    """A message with one photo (JPEG, PNG, WebP) or PDF of at most 5 MB."""

    file: UploadFile
    body: str = ""


async def _message(
    db_session: AsyncSession, request: Request[Any, Any, Any], thread_id: int, message_id: int
) -> schemas.Message:
    messages = await services.list_messages(db_session, current_principal(request), thread_id)
    return next(m for m in messages if m.id == message_id)


class RfqConversationController(Controller):
    path = "/api/rfqs/{thread_id:int}"
    tags = ["rfq"]
    guards = [requires_signed_in]

    @get("/messages", summary="The thread's messages, oldest first, with attachments")
    async def list_messages(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        thread_id: Id,
        limit: paging.Limit = None,
        offset: paging.Offset = None,
    ) -> schemas.MessagePage:
        rows = await services.list_messages(db_session, current_principal(request), thread_id)
        return paging.page_as(schemas.MessagePage, paging.page_of(request, limit, offset, rows))

    @post(
        "/messages",
        status_code=201,
        guards=[requires_verified_org],
        summary="Post a message with optional links (inspection videos, shared documents)",
    )
    async def post_message(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        thread_id: Id,
        data: schemas.MessageCreate,
        runtime: Runtime,
    ) -> schemas.Message:
        if len(data.body) > 4000:
            raise Unprocessable(N_("A message can be at most 4000 characters."), field="body")
        message = await services.post_message(
            db_session,
            current_principal(request),
            thread_id,
            body=data.body,
            links=data.links,
            storage_dir=attachments_dir(runtime),
            runtime=runtime,
        )
        return await _message(db_session, request, thread_id, message.id)

    @post(
        "/messages/upload",
        status_code=201,
        guards=[requires_verified_org],
        request_max_body_size=UPLOAD_BODY_LIMIT,
        summary="Post a message with a photo or PDF (multipart form: file, body)",
    )
    async def upload(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        thread_id: Id,
        data: Annotated[MessageUpload, Body(media_type=RequestEncodingType.MULTI_PART)],
        runtime: Runtime,
    ) -> schemas.Message:
        content = await data.file.read()
        if len(data.body) > 4000:
            raise Unprocessable(N_("A message can be at most 4000 characters."), field="body")
        message = await services.post_message(
            db_session,
            current_principal(request),
            thread_id,
            body=data.body,
            files=[services.IncomingFile(filename=data.file.filename or "attachment", data=content)],
            storage_dir=attachments_dir(runtime),
            runtime=runtime,
        )
        return await _message(db_session, request, thread_id, message.id)

    @get(
        "/attachments/{attachment_id:int}",
        summary="Download a file attached in the thread",
        media_type="application/octet-stream",
    )
    async def attachment(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        thread_id: Id,
        attachment_id: Id,
        runtime: Runtime,
    ) -> File:
        path, content_type, name = await services.open_attachment(
            db_session,
            current_principal(request),
            thread_id,
            attachment_id,
            storage_dir=attachments_dir(runtime),
        )
        return File(path=path, filename=name, media_type=content_type, content_disposition_type="attachment")

    @post(
        "/samples",
        status_code=201,
        guards=[requires_verified_org],
        summary="Order a paid sample (buyer); the seller names the sample price next",
    )
    async def request_sample(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        thread_id: Id,
        data: schemas.SampleCreate,
        runtime: Runtime,
    ) -> schemas.Sample:
        sample = await services.request_sample(db_session, current_principal(request), thread_id, data, runtime=runtime)
        return services.sample_out(sample)

    @post(
        "/samples/{sample_id:int}/price",
        status_code=200,
        guards=[requires_verified_org],
        summary="Name the sample price per unit (seller); the fee is units x unit price",
    )
    async def price_sample(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        thread_id: Id,
        sample_id: Id,
        data: schemas.SamplePrice,
        runtime: Runtime,
    ) -> schemas.Sample:
        sample = await services.move_sample(
            db_session,
            current_principal(request),
            thread_id,
            sample_id,
            "price",
            unit_price=data.unit_price,
            runtime=runtime,
        )
        return services.sample_out(sample)

    @post(
        "/samples/{sample_id:int}/{move:str}",
        status_code=200,
        guards=[requires_verified_org],
        summary="confirm (buyer: the fee becomes due, and is credited if you buy the lot), ship (seller), decline",
    )
    async def move_sample(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        thread_id: Id,
        sample_id: Id,
        move: Annotated[Literal["confirm", "ship", "decline"], PathParameter()],
        runtime: Runtime,
    ) -> schemas.Sample:
        sample = await services.move_sample(
            db_session, current_principal(request), thread_id, sample_id, move, runtime=runtime
        )
        return services.sample_out(sample)
