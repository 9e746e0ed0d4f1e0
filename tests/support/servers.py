"""Start `exchange` commands and servers as real subprocesses, for browser and end-to-end tests."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

__all__ = ["child_pids", "cmdline", "ended", "free_port", "run_exchange", "start_server", "stop_server"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_exchange(*args: str, env: dict[str, str]) -> None:
    subprocess.run([sys.executable, "-m", "exchange.cli", *args], env=env, check=True, capture_output=True)


def start_server(
    env: dict[str, str], *args: str, log: Path | None = None, timeout: float = 60.0
) -> tuple[subprocess.Popen[bytes], str]:
    """`exchange serve` in its own process group; returns once /health reports both stores up."""
    out = open(log, "wb") if log else subprocess.DEVNULL  # noqa: SIM115 (the child keeps it)
    process = subprocess.Popen(
        [sys.executable, "-m", "exchange.cli", "serve", *args],
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{env['PORT']}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            health = httpx.get(f"{base}/health", timeout=1)
            if health.status_code == 200 and health.json()["redis"] == "up":
                return process, base
        except httpx.HTTPError:
            pass
        if process.poll() is not None:
            break
        time.sleep(0.2)
    process.kill()
    detail = log.read_text() if log and log.exists() else ""
    raise RuntimeError(f"exchange serve did not report both stores up within {timeout:.0f} s\n{detail}")


def stop_server(process: subprocess.Popen[bytes], *, timeout: float = 20.0) -> None:
    """Stop `exchange serve` as an operator would (SIGTERM), killing it if it is not gone within `timeout`."""
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def child_pids(pid: int) -> list[int]:
    """The live processes whose parent is `pid`."""
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat.rpartition(")")[2].split()  # after "pid (name)": state, ppid, ...
            if int(fields[1]) == pid and fields[0] != "Z":
                children.append(int(entry.name))
    return children


def ended(pid: int) -> bool:
    """The process is gone (or a zombie left to a parent that is not ours to judge)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rpartition(")")[2].split()[0] == "Z"
