"""Shared fixtures: a real redis-server, a migrated real database (SQLite, and PostgreSQL when
TEST_DATABASE_URL is set), the app and its test client, and organisations made through the API."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange.app import create_app
from exchange.db.engine import make_engine, make_session_maker
from exchange.demo.kyb import example_details
from exchange.redis.embedded import EmbeddedRedis
from exchange.redis.local_cluster import LocalCluster
from exchange.settings import Settings
from tests.support.databases import fresh_database_url

DEMO_PASSWORD = "correct-horse-battery"
TEST_BIDDING_WINDOW = timedelta(seconds=1)
"""MIN_BIDDING_WINDOW of the tests' apps, as low as the setting goes: lots may close a few seconds ahead."""


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "database_backend" in metafunc.fixturenames:
        backends = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])
        metafunc.parametrize("database_backend", backends, scope="session")


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real redis-server (the embedded launcher's binary) for the whole test session; with
    TEST_REDIS=cluster a real 3-master Redis Cluster from the same binary (scripts/test's cluster pass)."""
    if os.environ.get("TEST_REDIS") == "cluster":
        cluster = LocalCluster().start()
        yield cluster.url
        errors = cluster.error_counts()
        cluster.stop()
        # Every command went straight to its slot's master, each script within one slot.
        assert {kind: errors.get(kind, 0) for kind in ("MOVED", "ASK", "CROSSSLOT")} == dict.fromkeys(
            ("MOVED", "ASK", "CROSSSLOT"), 0
        ), errors
        return
    server = EmbeddedRedis(tmp_path_factory.mktemp("redis"))
    server.ensure_running()
    yield server.url
    server.stop()


@pytest.fixture(scope="session")
def database_url(database_backend: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    return fresh_database_url(database_backend, tmp_path_factory.mktemp(f"db-{database_backend}"))


def make_settings(data_dir: Path, database_url: str, redis_url: str, **overrides: str) -> Settings:
    env = {
        "DATA_DIR": str(data_dir),
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SECRET_KEY": "test-secret-" + uuid.uuid4().hex,
        "AUTH_RATE_LIMIT": "100000",
        "PASSWORD_HASHING": "fast",
        "MIN_BIDDING_WINDOW": str(int(TEST_BIDDING_WINDOW.total_seconds())),
        **overrides,
    }
    return Settings.from_env(env)


@pytest.fixture(scope="session")
def settings(database_url: str, redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return make_settings(tmp_path_factory.mktemp("data"), database_url, redis_url)


@pytest.fixture(scope="session")
async def db(settings: Settings) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions for tests to look into the database directly.

    The app runs in the test client's own event loop (a thread), so tests never borrow its engine.
    """
    engine = make_engine(settings.database)
    yield make_session_maker(engine)
    await engine.dispose()


@pytest.fixture(scope="session")
def app(settings: Settings) -> Litestar:
    return create_app(settings)


@pytest.fixture(scope="session")
async def client(app: Litestar) -> AsyncIterator[AsyncTestClient[Litestar]]:
    async with AsyncTestClient(app=app) as test_client:
        yield test_client


@pytest.fixture(autouse=True)
def _no_cookies_from_earlier_tests(request: pytest.FixtureRequest) -> None:
    """The test client is shared by a session: a cookie a page test left in its jar (a rotated session id)
    would sign the next test in, whichever test pytest-xdist runs next on that worker."""
    if "client" in request.fixturenames:
        request.getfixturevalue("client").cookies.clear()


@dataclass
class Actor:
    """A signed-in user of an organisation, with the bearer headers to act as them."""

    user_id: int
    org_id: int | None
    email: str
    token: str
    kind: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def unique_email(prefix: str = "user") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}@example.com"


async def token_for(client: AsyncTestClient[Litestar], email: str, password: str = DEMO_PASSWORD) -> str:
    response = await client.post("/api/auth/token", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


@pytest.fixture(scope="session")
async def admin(client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession]) -> Actor:
    from exchange.accounts import services

    email = unique_email("admin")
    async with db() as session, session.begin():
        user = await services.create_admin(session, email, DEMO_PASSWORD)
    return Actor(user_id=user.id, org_id=None, email=email, token=await token_for(client, email), kind="admin")


class OrgFactory:
    def __init__(self, client: AsyncTestClient[Litestar], admin: Actor) -> None:
        self.client = client
        self.admin = admin

    async def __call__(self, kind: str, *, verified: bool = True, name: str | None = None) -> Actor:
        email = unique_email(kind)
        org_name = name or f"{kind.title()} Co {uuid.uuid4().hex[:6]}"
        body = {
            "email": email,
            "password": DEMO_PASSWORD,
            "name": f"{kind.title()} Person",
            "org": {"name": org_name, "kind": kind, **example_details(org_name)},
        }
        response = await self.client.post("/api/auth/register", json=body)
        assert response.status_code == 201, response.text
        data = response.json()
        if verified:
            verify = await self.client.post(f"/api/admin/orgs/{data['org']['id']}/verify", headers=self.admin.headers)
            assert verify.status_code == 200, verify.text
        return Actor(
            user_id=data["user"]["id"],
            org_id=data["org"]["id"],
            email=email,
            token=await token_for(self.client, email),
            kind=kind,
        )


@pytest.fixture(scope="session")
def make_org(client: AsyncTestClient[Litestar], admin: Actor) -> OrgFactory:
    """Register an organisation (verified unless told otherwise) through the API: `await make_org("buyer")`."""
    return OrgFactory(client, admin)
