"""Run the Alembic migrations programmatically (used by `exchange migrate`, serve and the tests)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config

__all__ = ["alembic_config", "upgrade_database"]


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", "exchange.db:migrations")
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade_database(database_url: str, revision: str = "heads") -> None:
    command.upgrade(alembic_config(database_url), revision)
