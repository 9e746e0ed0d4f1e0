"""Screenshots of the main pages from the demo, for the README (run through `scripts/screenshots`)."""

from __future__ import annotations

import io
import os
import sys
import tempfile
from pathlib import Path

import httpx
from PIL import Image
from playwright.sync_api import Browser, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from exchange.demo.accounts import ADMIN_EMAIL  # noqa: E402
from exchange.settings import Settings  # noqa: E402
from tests.browser.accounts import sign_in  # noqa: E402
from tests.browser.conftest import CHROMIUM, CHROMIUM_FLAGS  # noqa: E402
from tests.browser.screens import LOCALES  # noqa: E402
from tests.support.servers import free_port, run_exchange, start_server, stop_server  # noqa: E402

OUT = Path(__file__).resolve().parents[1] / "docs" / "screenshots"
WIDTHS = {1440: 900, 390: 844}
SHOWN_WIDTH = 960
"""A 1440 px screenshot is scaled down to this width (the README shows it at about that size anyway)."""
PEOPLE = {
    "buyer": "zhang.min@sh-autoparts.example",
    "seller": "chen.wei@hengli-textiles.example",
    "broker": "zhou.xin@bj-gifts.example",
    "admin": ADMIN_EMAIL,
}


def pages(base: str) -> list[tuple[str, str | None, str]]:
    """(file name, who is signed in or None, path) for each page shown."""
    lots = httpx.get(f"{base}/api/lots", params={"limit": 1, "mode": "sealed_bid"}).json()["items"]
    return [
        ("browse", None, "/lots"),
        ("lot", "buyer", f"/lots/{lots[0]['id']}" if lots else "/lots"),
        ("buyer-dashboard", "buyer", "/dashboard"),
        ("seller-dashboard", "seller", "/dashboard"),
        ("brokers-desk", "broker", "/desk"),
    ]


def save(png: bytes, path: Path, width: int) -> None:
    """Scaled to at most SHOWN_WIDTH wide and reduced to 256 colours: a tenth of the size, still sharp text."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    if image.width > SHOWN_WIDTH:
        image = image.resize((SHOWN_WIDTH, round(image.height * SHOWN_WIDTH / image.width)), Image.Resampling.LANCZOS)
    image.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)


def shoot(browser: Browser, base: str, password: str) -> list[Path]:
    made = []
    for name, who, path in pages(base):
        for language, locale in LOCALES.items():
            for width, height in WIDTHS.items():
                context = browser.new_context(
                    viewport={"width": width, "height": height}, locale=locale, timezone_id="Asia/Shanghai"
                )
                try:
                    page = context.new_page()
                    if who:
                        sign_in(page, base, PEOPLE[who], password)
                        page.wait_for_url(f"{base}/dashboard")
                    page.goto(f"{base}{path}")
                    page.wait_for_load_state("networkidle")
                    target = OUT / f"{name}-{language}-{width}.png"
                    save(page.screenshot(), target, width)
                    made.append(target)
                finally:
                    context.close()
    return made


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="screenshots-") as data_dir:
        env = {
            **{k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")},
            "DATA_DIR": data_dir,
            "PORT": str(free_port()),
            "AUTH_RATE_LIMIT": "10000",
        }
        password = Settings.from_env(env).demo_password
        print("==> loading the demo into a temporary data directory")
        run_exchange("migrate", env=env)
        run_exchange("demo", env=env)
        process, base = start_server(env, "--no-migrate", log=Path(data_dir) / "serve.log")
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
                made = shoot(browser, base, password)
                browser.close()
        finally:
            stop_server(process)
    total = sum(p.stat().st_size for p in made)
    print(f"{len(made)} screenshots in {OUT.relative_to(Path.cwd())} ({total // 1024} KB)")


if __name__ == "__main__":
    main()
