"""Finding organisations by name: the buyers a seller may invite to a private lot, and names for ids."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import msgspec
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.models import Org

__all__ = ["BUYING_KINDS", "MIN_QUERY", "OrgName", "PublicOrg", "buyer_orgs_named", "org_names", "public_org"]

BUYING_KINDS = ("buyer", "broker")
MIN_QUERY = 2
"""Fewer characters match too many organisations to be a search (and would list them all)."""


class OrgName(msgspec.Struct):
    id: int
    name: str
    kind: str


class PublicOrg(msgspec.Struct):
    """What anyone may read about an organisation that sells: its name, kind, verification and age."""

    id: int
    name: str
    kind: str
    verified: bool
    member_since: datetime


async def public_org(session: AsyncSession, org_id: int) -> PublicOrg | None:
    org = await session.get(Org, org_id)
    if org is None:
        return None
    return PublicOrg(id=org.id, name=org.name, kind=org.kind, verified=org.verified, member_since=org.created_at)


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


async def buyer_orgs_named(session: AsyncSession, query: str, *, limit: int = 10) -> list[OrgName]:
    """Verified buyer and broker organisations whose name contains `query` (any case), names starting with
    it first; nothing for a query shorter than MIN_QUERY characters."""
    text = " ".join(query.split())[:120]
    if len(text) < MIN_QUERY:
        return []
    pattern = f"%{_escaped(text.lower())}%"
    starts = func.lower(Org.name).like(f"{_escaped(text.lower())}%", escape="\\")
    rows = await session.execute(
        select(Org.id, Org.name, Org.kind)
        .where(Org.verified.is_(True), Org.kind.in_(BUYING_KINDS), func.lower(Org.name).like(pattern, escape="\\"))
        .order_by(starts.desc(), Org.name, Org.id)
        .limit(limit)
    )
    return [OrgName(id=row[0], name=row[1], kind=row[2]) for row in rows]


async def org_names(session: AsyncSession, org_ids: Iterable[int]) -> list[OrgName]:
    """The organisations of these ids, by name (unknown ids are left out)."""
    unique = sorted(set(org_ids))
    if not unique:
        return []
    rows = await session.execute(select(Org.id, Org.name, Org.kind).where(Org.id.in_(unique)).order_by(Org.name))
    return [OrgName(id=row[0], name=row[1], kind=row[2]) for row in rows]
