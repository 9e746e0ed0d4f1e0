"""Fee schedule use cases: the version in force for a category at a time, one version by id, new versions.

Orders call `schedule_in_force` when they are created and keep the version's id; settlement reads that
version back with `schedule_version`, so a schedule set later never changes an existing order's fees.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from exchange import audit
from exchange.errors import Conflict, NotFound, Unprocessable
from exchange.fees import rules, schemas
from exchange.fees.errors import VERSION_TAKEN
from exchange.fees.models import FeeScheduleVersion
from exchange.fees.rules import PLATFORM_DEFAULT_CATEGORY, FeeSchedule, Tier
from exchange.i18n.catalog import N_
from exchange.i18n.messages import Msg
from exchange.money import format_minor, parse_money
from exchange.orders.models import Order
from exchange.settings import FeeSettings, Settings
from exchange.specs.catalog import get_catalog

__all__ = [
    "ScheduleInForce",
    "category_label",
    "check_category",
    "create_from_input",
    "create_version",
    "default_schedule",
    "list_versions",
    "order_margin",
    "order_schedule",
    "order_split",
    "parse_tiers",
    "schedule_in_force",
    "schedule_of",
    "schedule_version",
    "versions_out",
]


@dataclass(frozen=True, slots=True)
class ScheduleInForce:
    id: int | None
    """The version's id, what an order stores; None for the built-in default (no schedule was ever set)."""
    category: str
    version: int
    schedule: FeeSchedule
    effective_from: datetime | None


def schedule_of(row: FeeScheduleVersion) -> FeeSchedule:
    tiers = tuple(Tier(t.get("up_to_minor"), Decimal(str(t["percent"]))) for t in row.tiers)
    return FeeSchedule(tiers=tiers, fixed_fee_minor=row.fixed_fee_minor, broker_percent=Decimal(row.broker_percent))


def _in_force(row: FeeScheduleVersion) -> ScheduleInForce:
    return ScheduleInForce(row.id, row.category, row.version, schedule_of(row), row.effective_from)


def default_schedule(fees: FeeSettings | None = None) -> ScheduleInForce:
    """The platform default from settings (FEE_DEFAULT_PERCENT, FEE_DEFAULT_FIXED, FEE_DEFAULT_BROKER_PERCENT);
    without settings at hand (a service called with a session only), read from the same environment."""
    fees = fees or FeeSettings.from_env(os.environ)
    schedule = FeeSchedule(
        tiers=(Tier(None, Decimal(fees.default_percent)),),
        fixed_fee_minor=fees.default_fixed_minor,
        broker_percent=Decimal(fees.default_broker_percent),
    )
    return ScheduleInForce(None, PLATFORM_DEFAULT_CATEGORY, 0, schedule, None)


async def schedule_in_force(
    session: AsyncSession, category_code: str, at: datetime, *, settings: Settings | None = None
) -> ScheduleInForce:
    """The schedule in force for `category_code` at `at`: the latest version already effective of the nearest
    category up the tree that has one (`textiles/fabric`, then `textiles`, then the platform-wide `*`),
    else the default from settings. Versions effective only later are ignored until their time comes."""
    chain = rules.ancestors(category_code)
    rows = (
        await session.scalars(
            select(FeeScheduleVersion)
            .where(FeeScheduleVersion.category.in_(chain), FeeScheduleVersion.effective_from <= at)
            .order_by(FeeScheduleVersion.effective_from.desc(), FeeScheduleVersion.version.desc())
        )
    ).all()
    for code in chain:
        for row in rows:
            if row.category == code:
                return _in_force(row)
    return default_schedule(settings.fees if settings else None)


async def schedule_version(
    session: AsyncSession, version_id: int | None, *, settings: Settings | None = None
) -> ScheduleInForce:
    """The version an order kept (None: the default from settings)."""
    if version_id is None:
        return default_schedule(settings.fees if settings else None)
    row = await session.get(FeeScheduleVersion, version_id)
    if row is None:
        raise NotFound(Msg("There is no fee schedule version {version}.", version=version_id))
    return _in_force(row)


async def order_schedule(session: AsyncSession, order: Order, *, settings: Settings | None = None) -> ScheduleInForce:
    """The fee schedule version the order kept when it was made (None kept: the platform default)."""
    return await schedule_version(session, order.fee_schedule_id, settings=settings)


def order_split(order: Order, schedule: ScheduleInForce, gross_minor: int | None = None) -> rules.FeeSplit:
    """Fee, broker commission and seller net of the order's amount (or of `gross_minor` taken on its account:
    what a refund leaves, a forfeited deposit), by the order's schedule; a proposal order's margin from its terms."""
    gross = order.amount_minor if gross_minor is None else gross_minor
    return rules.split(gross, schedule.schedule, order_margin(order), proposal=order.source == "proposal")


def order_margin(order: Order) -> int:
    """A proposal order's broker margin (client price - seller's price) from its terms; 0 for other orders."""
    margin = (order.terms or {}).get("margin_minor", 0)
    return margin if isinstance(margin, int) and not isinstance(margin, bool) and margin > 0 else 0


async def list_versions(session: AsyncSession) -> list[FeeScheduleVersion]:
    """Every version, by category then newest first."""
    return list(
        (
            await session.scalars(
                select(FeeScheduleVersion).order_by(FeeScheduleVersion.category, FeeScheduleVersion.version.desc())
            )
        ).all()
    )


