"""Demo lots: about sixty realistic lots across every category, posted through the catalogue's services.

Some stay drafts, some wait in the admin's review queue, some are private to invited buyers, and
a couple are already sold, so every page has something to show.
"""

from __future__ import annotations

import tomllib
from datetime import UTC, date, datetime, timedelta
from importlib import resources
from typing import Any

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts import schemas as account_schemas
from exchange.accounts import services as accounts
from exchange.demo.context import DemoContext
from exchange.demo.kyb import example_details
from exchange.demo.photos import demo_photo
from exchange.errors import DomainError
from exchange.lots import schemas, services
from exchange.orders.services import create_order_for_lot

__all__ = ["demo_lots", "load_lots", "lot_body"]


def demo_lots() -> dict[str, Any]:
    """The demo data file (`exchange/demo/lots.toml`)."""
    return tomllib.loads(resources.files("exchange.demo").joinpath("lots.toml").read_text(encoding="utf-8"))


def lot_body(raw: dict[str, Any], context: DemoContext, now: datetime) -> schemas.LotCreate:
    """A lot body from its entry in a demo TOML file (`lots.toml`, `orders.toml`)."""
    sale = dict(raw["sale"])
    days = sale.pop("closes_in_days", None)
    if days is not None:
        sale["closes_at"] = (now + timedelta(days=days)).replace(minute=0, second=0, microsecond=0)
    body: dict[str, Any] = {
        "title": raw["title"],
        "description": raw.get("description", ""),
        "category": raw["category"],
        "specs": raw["specs"],
        "quantity": {"value": str(raw["quantity"][0]), "unit": raw["quantity"][1]},
        "grade": raw["grade"],
        "defects": raw.get("defects", ""),
        "source": raw.get("source", "other"),
        "reference_price": raw.get("reference_price"),
        "location": raw["location"],
        "certifications": raw.get("certifications", []),
        "sale": {"rfq_enabled": True, **sale},
        "visibility": "private" if raw.get("private") else "public",
        "invited_org_ids": [context.orgs[handle] for handle in raw.get("private", [])],
    }
    if "best_before_days" in raw:
        body["best_before"] = date.today() + timedelta(days=raw["best_before_days"])
    return msgspec.convert(body, schemas.LotCreate)


async def _extra_sellers(session: AsyncSession, context: DemoContext, sellers: list[dict[str, Any]]) -> None:
    for seller in sellers:
        user, org = await accounts.register(
            session,
            msgspec.convert(
                {"email": seller["email"], "password": context.password, "name": seller["name"],
                 "org": {"name": seller["org"], "kind": "seller", **example_details(seller["org"])}},
                account_schemas.RegisterIn,
            ),
        )  # fmt: skip
        await accounts.verify_org(session, org.id)
        context.orgs[seller["handle"]] = org.id
        context.users[seller["handle"]] = user.id
        context.report.append(f"seller  {seller['email']}  ({seller['org']})")


async def load_lots(session: AsyncSession, context: DemoContext) -> None:
    data = demo_lots()
    await _extra_sellers(session, context, data["sellers"])
    admin = await accounts.load_principal(session, context.users["admin"])
    now = datetime.now(UTC)
    places = data.get("places", {})
    counts: dict[str, int] = {}
    for raw in data["lots"]:
        seller = await accounts.load_principal(session, context.users[raw["seller"]])
        if seller is None or admin is None:
            raise RuntimeError("demo organisations must be loaded before demo lots")
        raw = {**raw, "location": places.get(raw["seller"], {"city": "", "region": "", "country": "CN"})}
        lot = await services.create_lot(session, seller, lot_body(raw, context, now))
        if context.data_dir is not None:
            photo = demo_photo(lot.title, lot.category)
            await services.add_document(
                session, seller, lot.id, kind="photo", filename="photo.jpg", content=photo, data_dir=context.data_dir
            )
        state = raw.get("state", "live")
        if state != "draft":
            try:
                lot = await services.publish_lot(session, seller, lot.id, now=now)
            except DomainError:  # an unverified seller's lot stays a draft
                state = "draft"
        if state == "approved" and lot.status == "in_review":
            lot = await services.approve_lot(session, admin, lot.id, now=now)
        if state.startswith("sold:") and lot.price_minor is not None:
            await create_order_for_lot(
                session, lot.id, buyer_org_id=context.orgs[state.split(":", 1)[1]],
                amount_minor=lot.price_minor, source="purchase",
            )  # fmt: skip
            await session.refresh(lot)
        counts[lot.status] = counts.get(lot.status, 0) + 1
    summary = ", ".join(f"{count} {status.replace('_', ' ')}" for status, count in sorted(counts.items()))
    context.report.append(f"lots    {sum(counts.values())} ({summary})")
