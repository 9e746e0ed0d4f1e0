"""REDIS_URL naming a Redis Cluster, and the settings beside it."""

from __future__ import annotations

import pytest

from exchange.settings import RedisSettings, SettingsError, cluster_seeds


def test_a_cluster_url_lists_its_seed_masters_with_or_without_credentials() -> None:
    assert cluster_seeds("redis+cluster://10.0.0.1:7000,10.0.0.2:7001, redis-c:7002") == [
        ("10.0.0.1", 7000),
        ("10.0.0.2", 7001),
        ("redis-c", 7002),
    ]
    assert cluster_seeds("rediss+cluster://app:s3cret@[::1]:7000,h2/0") == [("::1", 7000), ("h2", 6379)]


def test_redis_mode_is_embedded_external_or_cluster() -> None:
    assert RedisSettings.from_env({}).mode == "embedded"
    assert RedisSettings.from_env({"REDIS_URL": "redis://r:6379/0"}).mode == "external"
    assert RedisSettings.from_env({"REDIS_URL": "redis+cluster://a:1,b:2"}).mode == "cluster"
    named = RedisSettings.from_env({"REDIS_URL": "redis://a:7000", "REDIS_CLUSTER": "yes"})
    assert (named.mode, named.url) == ("cluster", "redis+cluster://a:7000")


def test_a_cluster_url_with_a_bad_port_is_a_settings_error() -> None:
    with pytest.raises(SettingsError, match="redis\\+cluster://host:port"):
        RedisSettings.from_env({"REDIS_URL": "redis+cluster://a:7000,b:seven"})


def test_live_events_need_a_plain_redis_not_a_cluster() -> None:
    assert RedisSettings.from_env({"LIVE_REDIS_URL": "redis://live:6379/0"}).live_url == "redis://live:6379/0"
    with pytest.raises(SettingsError, match="LIVE_REDIS_URL"):
        RedisSettings.from_env({"LIVE_REDIS_URL": "redis+cluster://a:1"})
