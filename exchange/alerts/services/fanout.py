"""The alert fan-out: a lot that went live is matched against every saved search through the in-memory
index, and each matching search's owner is told once per (search, lot): one in-app notification per org
(naming its searches), a live event on the org's channel and a mail to each of its members for instant
searches; daily searches' alerts wait for the digest (`services.digest`).

Work comes from the `lot_went_live` outbox: each row is claimed by one conditional UPDATE in the same
transaction that writes the alerts (the unique (search, lot) constraint makes a repeat write nothing), so
any number of workers may run it, and a crash between them loses or repeats nothing.
"""

from __future__ import annotations

import asyncio
import time
import weakref
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Text, cast, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange.alerts.index import SearchIndex
from exchange.alerts.mails import alert_text
from exchange.alerts.matching import LotFeatures, query_of
from exchange.alerts.models import LotWentLiveRow, SavedSearch, SavedSearchAlert
from exchange.alerts.services._common import CHUNK, as_member_of, insert_many, member_emails
from exchange.live.channels import Live, org_channel
from exchange.lots.index import lot_index_rows
from exchange.lots.models import Lot, LotInvite
from exchange.lots.visibility import may_see_lot
from exchange.mail.models import OutboxMail
from exchange.notifications.models import Notification

__all__ = [
    "AlertIndex",
    "FanOut",
    "alert_index_for",
    "alert_lot",
    "drain_in_session",
    "features_of",
    "process_went_live",
]

INDEX_LOAD_CHUNK = 20_000
_CRITERIA_TEXT = cast(SavedSearch.criteria, Text)
"""The criteria as JSON text, decoded by msgspec (several times faster than the JSON column's json.loads)."""
GAP_SECONDS = 600.0
MAX_GAP = 1_000
"""Skipped ids looked for again (a larger jump is not a race of a few transactions)."""


def features_of(lot: Lot) -> LotFeatures:
    """The lot as the search index reads it: the same spec values and words the catalogue search indexes."""
    spec_rows, term_rows = lot_index_rows(lot)
    return LotFeatures(
        lot_id=lot.id,
        category=lot.category,
        grade=lot.grade,
        mode=lot.sale_mode,
        currency=lot.currency,
        price=lot.price_minor if lot.price_minor is not None else lot.min_bid_minor,
        city=(lot.location_city or "").lower(),
        region=(lot.location_region or "").lower(),
        country=lot.location_country,
        numbers={row["key"]: row["num_value"] for row in spec_rows if row["num_value"] is not None},
        texts={row["key"]: row["text_value"] for row in spec_rows if row["text_value"] is not None},
        terms=frozenset(row["term"] for row in term_rows),
    )


class AlertIndex:
    """A worker's `SearchIndex` with what keeps it current: one loader at a time, topped up from SQL.

    Ids are not committed in order on PostgreSQL (a search with a lower id may commit after a higher one was
    read), so ids skipped while loading are kept as gaps and looked for again at each refresh for
    `GAP_SECONDS` (after that they were rolled back)."""

    def __init__(self) -> None:
        self.index = SearchIndex()
        self._lock = asyncio.Lock()
        self._gaps: dict[int, float] = {}

    def _note_gaps(self, before: int, ids: list[int]) -> None:
        now = time.monotonic()
        expected = before + 1
        for search_id in ids:
            if search_id > expected and search_id - expected <= MAX_GAP:
                self._gaps.update(dict.fromkeys(range(expected, search_id), now))
            expected = search_id + 1
        self._gaps = {gap: seen for gap, seen in self._gaps.items() if now - seen < GAP_SECONDS}

    async def refresh(self, session: AsyncSession) -> SearchIndex:
        """Add the searches saved since the last refresh (all of them the first time)."""
        async with self._lock:
            if self._gaps:
                rows = (
                    await session.execute(
                        select(SavedSearch.id, _CRITERIA_TEXT).where(SavedSearch.id.in_(list(self._gaps)))
                    )
                ).all()
                for search_id, criteria in rows:
                    self._gaps.pop(search_id, None)
                    self.index.add(search_id, query_of(criteria))
            while True:
                before = self.index.max_id
                rows = (
                    await session.execute(
                        select(SavedSearch.id, _CRITERIA_TEXT)
                        .where(SavedSearch.id > before)
                        .order_by(SavedSearch.id)
                        .limit(INDEX_LOAD_CHUNK)
                    )
                ).all()
                self.index.add_many((search_id, query_of(criteria)) for search_id, criteria in rows)
                if self.index.loaded:
                    self._note_gaps(before, [row[0] for row in rows])
                if len(rows) < INDEX_LOAD_CHUNK:
                    break
            self.index.loaded = True
            return self.index


_INDEXES: weakref.WeakKeyDictionary[async_sessionmaker[AsyncSession], AlertIndex] = weakref.WeakKeyDictionary()


def alert_index_for(session_maker: async_sessionmaker[AsyncSession]) -> AlertIndex:
    """This process's index of the saved searches in the database `session_maker` opens (one per app)."""
    found = _INDEXES.get(session_maker)
    if found is None:
        found = _INDEXES[session_maker] = AlertIndex()
    return found


@dataclass
class FanOut:
    lot_id: int
    matched: int = 0
    """Searches the index found (before visibility and the once-per-(search, lot) rule)."""
    alerted: list[tuple[int, int]] = field(default_factory=list)
    """(search id, org id) alerted now."""
    told_orgs: list[int] = field(default_factory=list)
    """Orgs notified at once (instant searches)."""


def _insert(session: AsyncSession, model: Any) -> Any:
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model)


