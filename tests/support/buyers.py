"""Many verified buyer organisations at once, for the concurrency tests.

Registering through the API hashes a password with argon2 for each (a tenth of a second apiece);
here all share one hash and get their bearer tokens straight from the token issuer.
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange.accounts.models import Org, User
from exchange.accounts.passwords import hash_password
from exchange.accounts.tokens import issue_token
from exchange.db.base import utcnow
from exchange.settings import Settings
from tests.conftest import DEMO_PASSWORD, Actor

__all__ = ["many_buyers"]

_SHARED_HASH = hash_password(DEMO_PASSWORD)


async def many_buyers(db: async_sessionmaker[AsyncSession], settings: Settings, count: int) -> list[Actor]:
    """`count` verified buyer orgs, each with one owner and a valid bearer token."""
    run = uuid.uuid4().hex[:8]
    async with db() as session, session.begin():
        users = []
        for index in range(count):
            org = Org(name=f"Bulk Buyer {run}-{index}", kind="buyer", verified=True, verified_at=utcnow())
            user = User(
                email=f"bulk-{run}-{index}@example.com",
                name=f"Buyer {index}",
                password_hash=_SHARED_HASH,
                org=org,
                role="owner",
            )
            session.add_all([org, user])
            users.append(user)
        await session.flush()
        rows = [(user.id, user.org_id, user.email) for user in users]
    return [
        Actor(user_id=uid, org_id=oid, email=email, token=issue_token(settings.secret_key, uid), kind="buyer")
        for uid, oid, email in rows
    ]
