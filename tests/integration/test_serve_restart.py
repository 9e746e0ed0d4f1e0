"""`exchange serve` end to end: it comes up, survives a kill -9 with its data, and leaves no redis behind."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import httpx

from tests.support.servers import free_port, start_server

BODY = {
    "email": "kill9@example.com",
    "password": "correct-horse-battery",
    "name": "Kill Nine",
    "org": {"name": "Restart Textiles", "kind": "seller"},
}


def _redis_pids(data_dir: Path) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if b"redis-server" in cmdline and str(data_dir).encode() in cmdline:
                pids.append(int(entry.name))
    return pids


def test_serve_survives_kill_9_with_its_data_and_stops_its_redis(tmp_path: Path) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")},
        "DATA_DIR": str(tmp_path),
        "PORT": str(free_port()),
    }
    first, base = start_server(env)
    assert httpx.post(f"{base}/api/auth/register", json=BODY).status_code == 201
    os.killpg(first.pid, signal.SIGKILL)  # the server and its workers, not the redis-server (own session)
    first.wait()

    second, base = start_server(env)
    token = httpx.post(f"{base}/api/auth/token", json={"email": BODY["email"], "password": BODY["password"]})
    assert token.status_code == 200
    me = httpx.get(f"{base}/api/me", headers={"Authorization": f"Bearer {token.json()['access_token']}"})
    assert me.json()["org"]["name"] == "Restart Textiles"
    assert len(_redis_pids(tmp_path)) == 1

    second.send_signal(signal.SIGTERM)
    second.wait(timeout=30)
    deadline = time.monotonic() + 10
    while _redis_pids(tmp_path) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _redis_pids(tmp_path) == []
