"""Fixtures and processes for the bid benchmark: orgs, tokens and lots in a fresh database; servers."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange.accounts.models import Org, User
from exchange.accounts.tokens import issue_token
from exchange.db.base import utcnow
from exchange.lots.models import Lot

__all__ = [
    "Bidder",
    "Server",
    "cpu_of",
    "cpu_of_tree",
    "free_port",
    "make_bidders",
    "make_lots",
    "make_orgs",
    "pids_whose_command_has",
    "rss_of_tree",
]


@dataclass(frozen=True, slots=True)
class Bidder:
    org_id: int
    token: str


async def make_orgs(session_maker: async_sessionmaker[AsyncSession], kind: str, count: int, tag: str) -> list[int]:
    """`count` verified orgs in one statement (no users)."""
    async with session_maker() as session, session.begin():
        await session.execute(
            insert(Org),
            [
                {"name": f"{tag} {index}", "kind": kind, "verified": True, "verified_at": utcnow()}
                for index in range(count)
            ],
        )
        ids = await session.scalars(select(Org.id).where(Org.name.like(f"{tag} %")).order_by(Org.id))
        return list(ids)


async def make_bidders(session_maker: async_sessionmaker[AsyncSession], secret: str, count: int) -> list[Bidder]:
    """Verified buyer orgs, each with a member and a bearer token for the API."""
    org_ids = await make_orgs(session_maker, "buyer", count, "Bench buyer")
    async with session_maker() as session, session.begin():
        await session.execute(
            insert(User),
            [
                {"email": f"bench-{org_id}@example.com", "name": "Bench", "password_hash": "-", "org_id": org_id}
                for org_id in org_ids
            ],
        )
        users = dict((await session.execute(select(User.org_id, User.id).where(User.org_id.in_(org_ids)))).all())
    return [Bidder(org_id, issue_token(secret, users[org_id], lifetime=6 * 3600)) for org_id in org_ids]


async def make_lots(
    session_maker: async_sessionmaker[AsyncSession], seller_org_id: int, count: int, *, closes_in: timedelta
) -> list[int]:
    now = datetime.now(UTC)
    async with session_maker() as session, session.begin():
        lots = [
            Lot(
                seller_org_id=seller_org_id,
                title=f"Bench lot {index}",
                category="textiles/fabric",
                quantity_value=Decimal(1000),
                quantity_unit="m",
                grade="A",
                sale_mode="sealed_bid",
                closes_at=now + closes_in,
                status="live",
                published_at=now,
                visibility="public",
                currency="CNY",
            )
            for index in range(count)
        ]
        session.add_all(lots)
        await session.flush()
        return [lot.id for lot in lots]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Server:
    """A server subprocess in its own process group; `stop()` sends SIGTERM to that group only."""

    def __init__(self, argv: list[str], env: dict[str, str], port: int, log: Path) -> None:
        self.port = port
        self._log = open(log, "wb")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(
            argv, env={**os.environ, **env}, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def wait_ready(self, path: str, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode}; see {self._log.name}")
            with (
                contextlib.suppress(OSError),
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=2),
            ):
                return
            time.sleep(0.1)
        raise RuntimeError(f"server did not answer within {timeout} s; see {self._log.name}")

    def stop(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
        self._log.close()


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def rss_of_tree(pid: int, field: str = "VmRSS") -> int:
    """Resident memory (bytes) of a process and all its descendants, from /proc: now (VmRSS), or each
    process's own peak so far (VmHWM, the kernel's high-water mark; their sum bounds the tree's peak)."""
    tree = _children()
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        todo.extend(tree.get(current, []))
        with contextlib.suppress(OSError, ValueError):
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith(f"{field}:"):
                    total += int(line.split()[1]) * 1024
    return total


def cpu_of(pids: list[int]) -> dict[int, float]:
    """CPU seconds (user + system) used so far by each of these processes (those still running), from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    seconds: dict[int, float] = {}
    for pid in pids:
        with contextlib.suppress(OSError, ValueError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            seconds[pid] = (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return seconds


def pids_whose_command_has(prefix: bytes, word: bytes) -> list[int]:
    """Processes whose command line starts with `prefix` and holds `word` (e.g. PostgreSQL's backends of a
    database: "postgres: 15/main: postgres <db> 127.0.0.1(…) idle")."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ")
                if command.startswith(prefix) and word in command:
                    found.append(int(entry.name))
    return found


def cpu_of_tree(pid: int) -> float:
    """CPU seconds (user + system) used so far by a process and all its live descendants, from /proc."""
    tree = _children()
    total, todo = 0.0, [pid]
    tick = os.sysconf("SC_CLK_TCK")
    while todo:
        current = todo.pop()
        todo.extend(tree.get(current, []))
        with contextlib.suppress(OSError, ValueError):
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return total


PYTHON = sys.executable
