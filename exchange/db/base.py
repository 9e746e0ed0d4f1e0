"""The declarative base every domain's tables derive from."""

from __future__ import annotations

from datetime import UTC, datetime

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import Index, MetaData, text
from sqlalchemy.orm import DeclarativeBase

__all__ = ["Base", "partial_unique_index", "utcnow"]

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: DateTimeUTC(timezone=True)}


def partial_unique_index(name: str, *columns: str, where: str) -> Index:
    """A unique index over the rows that match `where` (an SQL condition), on SQLite and PostgreSQL alike."""
    return Index(name, *columns, unique=True, sqlite_where=text(where), postgresql_where=text(where))
