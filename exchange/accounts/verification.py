"""Verifying organisations (know your business): the details and licence an organisation sends, and the
administrator's answer (verified, or rejected with a reason the organisation reads and can correct)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts import schemas
from exchange.accounts.errors import ALREADY_VERIFIED, BAD_USCC, VERIFICATION_INCOMPLETE
from exchange.accounts.models import Org, User
from exchange.accounts.principal import Principal
from exchange.accounts.rules import normalise_uscc, uscc_problem
from exchange.db.base import utcnow
from exchange.errors import Conflict, DomainError, NotFound, Unprocessable
from exchange.i18n.catalog import N_
from exchange.i18n.locales import DEFAULT_LOCALE
from exchange.i18n.messages import Msg
from exchange.mail.outbox import queue_mail
from exchange.notifications.services import notify
from exchange.text import clean_text
from exchange.uploads import UploadRule, check_upload, read_stored, remove_stored, store_bytes, uploads_root

__all__ = [
    "FIELDS",
    "LICENCE_RULE",
    "Details",
    "check_details",
    "detail_problems",
    "is_complete",
    "licence_of",
    "mail_verified",
    "own_org",
    "record_details",
    "reject_org",
    "require_complete",
    "store_licence",
    "submit_details",
    "verification_of",
    "verification_out",
]

LICENCE_RULE = UploadRule(frozenset({"application/pdf", "image/jpeg", "image/png"}), 10 * 1024 * 1024)
"""A business licence: a PDF or a scan (JPEG, PNG) up to 10 MB."""

FIELDS = ("legal_name", "uscc", "address", "contact")
_LABELS = {
    "legal_name": N_("The legal name"),
    "uscc": N_("The Unified Social Credit Code"),
    "address": N_("The registered address"),
    "contact": N_("The contact"),
}


@dataclass(frozen=True, slots=True)
class Details:
    legal_name: str
    uscc: str
    address: str
    contact: str


def _checked(field: str, raw: str, prefix: str) -> str:
    if field == "uscc":
        code = normalise_uscc(clean_text(raw, field=prefix + field, label=_LABELS[field], required=True))
        problem = uscc_problem(code)
        if problem:
            raise Unprocessable(problem, field=prefix + field, code=BAD_USCC)
        return code
    minimum = 2 if field != "contact" else 5
    return clean_text(raw, field=prefix + field, label=_LABELS[field], required=True, min_length=minimum)


def _errors(raw: dict[str, str], prefix: str) -> tuple[dict[str, str], dict[str, DomainError]]:
    values: dict[str, str] = {}
    errors: dict[str, DomainError] = {}
    for field in _LABELS:
        try:
            values[field] = _checked(field, raw.get(field, ""), prefix)
        except DomainError as error:
            errors[error.field or prefix + field] = error
    return values, errors


def detail_problems(raw: dict[str, str], *, prefix: str = "") -> tuple[Details | None, dict[str, str]]:
    """The checked details, or every problem at once by field (`prefix` + legal_name, uscc, address, contact)."""
    values, errors = _errors(raw, prefix)
    if errors:
        return None, {field: error.detail for field, error in errors.items()}
    return Details(**values), {}


def check_details(raw: dict[str, str], *, prefix: str = "") -> Details:
    """The checked details; a 422 naming the first wrong field."""
    values, errors = _errors(raw, prefix)
    if errors:
        raise next(iter(errors.values()))
    return Details(**values)


def record_details(org: Org, details: Details) -> None:
    """Keep the details on the org; a rejection is answered by them (the org is waiting again)."""
    org.legal_name, org.uscc, org.address, org.contact = (
        details.legal_name,
        details.uscc,
        details.address,
        details.contact,
    )
    org.details_submitted_at = utcnow()
    org.rejection_reason = None


def is_complete(org: Org) -> bool:
    return bool(org.legal_name and org.uscc and org.address and org.contact)


def require_complete(org: Org) -> None:
    if not is_complete(org):
        raise Conflict(
            Msg(
                "{org} has not given its legal name, Unified Social Credit Code, address and contact yet; "
                "it cannot be verified before it does.",
                org=org.name,
            ),
            code=VERIFICATION_INCOMPLETE,
        )


def verification_out(org: Org) -> schemas.Verification:
    status = "verified" if org.verified else ("rejected" if org.rejection_reason else "pending")
    licence = (
        schemas.Licence(filename=org.licence_filename or "licence", content_type=org.licence_content_type or "")
        if org.licence_key
        else None
    )
    return schemas.Verification(
        org_id=org.id,
        org_name=org.name,
        status=status,
        legal_name=org.legal_name,
        uscc=org.uscc,
        address=org.address,
        contact=org.contact,
        licence=licence,
        complete=is_complete(org),
        rejection_reason=org.rejection_reason,
    )


async def own_org(session: AsyncSession, principal: Principal) -> Org:
    org = await session.get(Org, principal.org_id) if principal.org_id else None
    if org is None:
        raise NotFound(N_("Your account belongs to no organisation."))
    return org


async def submit_details(session: AsyncSession, principal: Principal, details: Details) -> Org:
    """The caller's organisation sends (or corrects) its details; 409 once it is verified."""
    org = await own_org(session, principal)
    if org.verified:
        raise Conflict(N_("Your organisation is verified; its details cannot be changed here."), code=ALREADY_VERIFIED)
    record_details(org, details)
    await session.flush()
    return org


