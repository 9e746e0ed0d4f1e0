from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from click.testing import CliRunner
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange.auctions.closing import remind_closing_soon
from exchange.cli import main
from tests.conftest import OrgFactory
from tests.support.auctions import closing_lot, opening_report_when_closed
from tests.support.lots import live_lot


async def test_watchers_get_one_closing_soon_reminder(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    seller, watcher, stranger = await make_org("seller"), await make_org("buyer"), await make_org("buyer")
    soon = await live_lot(db, seller, closes_at=datetime.now(UTC) + timedelta(minutes=30))
    later = await live_lot(db, seller, closes_at=datetime.now(UTC) + timedelta(days=2))
    for lot_id in (soon, later):
        watched = await client.put(f"/api/lots/{lot_id}/watch", headers=watcher.headers)
        assert watched.json() == {"lot_id": lot_id, "watching": True}

    await remind_closing_soon(db)  # (the app's own scheduler may have got there first: same outcome)
    assert await remind_closing_soon(db) == 0  # once per watch, whichever process runs the job

    items = (await client.get("/api/notifications", headers=watcher.headers)).json()["items"]
    reminders = [item for item in items if item["kind"] == "closing_soon"]
    assert [item["link"] for item in reminders] == [f"/lots/{soon}/sale"]
    assert not (await client.get("/api/notifications", headers=stranger.headers)).json()["items"]
    unwatched = await client.delete(f"/api/lots/{later}/watch", headers=watcher.headers)
    assert unwatched.json()["watching"] is False


async def test_exchange_verify_receipt_checks_a_saved_bid_against_the_saved_opening_report(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory, tmp_path: Path
) -> None:
    seller, buyer = await make_org("seller"), await make_org("buyer")
    lot_id = await closing_lot(db, seller)
    bid = await client.post(f"/api/lots/{lot_id}/bids", json={"amount": "640.00"}, headers=buyer.headers)
    report = await opening_report_when_closed(client, db, lot_id, buyer)
    (tmp_path / "bid.json").write_text(bid.text)
    (tmp_path / "report.json").write_text(json.dumps(report))
    tampered = {**bid.json(), "amount": "740.00"}
    (tmp_path / "tampered.json").write_text(json.dumps(tampered))

    runner = CliRunner()
    ok = runner.invoke(main, ["verify-receipt", str(tmp_path / "bid.json"), str(tmp_path / "report.json")])
    assert ok.exit_code == 0, ok.output
    assert "counted as placed, ranked 1" in ok.output
    bad = runner.invoke(main, ["verify-receipt", str(tmp_path / "tampered.json"), str(tmp_path / "report.json")])
    assert bad.exit_code == 1
    assert "FAILED" in bad.output
