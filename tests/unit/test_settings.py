from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from exchange.settings import Settings, SettingsError


def test_defaults_put_sqlite_and_embedded_redis_in_the_data_directory(tmp_path: Path) -> None:
    settings = Settings.from_env({"DATA_DIR": str(tmp_path)})
    assert settings.database.url == f"sqlite+aiosqlite:///{tmp_path / 'exchange.db'}"
    assert settings.redis.embedded
    assert (settings.server.host, settings.server.port, settings.server.workers) == ("127.0.0.1", 8000, 1)


def test_a_plain_postgresql_url_is_driven_through_asyncpg() -> None:
    settings = Settings.from_env({"DATABASE_URL": "postgresql://u@localhost:5432/test"})
    assert settings.database.url == "postgresql+asyncpg://u@localhost:5432/test"
    assert not settings.database.is_sqlite


def test_an_unknown_database_driver_is_refused_with_a_clear_message() -> None:
    with pytest.raises(SettingsError, match="DATABASE_URL"):
        Settings.from_env({"DATABASE_URL": "mysql://localhost/x"})


@pytest.mark.parametrize(
    ("name", "value"), [("PORT", "eighty"), ("PORT", "70000"), ("WORKERS", "0"), ("MIN_BIDDING_WINDOW", "0")]
)
def test_bad_numbers_name_the_setting(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        Settings.from_env({name: value})


def test_the_shortest_bidding_window_is_an_hour_unless_the_operator_sets_seconds() -> None:
    assert Settings.from_env({}).min_bidding_window == timedelta(hours=1)
    assert Settings.from_env({"MIN_BIDDING_WINDOW": "2"}).min_bidding_window == timedelta(seconds=2)


def test_redis_url_switches_off_the_embedded_server() -> None:
    settings = Settings.from_env({"REDIS_URL": "redis://127.0.0.1:6379/0"})
    assert not settings.redis.embedded


def test_a_secret_key_is_generated_once_and_kept_in_the_data_directory(tmp_path: Path) -> None:
    first = Settings.from_env({"DATA_DIR": str(tmp_path)}).prepared()
    second = Settings.from_env({"DATA_DIR": str(tmp_path)}).prepared()
    assert len(first.secret_key) >= 40
    assert first.secret_key == second.secret_key
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_a_given_secret_key_is_used_as_is(tmp_path: Path) -> None:
    settings = Settings.from_env({"DATA_DIR": str(tmp_path), "SECRET_KEY": "s3cret"}).prepared()
    assert settings.secret_key == "s3cret"
    assert not (tmp_path / "secret_key").exists()


def test_trusted_proxies_are_a_comma_separated_list() -> None:
    settings = Settings.from_env({"TRUSTED_PROXIES": "10.0.0.1, 10.0.0.2"})
    assert settings.server.trusted_proxies == frozenset({"10.0.0.1", "10.0.0.2"})


def test_the_default_fee_comes_from_the_settings_and_bad_values_name_the_setting() -> None:
    fees = Settings.from_env({"FEE_DEFAULT_PERCENT": "2.5", "FEE_DEFAULT_FIXED": "10.50"}).fees
    assert (fees.default_percent, fees.default_fixed_minor, fees.default_broker_percent) == ("2.5", 1050, "2")
    for name, value in (
        ("FEE_DEFAULT_PERCENT", "101"),
        ("FEE_DEFAULT_FIXED", "1.234"),
        ("FEE_DEFAULT_BROKER_PERCENT", "x"),
    ):
        with pytest.raises(SettingsError, match=name):
            Settings.from_env({name: value})
