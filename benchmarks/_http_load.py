"""A small HTTP/1.1 keep-alive load generator on raw asyncio streams.

httpx spends most of a 2-core machine's CPU on itself; this client only writes a prepared request and
reads the status line, headers and Content-Length body, so one process can offer several thousand
requests per second and the server under test gets the other core.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

__all__ = ["Connection", "LoadResult", "closed_loop", "open_loop", "percentile"]

RequestFactory = Callable[[int], tuple[str, dict[str, str], bytes]]
"""i -> (path, extra headers, JSON body) for the i-th request."""


class Connection:
    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def _connect(self) -> None:
        self._reader, self._writer = await asyncio.open_connection(self.host, self.port)

    async def post(self, path: str, headers: dict[str, str], body: bytes) -> tuple[int, bytes]:
        return await self.request("POST", path, headers, body)

    async def request(self, method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, bytes]:
        if self._writer is None:
            await self._connect()
        assert self._reader is not None
        assert self._writer is not None
        head = [
            f"{method} {path} HTTP/1.1",
            f"Host: {self.host}:{self.port}",
            "Content-Type: application/json",
            f"Content-Length: {len(body)}",
        ]
        head += [f"{name}: {value}" for name, value in headers.items()]
        self._writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
        try:
            status_line = await self._reader.readline()
            if not status_line:
                raise ConnectionError("server closed the connection")
            status = int(status_line.split(b" ", 2)[1])
            length, close = 0, False
            while (line := await self._reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.partition(b":")
                lowered = name.strip().lower()
                if lowered == b"content-length":
                    length = int(value.strip())
                elif lowered == b"connection" and value.strip().lower() == b"close":
                    close = True
            payload = await self._reader.readexactly(length) if length else b""
        except (ConnectionError, asyncio.IncompleteReadError, ValueError):
            await self.close()
            raise
        if close:
            await self.close()
        return status, payload

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            with contextlib.suppress(ConnectionError, OSError):
                await self._writer.wait_closed()
        self._reader = self._writer = None


@dataclass
class LoadResult:
    sent: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    errors: int = 0
    latencies: list[float] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> int:
        return sum(count for status, count in self.statuses.items() if 200 <= status < 300)

    @property
    def failed(self) -> int:
        return self.errors + sum(count for status, count in self.statuses.items() if not 200 <= status < 300)

    @property
    def rate(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    def record(self, status: int) -> None:
        self.statuses[status] = self.statuses.get(status, 0) + 1


@contextlib.contextmanager
def _no_gc_pauses() -> Iterator[None]:
    """The load generator's own garbage collection must not show up as server latency."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


async def closed_loop(host: str, port: int, make: RequestFactory, *, connections: int, seconds: float) -> LoadResult:
    """As fast as the server answers: `connections` clients, each sending its next request on its answer."""
    result = LoadResult()
    counter = iter(range(1 << 62))
    stop_at = time.perf_counter() + seconds

    async def client() -> None:
        connection = Connection(host, port)
        while time.perf_counter() < stop_at:
            path, headers, body = make(next(counter))
            method = "GET" if path.startswith("GET ") else "POST"
            started = time.perf_counter()
            result.sent += 1
            try:
                status, _ = await connection.request(method, path.removeprefix("GET "), headers, body)
            except (ConnectionError, OSError, asyncio.IncompleteReadError):
                result.errors += 1
                continue
            result.record(status)
            result.latencies.append(time.perf_counter() - started)
        await connection.close()

    started = time.perf_counter()
    with _no_gc_pauses():
        await asyncio.gather(*(client() for _ in range(connections)))
    result.seconds = time.perf_counter() - started
    return result


async def open_loop(
    host: str, port: int, make: RequestFactory, *, rate: float, seconds: float, clients: int
) -> LoadResult:
    """A fixed offered load: request i is due at start + i/rate, sent by client i % clients on its own
    connection. Latency counts from the due time, so a slow answer that delays the next request of
    that client is charged to it (no coordinated omission)."""
    result = LoadResult()
    total = int(rate * seconds)
    start = time.perf_counter() + 0.2

    async def client(index: int) -> None:
        connection = Connection(host, port)
        for i in range(index, total, clients):
            due = start + i / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            path, headers, body = make(i)
            result.sent += 1
            try:
                status, _ = await connection.post(path, headers, body)
            except (ConnectionError, OSError, asyncio.IncompleteReadError):
                result.errors += 1
                continue
            result.record(status)
            result.latencies.append(time.perf_counter() - due)
        await connection.close()

    with _no_gc_pauses():
        await asyncio.gather(*(client(index) for index in range(clients)))
    result.seconds = time.perf_counter() - start
    return result
