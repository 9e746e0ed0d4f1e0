"""Verified organisations made through the accounts services, many at once for the concurrency tests.

Each is registered and verified as through the API (`accounts.register`, `accounts.verify_org`), in
one transaction, with a bearer token from the token issuer. Argon2 takes about a third of a second
per password on the test machine, so all of them share one real hash of DEMO_PASSWORD: signing in
with it works as for any account.
"""

from __future__ import annotations

import uuid
from unittest import mock

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange.accounts import services as accounts
from exchange.accounts.passwords import hash_password
from exchange.accounts.schemas import RegisterIn
from exchange.accounts.tokens import issue_token
from exchange.demo.kyb import example_details
from exchange.settings import Settings
from tests.conftest import DEMO_PASSWORD, Actor

__all__ = ["many_buyers", "registered_orgs"]

_SHARED_HASH = hash_password(DEMO_PASSWORD)


async def registered_orgs(db: async_sessionmaker[AsyncSession], secret_key: str, kind: str, count: int) -> list[Actor]:
    """`count` verified orgs of `kind`, each with one owner and a valid bearer token."""
    run = uuid.uuid4().hex[:8]
    registered = []
    with mock.patch.object(accounts, "hash_password", return_value=_SHARED_HASH):
        async with db() as session, session.begin():
            for index in range(count):
                body = {
                    "email": f"bulk-{kind}-{run}-{index}@example.com",
                    "password": DEMO_PASSWORD,
                    "name": f"{kind.title()} {index}",
                    "org": {
                        "name": f"Bulk {kind.title()} {run}-{index}",
                        "kind": kind,
                        **example_details(f"{run}-{index}"),
                    },
                }
                user, org = await accounts.register(session, msgspec.convert(body, RegisterIn))
                await accounts.verify_org(session, org.id)
                registered.append((user, org))
    return [
        Actor(user_id=user.id, org_id=org.id, email=user.email, token=issue_token(secret_key, user.id), kind=kind)
        for user, org in registered
    ]


async def many_buyers(db: async_sessionmaker[AsyncSession], settings: Settings, count: int) -> list[Actor]:
    """`count` verified buyer orgs, each with one owner and a valid bearer token."""
    return await registered_orgs(db, settings.secret_key, "buyer", count)
