"""Keeps the embedded redis-server running: restarts it from its append-only file when it dies.

The process that owns the server (`exchange serve`'s parent process, or an app that started the server
itself) runs one supervisor thread. It looks every half second whether the server process is still
there; when it is gone (killed, crashed), the thread reaps it and starts a new one on the same data
directory, which loads the append-only file and drops the bid engine's keys before it lets clients
in (`embedded.py`); the workers' clients reconnect by themselves and the engine rebuilds each lot from
SQL on its next use. Meanwhile every call that needs Redis answers 503 with Retry-After.

It watches for the process to end, not for slow answers: a busy server is never restarted.
"""

from __future__ import annotations

import logging
import threading

from exchange.redis.embedded import EmbeddedRedis, EmbeddedRedisError

__all__ = ["CHECK_SECONDS", "RedisSupervisor"]

CHECK_SECONDS = 0.5

log = logging.getLogger("exchange.redis")


class RedisSupervisor:
    def __init__(self, server: EmbeddedRedis, *, every: float = CHECK_SECONDS) -> None:
        self.server = server
        self.every = every
        self.restarts = 0
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._stopping.clear()
        self._thread = threading.Thread(target=self._watch, name="redis-supervisor", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop watching (before the server is stopped on purpose, or it would be started again)."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def _watch(self) -> None:
        while not self._stopping.wait(self.every):
            if self.server.has_exited():
                self._restart()

    def _restart(self) -> None:
        log.warning("the embedded redis-server has stopped; starting it again from its append-only file")
        try:
            started = self.server.ensure_running()
        except EmbeddedRedisError as error:  # tried again at the next check
            log.error("the embedded redis-server did not start again: %s", error)
            return
        self.restarts += 1
        log.warning("the embedded redis-server is running again" + ("" if started else " (started elsewhere)"))
