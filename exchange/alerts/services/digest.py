"""The daily digest: a daily saved search's alerts, collected, and "lots like the ones you buy", sent at most
once a day per org (in-app, live, and by mail to each member)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange.alerts.mails import digest_text
from exchange.alerts.models import AlertSettings, SavedSearch, SavedSearchAlert
from exchange.alerts.services._common import insert_many, member_emails
from exchange.alerts.services.preferences import suggestions_for
from exchange.live.channels import Live, org_channel
from exchange.lots.models import Lot
from exchange.mail.models import OutboxMail
from exchange.notifications.services import notify

__all__ = ["DIGEST_EVERY", "send_digest", "send_due_digests"]

DIGEST_EVERY = timedelta(days=1)


async def _claim_day(session: AsyncSession, org_id: int, now: datetime) -> tuple[bool, datetime | None]:
    """One conditional UPDATE: this org's digest is sent by this run, or was sent less than a day ago.
    Answers (claimed, when the last digest went out)."""
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(AlertSettings)
    await session.execute(insert.values(org_id=org_id, suggestions_enabled=True).on_conflict_do_nothing())
    before = await session.scalar(select(AlertSettings.last_digest_at).where(AlertSettings.org_id == org_id))
    claimed = await session.execute(
        update(AlertSettings)
        .where(
            AlertSettings.org_id == org_id,
            or_(AlertSettings.last_digest_at.is_(None), AlertSettings.last_digest_at <= now - DIGEST_EVERY),
        )
        .values(last_digest_at=now)
        .execution_options(synchronize_session=False)
    )
    return getattr(claimed, "rowcount", 0) == 1, before


async def send_digest(session: AsyncSession, org_id: int, now: datetime) -> bool:
    """Send the org's digest if a day has passed since the last; in the caller's transaction. True when sent."""
    claimed, before = await _claim_day(session, org_id, now)
    if not claimed:
        return False
    rows = (
        await session.execute(
            select(SavedSearchAlert.id, Lot.id, Lot.title, Lot.status, SavedSearch.name)
            .join(Lot, Lot.id == SavedSearchAlert.lot_id)
            .join(SavedSearch, SavedSearch.id == SavedSearchAlert.search_id)
            .where(
                SavedSearchAlert.org_id == org_id,
                SavedSearchAlert.frequency == "daily",
                SavedSearchAlert.digested_at.is_(None),
            )
            .order_by(SavedSearchAlert.id)
        )
    ).all()
    if rows:
        await session.execute(
            update(SavedSearchAlert)
            .where(SavedSearchAlert.id.in_([row[0] for row in rows]))
            .values(digested_at=now)
            .execution_options(synchronize_session=False)
        )
    found: dict[int, tuple[int, str, str]] = {}
    for _alert, lot_id, title, status, name in rows:
        if status == "live" and lot_id not in found:
            found[lot_id] = (lot_id, title, name)
    suggestions = (await suggestions_for(session, org_id)).items
    suggested = [(s.lot_id, s.title, s.reason) for s in suggestions if s.lot_id not in found]
    if not found and not suggested:  # nothing to tell: the day is not used up
        await session.execute(update(AlertSettings).where(AlertSettings.org_id == org_id).values(last_digest_at=before))
        return False
    subject, body = digest_text(list(found.values()), suggested)
    await notify(session, org_id, kind="daily_digest", title=subject, body=body, link="/saved-searches")
    emails = (await member_emails(session, [org_id])).get(org_id, [])
    await insert_many(
        session,
        OutboxMail,
        [
            {
                "recipient": email,
                "subject": subject.render(locale),
                "body": body.render(locale),
                "created_at": now,
                "due_at": now,
                "attempts": 0,
            }
            for email, locale in emails
        ],
    )
    return True


async def send_due_digests(
    session_maker: async_sessionmaker[AsyncSession], live: Live | None, now: datetime
) -> list[int]:
    """Every org with a daily saved search gets its digest once a day; answers the orgs sent one."""
    async with session_maker() as session:
        due = (
            select(SavedSearch.org_id)
            .outerjoin(AlertSettings, AlertSettings.org_id == SavedSearch.org_id)
            .where(
                SavedSearch.frequency == "daily",
                or_(AlertSettings.last_digest_at.is_(None), AlertSettings.last_digest_at <= now - DIGEST_EVERY),
            )
            .distinct()
        )
        org_ids = list(await session.scalars(due))
    sent: list[int] = []
    for org_id in org_ids:
        async with session_maker() as session, session.begin():
            done = await send_digest(session, org_id, now)
        if done:
            sent.append(org_id)
            if live is not None:
                live.publish(org_channel(org_id), "notification", {"kind": "daily_digest"})
    return sent
