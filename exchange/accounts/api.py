"""The accounts JSON API: register, token, me, admin verify."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import State
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts import schemas, services
from exchange.accounts.guards import current_principal, requires_admin, requires_signed_in
from exchange.accounts.tokens import TOKEN_LIFETIME_SECONDS, issue_token
from exchange.params import Id

__all__ = ["AccountsController"]


class AccountsController(Controller):
    path = "/api"
    tags = ["accounts"]

    @post("/auth/register", status_code=201, summary="Register an organisation and its first user")
    async def register(self, db_session: AsyncSession, data: schemas.RegisterIn) -> schemas.RegisterOut:
        user, org = await services.register(db_session, data)
        return schemas.RegisterOut(user=services.user_out(user), org=services.org_out(org))

    @post(
        "/auth/token",
        status_code=200,
        summary="Exchange email and password for a bearer token",
        opt={"rate_limited": True},
    )
    async def token(self, db_session: AsyncSession, state: State, data: schemas.TokenIn) -> schemas.TokenOut:
        user = await services.authenticate(db_session, data.email, data.password)
        token = issue_token(state.settings.secret_key, user.id)
        return schemas.TokenOut(access_token=token, expires_in=TOKEN_LIFETIME_SECONDS)

    @get("/me", guards=[requires_signed_in], summary="The signed-in user and their organisation")
    async def me(self, request: Request[Any, Any, Any], db_session: AsyncSession) -> schemas.MeOut:
        return await services.get_user_and_org(db_session, current_principal(request))

    @post(
        "/admin/orgs/{org_id:int}/verify",
        status_code=200,
        guards=[requires_admin],
        summary="Verify an organisation (admin)",
    )
    async def verify(self, org_id: Id, db_session: AsyncSession) -> schemas.Org:
        return services.org_out(await services.verify_org(db_session, org_id))
