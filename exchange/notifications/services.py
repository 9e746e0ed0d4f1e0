"""Notify an organisation; list, count and mark read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from exchange import paging
from exchange.db.base import utcnow
from exchange.i18n.messages import Msg, render_stored
from exchange.live.channels import org_channel, publish_event
from exchange.notifications import schemas
from exchange.notifications.models import Notification
from exchange.runtime import Runtime

__all__ = ["ReaderNotification", "list_for_reader", "list_notifications", "mark_all_read", "notify", "unread_count"]


async def notify(
    session: AsyncSession,
    org_id: int,
    *,
    kind: str,
    title: str | Msg,
    body: str | Msg = "",
    link: str = "",
    runtime: Runtime | None = None,
) -> Notification:
    """Record a notification for every member of `org_id`; with `runtime`, also push it live.

    A `Msg` title or body is kept as a message too, so each reader's page shows it in their language;
    the `title`/`body` columns (and the API) keep the English text. The live push carries only the kind
    (no content), so a page re-fetches what it may see.
    """
    message = {part: value.to_json() for part, value in (("title", title), ("body", body)) if isinstance(value, Msg)}
    note = Notification(
        org_id=org_id,
        kind=kind,
        title=str(title)[:200],
        body=str(body),
        link=link[:300],
        message=message or None,
    )
    session.add(note)
    await session.flush()
    if runtime is not None:
        publish_event(runtime, org_channel(org_id), "notification", {"kind": kind})
    return note


def _out(note: Notification) -> schemas.Notification:
    return schemas.Notification(
        id=note.id,
        kind=note.kind,
        title=note.title,
        body=note.body,
        link=note.link,
        created_at=note.created_at,
        read=note.read_at is not None,
    )


async def unread_count(session: AsyncSession, org_id: int) -> int:
    count = await session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.org_id == org_id, Notification.read_at.is_(None))
    )
    return int(count or 0)


def _newest_first(org_id: int) -> Select[Notification]:
    """The org's notifications, newest first: what the API pages through and the reader's page shows."""
    return (
        select(Notification)
        .where(Notification.org_id == org_id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    )


async def list_notifications(
    session: AsyncSession, org_id: int, window: paging.Window | None = None
) -> schemas.NotificationList:
    """Newest first, one window of them (default: the first 20), with the unread count."""
    window = window or paging.window(None, None)
    rows, total = await paging.fetch_window(session, _newest_first(org_id), window)
    return schemas.NotificationList(
        items=[_out(note) for (note,) in rows], total=total, next=None, unread=await unread_count(session, org_id)
    )


async def mark_all_read(session: AsyncSession, org_id: int) -> int:
    result = await session.execute(
        update(Notification)
        .where(Notification.org_id == org_id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    return int(getattr(result, "rowcount", 0) or 0)


@dataclass(frozen=True, slots=True)
class ReaderNotification:
    """A notification as its reader's page shows it: in the reader's language."""

    id: int
    kind: str
    title: str
    body: str
    link: str
    created_at: datetime
    read: bool


async def list_for_reader(session: AsyncSession, org_id: int, *, limit: int = 50) -> list[ReaderNotification]:
    """The latest notifications of `org_id`, each in the current language where it was stored as a message."""
    notes = await session.scalars(_newest_first(org_id).limit(limit))
    shown = []
    for note in notes:
        message = note.message or {}
        shown.append(
            ReaderNotification(
                id=note.id,
                kind=note.kind,
                title=render_stored(message.get("title"), note.title),
                body=render_stored(message.get("body"), note.body),
                link=note.link,
                created_at=note.created_at,
                read=note.read_at is not None,
            )
        )
    return shown
