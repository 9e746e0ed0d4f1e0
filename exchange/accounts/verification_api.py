"""The verification (know your business) API: an organisation's details and licence, the admin's answer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote

from litestar import Controller, Request, Response, get, post, put
from litestar.datastructures import State, UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts import schemas, verification
from exchange.accounts.guards import current_principal, requires_admin, requires_signed_in
from exchange.params import Id

__all__ = ["VerificationController", "licence_response"]


@dataclass
class LicenceUpload:
    file: UploadFile
    """The business licence: a PDF, JPEG or PNG up to 10 MB"""


def licence_response(filename: str, content_type: str, content: bytes) -> Response[bytes]:
    """A licence file served so that no browser runs it as a page (the admin page uses this too)."""
    return Response(
        content=content,
        media_type=content_type,
        headers={
            "Content-Disposition": f"inline; filename*=UTF-8''{quote(filename)}",
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
            "Cache-Control": "private, no-store",
        },
    )


class VerificationController(Controller):
    path = "/api"
    tags = ["accounts"]

    @get("/me/verification", guards=[requires_signed_in], summary="My organisation's verification and its details")
    async def mine(self, request: Request[Any, Any, Any], db_session: AsyncSession) -> schemas.Verification:
        return verification.verification_out(await verification.own_org(db_session, current_principal(request)))

    @put(
        "/me/verification",
        guards=[requires_signed_in],
        summary="Send or correct my organisation's details for verification",
        description="Answers a rejection: the organisation is pending again until an administrator decides.",
    )
    async def submit(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, data: schemas.VerificationIn
    ) -> schemas.Verification:
        details = verification.check_details(
            {"legal_name": data.legal_name, "uscc": data.uscc, "address": data.address, "contact": data.contact}
        )
        org = await verification.submit_details(db_session, current_principal(request), details)
        return verification.verification_out(org)

    @put(
        "/me/verification/licence",
        guards=[requires_signed_in],
        summary="Upload my organisation's business licence (PDF, JPEG or PNG up to 10 MB)",
        request_max_body_size=verification.LICENCE_RULE.max_bytes + 256 * 1024,
    )
    async def licence(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        state: State,
        data: Annotated[LicenceUpload, Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> schemas.Verification:
        org = await verification.own_org(db_session, current_principal(request))
        content = await data.file.read()
        await verification.store_licence(db_session, org, content, data.file.filename, state.settings.data_dir)
        return verification.verification_out(org)

    @get(
        "/admin/orgs/{org_id:int}/verification",
        guards=[requires_admin],
        summary="An organisation's verification details (admin)",
    )
    async def details(self, org_id: Id, db_session: AsyncSession) -> schemas.Verification:
        return verification.verification_out(await verification.verification_of(db_session, org_id))

    @get(
        "/admin/orgs/{org_id:int}/licence",
        guards=[requires_admin],
        summary="An organisation's business licence (admin)",
    )
    async def licence_file(self, org_id: Id, db_session: AsyncSession, state: State) -> Response[bytes]:
        org, content = await verification.licence_of(db_session, org_id, state.settings.data_dir)
        return licence_response(org.licence_filename or "licence", org.licence_content_type or "", content)

    @post(
        "/admin/orgs/{org_id:int}/reject",
        status_code=200,
        guards=[requires_admin],
        summary="Refuse to verify an organisation, with a reason it is told (admin)",
    )
    async def reject(self, org_id: Id, db_session: AsyncSession, data: schemas.RejectIn) -> schemas.Verification:
        return verification.verification_out(await verification.reject_org(db_session, org_id, data.reason))