async def store_licence(session: AsyncSession, org: Org, content: bytes, filename: str | None, data_dir: Path) -> Org:
    """Keep a checked business licence for the org (replacing an earlier one); 409 once it is verified."""
    if org.verified:
        raise Conflict(N_("Your organisation is verified; its licence cannot be changed here."), code=ALREADY_VERIFIED)
    upload = check_upload(content, filename, LICENCE_RULE, field="licence")
    root = uploads_root(data_dir)
    earlier = org.licence_key
    org.licence_key = await store_bytes(root, f"orgs/{org.id}", upload)
    org.licence_filename, org.licence_content_type = upload.filename, upload.content_type
    org.details_submitted_at = utcnow()
    org.rejection_reason = None
    await session.flush()
    if earlier:
        await remove_stored(root, earlier)
    return org


async def _org(session: AsyncSession, org_id: int) -> Org:
    org = await session.get(Org, org_id)
    if org is None:
        raise NotFound(Msg("There is no organisation {org_id}.", org_id=org_id))
    return org


async def verification_of(session: AsyncSession, org_id: int) -> Org:
    return await _org(session, org_id)


async def licence_of(session: AsyncSession, org_id: int, data_dir: Path) -> tuple[Org, bytes]:
    org = await _org(session, org_id)
    content = await read_stored(uploads_root(data_dir), org.licence_key) if org.licence_key else None
    if content is None:
        raise NotFound(Msg("{org} has not uploaded a business licence.", org=org.name))
    return org, content


async def _members(session: AsyncSession, org_id: int) -> list[tuple[str, str]]:
    """Each member's e-mail address and chosen language (e-mails are written in it)."""
    rows = await session.execute(select(User.email, User.locale).where(User.org_id == org_id))
    return [(email, locale or DEFAULT_LOCALE) for email, locale in rows]


async def reject_org(session: AsyncSession, org_id: int, reason: str) -> Org:
    """Refuse to verify, with a reason the organisation is told (a notification and an e-mail to each member)."""
    org = await _org(session, org_id)
    text = clean_text(reason, field="reason", label="The reason", required=True, min_length=5, multiline=True)
    if org.verified:
        raise Conflict(Msg("{org} is verified already.", org=org.name), code=ALREADY_VERIFIED)
    org.rejection_reason, org.rejected_at = text, utcnow()
    await notify(
        session,
        org.id,
        kind="verification_rejected",
        title=Msg("Your organisation was not verified yet"),
        body=Msg(
            "An administrator could not verify {org}: {reason} Correct the details and send them again.",
            org=org.name,
            reason=text,
        ),
        link="/verification",
    )
    for email, locale in await _members(session, org.id):
        queue_mail(
            session,
            to=email,
            subject=Msg("{org} was not verified yet: please correct your details", org=org.name).render(locale),
            body=Msg(
                "An administrator of Surplus Exchange could not verify {org}.\n\n"
                "The reason: {reason}\n\n"
                "Sign in and open Verification (/verification) to correct the details or upload the licence "
                "again; an administrator looks at them once more.\n",
                org=org.name,
                reason=text,
            ).render(locale),
        )
    await session.flush()
    return org


async def mail_verified(session: AsyncSession, org: Org) -> None:
    """Tell the members their organisation may trade now."""
    for email, locale in await _members(session, org.id):
        queue_mail(
            session,
            to=email,
            subject=Msg("{org} is verified", org=org.name).render(locale),
            body=Msg(
                "An administrator verified {org} on Surplus Exchange: your organisation may trade now.\n", org=org.name
            ).render(locale),
        )
