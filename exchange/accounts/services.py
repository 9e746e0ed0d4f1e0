"""Account use cases shared by the JSON API, the pages and the CLI."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from anyio import to_thread
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts import schemas, verification
from exchange.accounts.errors import BAD_CREDENTIALS
from exchange.accounts.guards import bearer_challenge
from exchange.accounts.mails import registration_attempt_mail
from exchange.accounts.models import Org, RevokedToken, User
from exchange.accounts.passwords import hash_password, password_matches
from exchange.accounts.principal import Principal
from exchange.accounts.rules import normalise_email, password_problem
from exchange.db.base import utcnow
from exchange.errors import NotFound, Problems, Unauthorized, Unprocessable
from exchange.i18n.catalog import N_
from exchange.i18n.messages import Msg
from exchange.mail.outbox import queue_mail
from exchange.uploads import check_upload

__all__ = [
    "Registered",
    "authenticate",
    "check_registration",
    "checked_password",
    "create_admin",
    "list_orgs",
    "load_principal",
    "org_out",
    "register",
    "registration_problems",
    "user_out",
    "verify_org",
]


Registered = tuple[schemas.User, schemas.Org]


def user_out(user: User) -> schemas.User:
    return schemas.User(id=user.id, email=user.email, name=user.name, is_admin=user.is_admin)


def org_out(org: Org) -> schemas.Org:
    return schemas.Org(id=org.id, name=org.name, kind=org.kind, verified=org.verified)


def _checked_email(raw: str) -> str:
    email = normalise_email(raw)
    if email is None:
        raise Unprocessable(N_("Enter a valid email address, like name@company.com."), field="email")
    return email


async def checked_password(
    password: str, email: str, *, also_avoid: tuple[str, ...] = (), field: str = "password"
) -> None:
    """Refuse a weak password with a 422 naming `field` (the estimate runs in a worker thread)."""
    problem = await to_thread.run_sync(lambda: password_problem(password, email=email, also_avoid=also_avoid))
    if problem:
        raise Unprocessable(problem, field=field)


async def _email_taken(session: AsyncSession, email: str) -> bool:
    return (await session.scalar(select(func.count()).select_from(User).where(User.email == email))) != 0


async def _next_ids(session: AsyncSession) -> tuple[int, int]:
    users = await session.scalar(select(func.coalesce(func.max(User.id), 0) + 1))
    orgs = await session.scalar(select(func.coalesce(func.max(Org.id), 0) + 1))
    return int(users or 1), int(orgs or 1)


async def _answer_taken(session: AsyncSession, email: str, name: str, org_name: str, kind: str) -> Registered:
    """The answer a new registration would get, made up; the address's owner is told by e-mail instead.

    The ids are those the next registration will take, so the answer looks like any other."""
    locale = await session.scalar(select(User.locale).where(User.email == email))
    queue_mail(session, to=email, **registration_attempt_mail(email, locale))
    user_id, org_id = await _next_ids(session)
    return (
        schemas.User(id=user_id, email=email, name=name),
        schemas.Org(id=org_id, name=org_name, kind=kind, verified=False),
    )


def _given_details(org: schemas.OrgCreate) -> verification.Details | None:
    """The org's verification details when the registration gives any (all four are then needed)."""
    raw = {"legal_name": org.legal_name, "uscc": org.uscc, "address": org.address, "contact": org.contact}
    if all(value is None for value in raw.values()):
        return None
    return verification.check_details({k: v or "" for k, v in raw.items()}, prefix="org.")


async def registration_problems(
    found: Problems,
    *,
    email: str | None,
    password: str | None,
    name: str | None,
    org_name: str | None,
    org: schemas.OrgCreate | None = None,
) -> verification.Details | None:
    """Every problem of a registration's email, name, org name, verification details and password into `found`,
    in the order the API answers them; a field given as None (a page form could not read it) is not checked.
    The org's verification details when it gives any."""
    if email is not None:
        found.check(lambda: _checked_email(email))
    if name is not None and not name.strip():
        found.add(Unprocessable(N_("Enter your name."), field="name"))
    if org_name is not None and len(org_name.strip()) < 2:
        found.add(Unprocessable(N_("Enter your organisation's name (at least 2 characters)."), field="org.name"))
    details = found.check(lambda: _given_details(org)) if org is not None else None
    if password is not None:
        avoid = tuple(text.strip() for text in (name, org_name) if text)
        try:
            await checked_password(password, normalise_email(email or "") or "", also_avoid=avoid)
        except Unprocessable as error:
            found.add(error)
    return details


async def check_registration(data: schemas.RegisterIn) -> tuple[str, str, str, verification.Details | None]:
    """The registration's email, name and org name checked (a 422 naming the first wrong field, with the others
    in its `also`), with the org's verification details when it gives any."""
    found = Problems()
    details = await registration_problems(
        found, email=data.email, password=data.password, name=data.name, org_name=data.org.name, org=data.org
    )
    found.raise_first()
    return normalise_email(data.email) or "", data.name.strip(), data.org.name.strip(), details


