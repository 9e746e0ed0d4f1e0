from __future__ import annotations

import os
import signal
from pathlib import Path

import redis

from exchange.redis.embedded import EmbeddedRedis


def test_the_embedded_server_keeps_its_writes_through_a_kill_but_drops_the_engine_copy_of_sql(tmp_path: Path) -> None:
    server = EmbeddedRedis(tmp_path)
    assert server.ensure_running() is True
    client = redis.Redis(unix_socket_path=str(server.socket_path))
    assert client.config_get("appendonly")["appendonly"] == "yes"
    assert client.config_get("appendfsync")["appendfsync"] == "no"  # written before each answer, not fsynced
    client.set("lot:{1}:state", "live")
    client.hset("sx:3f9a1c2b:lot:{1}", "gen", "g1")  # the bid engine's working copy of a lot
    pid = int(server.pid_path.read_text())
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    client.close()

    again = EmbeddedRedis(tmp_path)
    assert again.ensure_running() is True
    client = redis.Redis(unix_socket_path=str(again.socket_path))
    assert client.get("lot:{1}:state") == b"live"
    assert client.exists("sx:3f9a1c2b:lot:{1}") == 0  # rebuilt from SQL on its next use
    assert client.config_get("requirepass")["requirepass"] == ""  # open again once they are gone
    client.close()
    again.stop()
    assert not again.is_running()


def test_a_running_server_for_the_same_data_directory_is_adopted_not_doubled(tmp_path: Path) -> None:
    first = EmbeddedRedis(tmp_path)
    first.ensure_running()
    second = EmbeddedRedis(tmp_path)
    assert second.ensure_running() is False
    assert second.is_running()
    first.stop()
    assert not second.is_running()
