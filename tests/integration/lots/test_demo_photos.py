from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import create_async_engine

from exchange.db.engine import make_session_maker
from exchange.demo import load_demo
from exchange.demo.accounts import load_accounts
from exchange.demo.lots import load_lots
from exchange.lots.models import Lot, LotDocument
from exchange.uploads import uploads_root
from tests.support.databases import fresh_database_url


async def test_every_demo_lot_has_a_photo_with_a_preview_when_the_demo_knows_the_data_directory(
    tmp_path: Path,
) -> None:
    engine = create_async_engine(await asyncio.to_thread(fresh_database_url, "sqlite", tmp_path))
    steps = (("organisations", load_accounts), ("lots", load_lots))
    try:
        async with make_session_maker(engine)() as session, session.begin():
            await load_demo(session, "demo-password-123", progress=lambda _: None, steps=steps, data_dir=tmp_path)
        async with make_session_maker(engine)() as session:
            lots = set(await session.scalars(select(Lot.id)))
            photos = (await session.execute(select(LotDocument.lot_id, LotDocument.thumb_key))).all()
    finally:
        await engine.dispose()

    assert lots
    assert {lot_id for lot_id, _ in photos} == lots
    for _, thumb_key in photos:
        assert thumb_key is not None
        assert (uploads_root(tmp_path) / thumb_key).stat().st_size > 1000