def category_label(code: str) -> str:
    if code == PLATFORM_DEFAULT_CATEGORY:
        return "All categories (platform default)"
    return get_catalog().label_of(code)


def check_category(code: str, *, field: str = "category") -> str:
    code = (code or "").strip()
    if code == PLATFORM_DEFAULT_CATEGORY or get_catalog().get(code) is not None:
        return code
    raise Unprocessable(
        Msg("There is no category {code}; choose one from the catalogue, or all categories.", code=repr(code[:64])),
        field=field,
    )


async def create_version(
    session: AsyncSession,
    *,
    category: str,
    schedule: FeeSchedule,
    effective_from: datetime,
    at: datetime,
    created_by: int | None,
) -> FeeScheduleVersion:
    """A new version of the category's schedule, effective from `effective_from` (now or later), audited."""
    category = check_category(category)
    rules.check_tiers(list(schedule.tiers))
    if effective_from < at:
        raise Unprocessable(
            N_("effective_from must not be in the past: orders already made keep their schedule."),
            field="effective_from",
        )
    latest = await session.scalar(
        select(func.max(FeeScheduleVersion.version)).where(FeeScheduleVersion.category == category)
    )
    row = FeeScheduleVersion(
        category=category,
        version=(latest or 0) + 1,
        tiers=[{"up_to_minor": t.up_to_minor, "percent": rules.percent_text(t.percent)} for t in schedule.tiers],
        fixed_fee_minor=schedule.fixed_fee_minor,
        broker_percent=rules.percent_text(schedule.broker_percent),
        effective_from=effective_from,
        created_at=at,
        created_by=created_by,
    )
    try:
        async with session.begin_nested():
            session.add(row)
    except IntegrityError:  # two admins saved a version of one category at once: one of them gets it
        raise Conflict(
            Msg(
                "Another version of {category} was saved at the same moment; reload and try again.",
                category=category_label(category),
            ),
            code=VERSION_TAKEN,
        ) from None
    await _audit(session, row, created_by, at)
    return row


def snapshot(row: FeeScheduleVersion) -> dict[str, Any]:
    return {
        "category": row.category,
        "version": row.version,
        "tiers": row.tiers,
        "fixed_fee_minor": row.fixed_fee_minor,
        "broker_percent": row.broker_percent,
        "effective_from": row.effective_from.isoformat(),
    }


async def _audit(session: AsyncSession, row: FeeScheduleVersion, user_id: int | None, at: datetime) -> None:
    """The audit record of a new version, in the same transaction."""
    await audit.record(
        session,
        actor=f"admin:{user_id}" if user_id is not None else "system",
        object_type="fee_schedule",
        object_id=row.id,
        action="create_version",
        before=None,
        after=snapshot(row),
        at=at,
    )


FEE_CURRENCY = "CNY"
"""Tier bounds and fixed fees are read and shown in this currency's minor units."""


def parse_tiers(raw: list[tuple[str | int | None, str | int | None]], *, field: str = "tiers") -> tuple[Tier, ...]:
    """(up_to, percent) pairs as given by the API or the page form, checked; a 422 names the field."""
    tiers = [
        Tier(
            None if up_to is None else parse_money(up_to, FEE_CURRENCY, field=f"{field}[{i}].up_to"),
            rules.parse_percent(percent, field=f"{field}[{i}].percent"),
        )
        for i, (up_to, percent) in enumerate(raw)
    ]
    return rules.check_tiers(tiers, field=field)


def version_out(row: FeeScheduleVersion, in_force_ids: set[int]) -> schemas.FeeSchedule:
    return schemas.FeeSchedule(
        id=row.id,
        category=row.category,
        category_label=category_label(row.category),
        version=row.version,
        tiers=[
            schemas.TierOut(up_to=format_minor(t.get("up_to_minor"), FEE_CURRENCY), percent=str(t["percent"]))
            for t in row.tiers
        ],
        fixed_fee=format_minor(row.fixed_fee_minor, FEE_CURRENCY) or "0.00",
        broker_percent=row.broker_percent,
        effective_from=row.effective_from,
        created_at=row.created_at,
        in_force=row.id in in_force_ids,
    )


async def versions_out(session: AsyncSession, at: datetime) -> list[schemas.FeeSchedule]:
    rows = await list_versions(session)
    in_force: dict[str, FeeScheduleVersion] = {}
    for row in rows:
        if row.effective_from <= at:
            current = in_force.get(row.category)
            if current is None or (row.effective_from, row.version) > (current.effective_from, current.version):
                in_force[row.category] = row
    ids = {row.id for row in in_force.values()}
    return [version_out(row, ids) for row in rows]


async def create_from_input(
    session: AsyncSession, data: schemas.FeeScheduleIn, *, at: datetime, created_by: int | None
) -> FeeScheduleVersion:
    schedule = FeeSchedule(
        tiers=parse_tiers([(t.up_to, t.percent) for t in data.tiers]),
        fixed_fee_minor=parse_money(data.fixed_fee, FEE_CURRENCY, field="fixed_fee", allow_zero=True),
        broker_percent=rules.parse_percent(data.broker_percent, field="broker_percent"),
    )
    return await create_version(
        session,
        category=data.category,
        schedule=schedule,
        effective_from=data.effective_from or at,
        at=at,
        created_by=created_by,
    )