async def _visible_searches(
    session: AsyncSession, index: SearchIndex, lot: Lot, ids: Sequence[int]
) -> list[tuple[int, int, str, str]]:
    """(search id, org id, name, frequency) of the matched searches that still exist and whose org may see the lot."""
    found: list[tuple[int, int, str, str]] = []
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        rows = (
            await session.execute(
                select(SavedSearch.id, SavedSearch.org_id, SavedSearch.name, SavedSearch.frequency).where(
                    SavedSearch.id.in_(chunk)
                )
            )
        ).all()
        for gone in set(chunk) - {row[0] for row in rows}:
            index.discard(gone)
        found.extend((int(a), int(b), str(c), str(d)) for a, b, c, d in rows)
    invited: set[int] = set()
    if lot.visibility != "public":
        invited = set(await session.scalars(select(LotInvite.org_id).where(LotInvite.lot_id == lot.id)))
    return [
        row
        for row in found
        if may_see_lot(
            as_member_of(row[1]),
            seller_org_id=lot.seller_org_id,
            visibility=lot.visibility,
            status=lot.status,
            invited=row[1] in invited,
        )
        and row[1] != lot.seller_org_id
    ]


async def alert_lot(session: AsyncSession, index: SearchIndex, lot_id: int, *, now: datetime) -> FanOut:
    """Alert every saved search that finds the live lot `lot_id` and has not alerted about it before;
    in the caller's transaction. Bulk statements: a few per thousand searches."""
    result = FanOut(lot_id)
    lot = await session.get(Lot, lot_id)
    if lot is None or lot.status != "live":
        return result
    ids = index.match(features_of(lot))
    result.matched = len(ids)
    searches = await _visible_searches(session, index, lot, ids)
    if not searches:
        return result
    by_id = {row[0]: row for row in searches}
    statement = (
        _insert(session, SavedSearchAlert)
        .on_conflict_do_nothing(index_elements=["search_id", "lot_id"])
        .returning(SavedSearchAlert.search_id)
    )
    inserted = await session.scalars(
        statement,
        [
            {"search_id": sid, "lot_id": lot_id, "org_id": org, "frequency": freq, "created_at": now}
            for sid, org, _name, freq in searches
        ],
    )
    new = [by_id[sid] for sid in inserted.all()]
    result.alerted = [(sid, org) for sid, org, _name, _freq in new]
    names_by_org: dict[int, list[str]] = {}
    for _sid, org, name, freq in new:
        if freq == "instant":
            names_by_org.setdefault(org, []).append(name)
    if not names_by_org:
        return result
    notes: list[dict[str, Any]] = []
    mails: list[dict[str, Any]] = []
    emails = await member_emails(session, list(names_by_org))
    for org, names in names_by_org.items():
        title, body = alert_text(lot.title, lot.id, sorted(names))
        notes.append(
            {
                "org_id": org,
                "kind": "saved_search_alert",
                "title": str(title)[:200],
                "body": str(body),
                "message": {"title": title.to_json(), "body": body.to_json()},
                "link": f"/lots/{lot.id}",
                "created_at": now,
            }
        )
        mails.extend(
            {
                "recipient": email,
                "subject": title.render(locale)[:200],
                "body": body.render(locale),
                "created_at": now,
                "due_at": now,
                "attempts": 0,
            }
            for email, locale in emails.get(org, ())
        )
    await insert_many(session, Notification, notes)
    await insert_many(session, OutboxMail, mails)
    result.told_orgs = list(names_by_org)
    return result


async def process_went_live(
    session_maker: async_sessionmaker[AsyncSession],
    alerts: AlertIndex,
    live: Live | None,
    now: datetime,
    *,
    limit: int = 100,
) -> list[FanOut]:
    """Fan out every queued went-live row (oldest first, up to `limit`); each in its own transaction,
    claimed by a conditional UPDATE so that another worker's run skips it. Live events go out after each commit."""
    async with session_maker() as session:
        queued = (
            await session.execute(
                select(LotWentLiveRow.id, LotWentLiveRow.lot_id)
                .where(LotWentLiveRow.processed_at.is_(None))
                .order_by(LotWentLiveRow.id)
                .limit(limit)
            )
        ).all()
    if not queued and alerts.index.loaded:
        return []
    # The index is topped up after the queue was read: every search saved before a queued lot went live
    # (committed before its row) is in it.
    async with session_maker() as session:
        index = await alerts.refresh(session)
    done: list[FanOut] = []
    for row_id, lot_id in queued:
        async with session_maker() as session, session.begin():
            claimed = await session.execute(
                update(LotWentLiveRow)
                .where(LotWentLiveRow.id == row_id, LotWentLiveRow.processed_at.is_(None))
                .values(processed_at=now)
                .execution_options(synchronize_session=False)
            )
            if getattr(claimed, "rowcount", 0) != 1:
                continue
            fan_out = await alert_lot(session, index, lot_id, now=now)
        done.append(fan_out)
        if live is not None and fan_out.told_orgs:
            await live.publish_many(
                [(org_channel(org), "notification", {"kind": "saved_search_alert"}) for org in fan_out.told_orgs]
            )
    return done


async def drain_in_session(session: AsyncSession, alerts: AlertIndex, now: datetime) -> list[FanOut]:
    """Fan out every queued lot in the caller's transaction (the demo loader, which runs in one)."""
    index = await alerts.refresh(session)
    claimed = await session.execute(
        update(LotWentLiveRow)
        .where(LotWentLiveRow.processed_at.is_(None))
        .values(processed_at=now)
        .returning(LotWentLiveRow.lot_id)
        .execution_options(synchronize_session=False)
    )
    return [await alert_lot(session, index, lot_id, now=now) for lot_id in sorted(set(claimed.scalars().all()))]
