"""Database: declarative base, engine factory and Alembic migrations."""

from __future__ import annotations

from exchange.db.base import Base
from exchange.db.engine import make_engine, make_session_maker

__all__ = ["Base", "make_engine", "make_session_maker"]
