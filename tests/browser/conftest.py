"""A real `exchange serve` on a free port (own data directory, embedded Redis) and Debian's Chromium."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from tests.support.servers import free_port, run_exchange, start_server, stop_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
ADMIN = ("admin@browser-test.example", "browser-admin-pass-1")


@pytest.fixture(scope="session")
def live_server_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    data_dir = tmp_path_factory.mktemp("live-server")
    return {
        **os.environ,
        "DATA_DIR": str(data_dir),
        "PORT": str(free_port()),
        "AUTH_RATE_LIMIT": "10000",
        "DATABASE_URL": f"sqlite+aiosqlite:///{data_dir / 'exchange.db'}",
    }


@pytest.fixture(scope="session")
def live_server_database_url(live_server_env: dict[str, str]) -> str:
    return live_server_env["DATABASE_URL"]


@pytest.fixture(scope="session")
def admin_credentials() -> tuple[str, str]:
    return ADMIN


@pytest.fixture(scope="session")
def live_server(live_server_env: dict[str, str]) -> Iterator[str]:
    """Base URL of a running server: migrated, with an admin (see `admin_credentials`), no demo data."""
    env = {k: v for k, v in live_server_env.items() if k != "REDIS_URL"}
    run_exchange("migrate", env=env)
    run_exchange("create-admin", ADMIN[0], "--password", ADMIN[1], env=env)
    process, base_url = start_server(env, "--no-migrate", log=Path(env["DATA_DIR"]) / "serve.log")
    yield base_url
    stop_server(process)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        yield launched
        launched.close()


@pytest.fixture
def new_page(browser: Browser) -> Iterator[Callable[[], Page]]:
    """Opens a page in a browser context of its own (its own cookies: one signed-in user each)."""
    contexts: list[BrowserContext] = []
    blocked: list[str] = []

    def open_page() -> Page:
        context = browser.new_context(viewport={"width": 1280, "height": 900}, timezone_id="Asia/Shanghai")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        # Whatever the Content-Security-Policy blocks (an inline script, handler or style) is a page bug.
        page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
        page.on("pageerror", lambda error: blocked.append(str(error)))
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert not blocked, "the browser blocked or failed: " + "; ".join(blocked[:5])


@pytest.fixture
def browser_page(new_page: Callable[[], Page]) -> Page:
    return new_page()
