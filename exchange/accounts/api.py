"""The accounts JSON API: register, token (and its sign-out), me, password change, admin verify."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.params import QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts import credentials, directory, password_reset, schemas, services
from exchange.accounts.guards import current_principal, requires_admin, requires_org_kind, requires_signed_in
from exchange.accounts.tokens import TOKEN_LIFETIME_SECONDS, TokenClaims, issue_token
from exchange.params import Id

__all__ = ["AccountsController"]


def _token_out(state: State, user_id: int, epoch: int) -> schemas.TokenOut:
    token = issue_token(state.settings.secret_key, user_id, epoch=epoch)
    return schemas.TokenOut(access_token=token, expires_in=TOKEN_LIFETIME_SECONDS)


async def _committed_then_forgotten(db_session: AsyncSession, state: State, user_id: int) -> None:
    """Commit a revocation, then drop this worker's cached principal: the next call here reads the
    revocation (forgetting before the commit could let a concurrent call cache the old state again)."""
    await db_session.commit()
    state.principals.forget(user_id)


class AccountsController(Controller):
    path = "/api"
    tags = ["accounts"]

    @post(
        "/auth/register",
        status_code=201,
        summary="Register an organisation and its first user",
        description="An email that already has an account gets the same answer as a new registration, and "
        "nothing is created: the account's owner is told by e-mail. Sign in with POST /api/auth/token.",
        opt={"rate_limited": True},
    )
    async def register(self, db_session: AsyncSession, data: schemas.RegisterIn) -> schemas.RegisterOut:
        user, org = await services.register(db_session, data)
        return schemas.RegisterOut(user=user, org=org)

    @post(
        "/auth/token",
        status_code=200,
        summary="Exchange email and password for a bearer token",
        opt={"rate_limited": True},
    )
    async def token(self, db_session: AsyncSession, state: State, data: schemas.TokenIn) -> schemas.TokenOut:
        user = await services.authenticate(db_session, data.email, data.password)
        return _token_out(state, user.id, user.token_epoch)

    @post(
        "/auth/token/revoke",
        status_code=204,
        guards=[requires_signed_in],
        summary="Sign out the bearer token this call is made with",
    )
    async def revoke(self, request: Request[Any, Any, Any], db_session: AsyncSession, state: State) -> None:
        claims: TokenClaims = request.auth
        await credentials.revoke_token(db_session, claims)
        await _committed_then_forgotten(db_session, state, claims.user_id)

    @post(
        "/auth/password-reset",
        status_code=202,
        summary="Ask for a password reset link by e-mail",
        description="The same answer for every address: a link (single use, one hour) is mailed only when the "
        "address has an account. Set the password with POST /api/auth/password-reset/confirm.",
        opt={"rate_limited": True},
    )
    async def password_reset(
        self, db_session: AsyncSession, state: State, data: schemas.PasswordResetIn
    ) -> schemas.Accepted:
        detail = await password_reset.request_reset(db_session, data.email, public_url=state.settings.server.public_url)
        return schemas.Accepted(detail=detail)

    @post(
        "/auth/password-reset/confirm",
        status_code=200,
        summary="Set a new password with the token of a reset link; every session and token of the user ends",
        opt={"rate_limited": True},
    )
    async def password_reset_confirm(
        self, db_session: AsyncSession, state: State, data: schemas.PasswordResetConfirmIn
    ) -> schemas.TokenOut:
        user = await password_reset.reset_password(db_session, data.token, data.new_password)
        await _committed_then_forgotten(db_session, state, user.id)
        return _token_out(state, user.id, user.token_epoch)

    @get("/me", guards=[requires_signed_in], summary="The signed-in user and their organisation")
    async def me(self, request: Request[Any, Any, Any], db_session: AsyncSession) -> schemas.MeOut:
        return await services.get_user_and_org(db_session, current_principal(request))

    @post(
        "/me/password",
        status_code=200,
        guards=[requires_signed_in],
        summary="Change the password: every token and session of the user ends; answers a new token",
        opt={"rate_limited": True},
    )
    async def change_password(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, state: State, data: schemas.PasswordChangeIn
    ) -> schemas.TokenOut:
        user_id = current_principal(request).user_id
        user = await credentials.change_password(db_session, user_id, data.current_password, data.new_password)
        await _committed_then_forgotten(db_session, state, user_id)
        return _token_out(state, user.id, user.token_epoch)

    @get(
        "/orgs/buyers",
        guards=[requires_org_kind("seller")],
        summary="Find verified buyer and broker organisations by name (to invite them to a private lot)",
        description="Matches names containing `q` (at least 2 characters), those starting with it first; "
        "at most 10. Invite the ids found with the lot's `invited_org_ids`.",
    )
    async def buyers(
        self, db_session: AsyncSession, q: Annotated[str, QueryParameter(max_length=120)] = ""
    ) -> list[directory.OrgName]:
        return await directory.buyer_orgs_named(db_session, q)

    @post(
        "/admin/orgs/{org_id:int}/verify",
        status_code=200,
        guards=[requires_admin],
        summary="Verify an organisation (admin)",
    )
    async def verify(self, org_id: Id, db_session: AsyncSession) -> schemas.Org:
        return services.org_out(await services.verify_org(db_session, org_id))
