"""What the alert services share: an org as the visibility rule sees a member of it, bulk inserts, members' mail."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.models import User
from exchange.accounts.principal import Principal
from exchange.i18n.locales import DEFAULT_LOCALE

__all__ = ["CHUNK", "as_member_of", "insert_many", "member_emails"]

CHUNK = 900
"""Ids per IN (...) list."""


def as_member_of(org_id: int, kind: str = "buyer") -> Principal:
    """The org as `may_see_lot` / `visible_lots_clause` see a member of it (the one visibility rule)."""
    return Principal(
        user_id=0, email="", name="", is_admin=False, org_id=org_id, org_name=None, org_kind=kind, org_verified=True
    )


async def insert_many(session: AsyncSession, model: Any, rows: list[dict[str, Any]]) -> None:
    """One bulk INSERT (executemany, batched by the driver layer into multi-row statements; compiled once)."""
    if rows:
        await session.execute(insert(model), rows)


async def member_emails(session: AsyncSession, org_ids: list[int]) -> dict[int, list[tuple[str, str]]]:
    """Each org's members: (e-mail address, chosen language), so that a mail is written in it."""
    emails: dict[int, list[tuple[str, str]]] = {}
    for start in range(0, len(org_ids), CHUNK):
        rows = await session.execute(
            select(User.org_id, User.email, User.locale).where(User.org_id.in_(org_ids[start : start + CHUNK]))
        )
        for org, email, locale in rows.all():
            if org is not None:
                emails.setdefault(int(org), []).append((str(email), locale or DEFAULT_LOCALE))
    return emails