async def register(
    session: AsyncSession,
    data: schemas.RegisterIn,
    *,
    licence: tuple[bytes, str | None] | None = None,
    data_dir: Path | None = None,
) -> Registered:
    """Create an organisation and its first member (the owner). The org starts unverified.

    An email that already has an account gets the same answer as a new one (no account enumeration);
    nothing is created and the account's owner gets an e-mail about the attempt. Both paths hash the
    password, so they take the same time too."""
    email, name, org_name, details = await check_registration(data)
    if licence is not None:
        check_upload(licence[0], licence[1], verification.LICENCE_RULE, field="licence")
    password_hash = await to_thread.run_sync(hash_password, data.password)
    if await _email_taken(session, email):
        return await _answer_taken(session, email, name, org_name, data.org.kind)
    org = Org(name=org_name, kind=data.org.kind)
    user = User(email=email, name=name, password_hash=password_hash, org=org, role="owner")
    session.add_all([org, user])
    try:
        await session.flush()
    except IntegrityError:  # a concurrent registration with the same email won the race
        await session.rollback()
        return await _answer_taken(session, email, name, org_name, data.org.kind)
    if details is not None:
        verification.record_details(org, details)
        await session.flush()
    if licence is not None and data_dir is not None:
        await verification.store_licence(session, org, licence[0], licence[1], data_dir)
    return user_out(user), org_out(org)


async def authenticate(session: AsyncSession, email: str, password: str) -> User:
    """The user with these credentials; one message for a wrong email or a wrong password."""
    normalised = normalise_email(email) or ""
    user = await session.scalar(select(User).where(User.email == normalised)) if normalised else None
    ok = await to_thread.run_sync(password_matches, user.password_hash if user else None, password)
    if not ok or user is None:
        raise Unauthorized(
            N_("The email or password is not right."),
            code=BAD_CREDENTIALS,
            title="Sign-in failed",
            headers=bearer_challenge(),
        )
    return user


async def load_principal(session: AsyncSession, user_id: int) -> Principal | None:
    row = (
        await session.execute(
            select(
                User.id,
                User.email,
                User.name,
                User.is_admin,
                Org.id,
                Org.name,
                Org.kind,
                Org.verified,
                User.token_epoch,
            )
            .outerjoin(Org, Org.id == User.org_id)
            .where(User.id == user_id)
        )
    ).first()
    if row is None:
        return None
    revoked = await session.scalars(
        select(RevokedToken.digest).where(RevokedToken.user_id == user_id, RevokedToken.expires_at > utcnow())
    )
    return Principal(
        user_id=row[0],
        email=row[1],
        name=row[2],
        is_admin=row[3],
        org_id=row[4],
        org_name=row[5],
        org_kind=row[6],
        org_verified=bool(row[7]),
        token_epoch=row[8],
        revoked_tokens=frozenset(revoked),
    )


async def get_user_and_org(session: AsyncSession, principal: Principal) -> schemas.MeOut:
    user = await session.get(User, principal.user_id)
    if user is None:
        raise NotFound(N_("This account no longer exists."))
    org = await session.get(Org, user.org_id) if user.org_id else None
    return schemas.MeOut(user=user_out(user), org=org_out(org) if org else None)


async def verify_org(session: AsyncSession, org_id: int) -> Org:
    """Verify an organisation that has given its details (409 before); its members are told by e-mail."""
    org = await session.get(Org, org_id)
    if org is None:
        raise NotFound(Msg("There is no organisation {org}.", org=org_id))
    if not org.verified:
        verification.require_complete(org)
        org.verified = True
        org.verified_at = utcnow()
        org.rejection_reason = None
        await verification.mail_verified(session, org)
        await session.flush()
    return org


async def list_orgs(session: AsyncSession, *, unverified_first: bool = True) -> list[Org]:
    order = (Org.verified.asc(), Org.created_at.desc()) if unverified_first else (Org.created_at.desc(),)
    return list((await session.scalars(select(Org).order_by(*order).limit(500))).all())


async def create_admin(session: AsyncSession, email: str, password: str, name: str = "Administrator") -> User:
    """Make a platform admin (no organisation), or promote an existing user."""
    checked = _checked_email(email)
    await checked_password(password, checked, also_avoid=(name,))
    user = await session.scalar(select(User).where(User.email == checked))
    password_hash = await to_thread.run_sync(hash_password, password)
    if user is None:
        user = User(email=checked, name=name, password_hash=password_hash, is_admin=True, role="admin")
        session.add(user)
    else:
        user.is_admin = True
        user.password_hash = password_hash
    await session.flush()
    return user


def register_form_body(form: dict[str, str]) -> dict[str, Any]:
    """The sign-up form's fields in the shape of the API's RegisterIn (so both go through one validation)."""
    return {
        "email": form.get("email", ""),
        "password": form.get("password", ""),
        "name": form.get("name", ""),
        "org": {
            "name": form.get("org_name", ""),
            "kind": form.get("org_kind", ""),
            **{field: form[field] for field in verification.FIELDS if form.get(field, "").strip()},
        },
    }
