"""`exchange ledger verify` and `verify_ledger`: clean on a ledger made through the services; every kind
of tampering (in a copy of the database, triggers dropped where needed) is found, and the CLI exits 1."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
import uuid
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange.cli import main as cli
from exchange.db.engine import make_engine, make_session_maker
from exchange.ledger import accounts
from exchange.ledger import services as ledger
from exchange.ledger.verify import verify_ledger
from exchange.orders.services import create_order_for_lot
from exchange.settings import DatabaseSettings
from tests.support.buyers import registered_orgs
from tests.support.databases import fresh_database_url
from tests.support.lots import live_lot

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


@dataclass
class Books:
    path: Path
    order_id: int
    escrow: int
    entry_id: int
    """A two-line entry: external -> deposits held, 500.00."""


async def _make_books(url: str) -> tuple[int, int, int]:
    engine = make_engine(DatabaseSettings(url=url))
    db = make_session_maker(engine)
    try:
        seller, buyer = await registered_orgs(db, "secret-" + uuid.uuid4().hex, "seller", 2)
        lot_id = await live_lot(db, seller, sale_mode="fixed_price", price_minor=100_000)
        async with db() as session, session.begin():
            order = await create_order_for_lot(
                session, lot_id, buyer_org_id=buyer.org_id or 0, amount_minor=100_000, source="purchase"
            )
            order_id = order.id
        async with db() as session, session.begin():
            external = await ledger.account_for(session, accounts.EXTERNAL)
            held = await ledger.account_for(session, accounts.DEPOSITS_HELD, org_id=buyer.org_id)
            escrow = await ledger.account_for(session, accounts.ESCROW, order_id=order_id)
            payable = await ledger.account_for(session, accounts.SELLER_PAYABLE, org_id=seller.org_id)
            revenue = await ledger.account_for(session, accounts.PLATFORM_REVENUE)
            entry = await ledger.post(session, key="deposit", moves=[ledger.Move(external, held, 50_000)], at=NOW)
            await ledger.post(session, key="pay", moves=[ledger.Move(external, escrow, 50_000)], at=NOW)
            await ledger.post(session, key="deposit-in", moves=[ledger.Move(held, escrow, 50_000)], at=NOW)
            await ledger.post(
                session,
                key="settle",
                moves=[ledger.Move(escrow, payable, 95_000), ledger.Move(escrow, revenue, 5_000)],
                at=NOW,
                order_id=order_id,
            )
            hold_id = await ledger.hold(session, key="payout", move=ledger.Move(payable, external, 90_000), at=NOW)
            await ledger.post_hold(session, key="payout-sent", hold_id=hold_id, at=NOW, amount_minor=60_000)
        return order_id, escrow, entry.id
    finally:
        await engine.dispose()


async def _verify(db: async_sessionmaker[AsyncSession]) -> list[str]:
    async with db() as session:
        return (await verify_ledger(session)).violations


@pytest.fixture(scope="module")
def clean_books(tmp_path_factory: pytest.TempPathFactory) -> Books:
    directory = tmp_path_factory.mktemp("ledger-books")
    url = fresh_database_url("sqlite", directory)
    order_id, escrow, entry_id = asyncio.run(_make_books(url))
    return Books(directory / "exchange.db", order_id, escrow, entry_id)


@pytest.fixture
def books(clean_books: Books, tmp_path: Path) -> Books:
    """A copy of the clean books to tamper with."""
    copy = tmp_path / "copy.db"
    shutil.copy(clean_books.path, copy)
    return Books(copy, clean_books.order_id, clean_books.escrow, clean_books.entry_id)


def _run_verify(path: Path) -> tuple[int, str]:
    runner = CliRunner()
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{path}", "DATA_DIR": str(path.parent / "data")}
    result = runner.invoke(cli, ["ledger", "verify"], env=env)
    return result.exit_code, result.output


def _tamper(path: Path, *statements: str) -> None:
    with closing(sqlite3.connect(path)) as connection, connection:
        for statement in statements:
            connection.execute(statement)


def test_books_made_through_the_services_are_clean(clean_books: Books) -> None:
    code, output = _run_verify(clean_books.path)
    assert code == 0, output
    assert output.startswith("OK: the ledger is consistent (")
    assert "entries" in output


DROP_TRIGGERS = ("DROP TRIGGER ledger_lines_no_update", "DROP TRIGGER ledger_lines_no_delete")


@pytest.mark.parametrize(
    ("tampering", "found"),
    [
        pytest.param(
            (
                "INSERT INTO ledger_lines (entry_id, currency, account_id, direction, amount_minor) "
                "SELECT {entry}, 'CNY', id, 1, 1 FROM ledger_accounts WHERE purpose = 'platform_revenue'",
            ),
            "does not balance in CNY",
            id="an unbalanced line inserted",
        ),
        pytest.param(
            (
                *DROP_TRIGGERS,
                "UPDATE ledger_lines SET amount_minor = amount_minor + 1 WHERE entry_id = {entry} AND direction = 1",
            ),
            "does not balance in CNY",
            id="a line's amount edited",
        ),
        pytest.param(
            (*DROP_TRIGGERS, "DELETE FROM ledger_lines WHERE entry_id = {entry}"),
            "its lines replay to",
            id="an entry's lines deleted",
        ),
        pytest.param(
            ("UPDATE ledger_accounts SET posted = posted + 7 WHERE purpose = 'platform_revenue'",),
            "the accounts in CNY add up to 7 posted",
            id="a stored balance edited",
        ),
        pytest.param(
            (
                "UPDATE ledger_accounts SET pending_out = pending_out + 3, pending_in = pending_in + 3 "
                "WHERE purpose = 'seller_payable'",
            ),
            "its pending holds replay to",
            id="a pending balance edited",
        ),
        pytest.param(
            (
                *DROP_TRIGGERS,
                "PRAGMA ignore_check_constraints = ON",
                "UPDATE ledger_lines SET direction = 2 WHERE entry_id = {entry} AND direction = 1",
            ),
            "direction 2",
            id="a line's direction broken",
        ),
        pytest.param(
            (
                "UPDATE orders SET status = 'settled' WHERE id = {order}",
                "UPDATE ledger_accounts SET posted = posted + 1 WHERE id = {escrow}",
                "UPDATE ledger_accounts SET posted = posted - 1 WHERE purpose = 'external'",
            ),
            "escrow account {escrow} of settled order {order} is not zero",
            id="money left in a settled order's escrow",
        ),
        pytest.param(
            ("UPDATE ledger_holds SET status = 'voided'",),
            "is voided but was ended by 1 entries (post_hold)",
            id="a posted hold marked voided",
        ),
        pytest.param(
            ("UPDATE ledger_holds SET status = 'pending', posted_minor = 0",),
            "is pending but was ended by 1 entries",
            id="a posted hold marked pending",
        ),
    ],
)
def test_tampering_is_found_and_the_command_exits_1(books: Books, tampering: tuple[str, ...], found: str) -> None:
    fill = {"entry": books.entry_id, "order": books.order_id, "escrow": books.escrow}
    _tamper(books.path, *(statement.format(**fill) for statement in tampering))
    code, output = _run_verify(books.path)
    assert code == 1, output
    assert output.startswith("FAILED: ")
    assert found.format(**fill) in output


def test_the_escrow_of_a_settled_order_at_zero_is_clean(books: Books) -> None:
    _tamper(books.path, f"UPDATE orders SET status = 'settled' WHERE id = {books.order_id}")
    assert _run_verify(books.path)[0] == 0


def test_verify_ledger_is_usable_from_tests(clean_books: Books) -> None:
    async def check() -> list[str]:
        engine = make_engine(DatabaseSettings(url=f"sqlite+aiosqlite:///{clean_books.path}"))
        try:
            return await _verify(make_session_maker(engine))
        finally:
            await engine.dispose()

    assert asyncio.run(check()) == []
