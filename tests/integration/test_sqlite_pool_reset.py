"""A SQLite connection goes back to the pool without a trip to its thread when no transaction is open, and
rolled back when one is: the next user of the connection never inherits uncommitted writes or the lock."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from exchange.db.engine import make_engine, make_session_maker
from exchange.settings import DatabaseSettings


async def test_a_connection_left_in_a_transaction_is_rolled_back_when_it_returns(tmp_path: Path) -> None:
    engine = make_engine(DatabaseSettings(url=f"sqlite+aiosqlite:///{tmp_path / 'pool.db'}"))
    try:
        async with engine.begin() as connection:
            await connection.execute(text("CREATE TABLE probe (id INTEGER PRIMARY KEY)"))
        async with engine.connect() as connection:  # a write straight to the driver, never committed
            driver = (await connection.get_raw_connection()).driver_connection
            await driver.execute("INSERT INTO probe (id) VALUES (1)")
            assert driver.in_transaction
        async with engine.connect() as connection:  # the pool's one connection again
            driver = (await connection.get_raw_connection()).driver_connection
            assert not driver.in_transaction
            assert await connection.scalar(text("SELECT COUNT(*) FROM probe")) == 0
        async with make_session_maker(engine)() as session, session.begin():  # and nobody holds the lock
            await session.execute(text("INSERT INTO probe (id) VALUES (2)"))
        async with engine.connect() as connection:
            assert list(await connection.scalars(text("SELECT id FROM probe"))) == [2]
    finally:
        await engine.dispose()
