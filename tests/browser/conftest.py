"""A real `exchange serve` on a free port (own data directory, embedded Redis) and Debian's Chromium."""

from __future__ import annotations

import fcntl
import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from tests.browser.screens import AXE, LOCALES, SCREENS, Screen
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
        "PASSWORD_HASHING": "fast",
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


def _ensure_axe() -> None:
    """The accessibility scan (screens.axe_violations), installed as scripts/test does; under a lock, so the
    workers of `pytest -n 2` do not run two npm installs into the same directory."""
    if AXE.is_file():
        return
    root = AXE.parents[4]
    (root / ".cache").mkdir(exist_ok=True)
    with open(root / ".cache/axe.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not AXE.is_file():
            subprocess.run(["bash", "-c", "source scripts/_env.sh && ensure_axe"], cwd=root, check=True)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    _ensure_axe()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        yield launched
        launched.close()


class _Pages:
    """Opens pages in browser contexts of their own (own cookies: one signed-in user each) and collects
    whatever the Content-Security-Policy blocked or a script threw: either is a page bug."""

    def __init__(self, browser: Browser, width: int = 1280, locale: str | None = None) -> None:
        self.browser, self.width, self.locale = browser, width, locale
        self.contexts: list[BrowserContext] = []
        self.blocked: list[str] = []

    def open(self) -> Page:
        viewport = {"width": self.width, "height": 900 if self.width > 800 else 844}
        extra = {"locale": self.locale} if self.locale else {}
        context = self.browser.new_context(viewport=viewport, timezone_id="Asia/Shanghai", **extra)  # type: ignore[arg-type]
        self.contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.on("console", lambda m: self.blocked.append(m.text) if "Content Security Policy" in m.text else None)
        page.on("pageerror", lambda error: self.blocked.append(str(error)))
        return page

    def close(self) -> None:
        for context in self.contexts:
            context.close()
        assert not self.blocked, "the browser blocked or failed: " + "; ".join(self.blocked[:5])


@pytest.fixture
def new_page(browser: Browser) -> Iterator[Callable[[], Page]]:
    """Opens a page at 1280 px in a browser context of its own (its own cookies: one signed-in user each)."""
    pages = _Pages(browser)
    yield pages.open
    pages.close()


@pytest.fixture(params=SCREENS, ids=[f"{lang}-{width}" for lang, width in SCREENS])
def screen(request: pytest.FixtureRequest, browser: Browser) -> Iterator[Screen]:
    """One of the four screens (English or Chinese, 1440 or 390 px); `screen.open()` opens a page on it."""
    language, width = request.param
    pages = _Pages(browser, width, LOCALES[language])
    yield Screen(language, width, pages.open)
    pages.close()


@pytest.fixture
def browser_page(new_page: Callable[[], Page]) -> Page:
    return new_page()
