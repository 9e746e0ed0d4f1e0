"""The `exchange` command: serve, migrate, create-admin, demo, verify-receipt, ledger verify, audit."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import click

from exchange.settings import Settings, SettingsError

__all__ = ["main"]

T = TypeVar("T")


def _settings() -> Settings:
    try:
        return Settings.from_env().prepared()
    except SettingsError as error:
        raise click.ClickException(f"configuration: {error}") from None


def _run_with_session(settings: Settings, work: Callable[..., Awaitable[T]]) -> T:
    from exchange.db.engine import make_engine, make_session_maker

    async def runner() -> T:
        engine = make_engine(settings.database)
        try:
            async with make_session_maker(engine)() as session, session.begin():
                return await work(session)
        finally:
            await engine.dispose()

    return asyncio.run(runner())


def _migrate(settings: Settings) -> None:
    from exchange.db.migrate import upgrade_database

    click.echo(f"Migrating the database ({_describe_db(settings)})…")
    try:
        upgrade_database(settings.database.url)
    except Exception as error:  # surface a clear message, not a traceback
        raise click.ClickException(f"migration failed: {error}") from None
    click.echo("Database is up to date.")


@contextlib.contextmanager
def _readable(path: Path | None) -> Iterator[None]:
    """A SQLite file that cannot be read (missing, not migrated, not a database): a message, not a traceback."""
    try:
        yield
    except sqlite3.Error as error:
        raise click.ClickException(f"cannot read the database at {path}: {error}") from None


def _describe_db(settings: Settings) -> str:
    path = settings.database.sqlite_path
    return f"SQLite at {path}" if path else settings.database.url.split("@")[-1]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Surplus Exchange: whole lots of factory surplus, sold by sealed bid, fixed price or RFQ."""


@main.command()
def migrate() -> None:
    """Apply every database migration (SQLite or PostgreSQL, from DATABASE_URL)."""
    _migrate(_settings())


@main.command("create-admin")
@click.argument("email")
@click.option("--password", help="The admin's password (asked for when left out).")
@click.option("--name", default="Administrator", show_default=True, help="The admin's display name.")
def create_admin(email: str, password: str | None, name: str) -> None:
    """Make EMAIL a platform administrator (creating the user if needed)."""
    from exchange.accounts import services
    from exchange.errors import DomainError

    settings = _settings()
    if password is None:
        if not sys.stdin.isatty():
            raise click.ClickException("give --password, or run this in a terminal to be asked for one")
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        _run_with_session(settings, lambda s: services.create_admin(s, email, password or "", name=name))
    except DomainError as error:
        raise click.ClickException(error.detail) from None
    click.echo(f"{email} is an administrator.")


@main.command()
def demo() -> None:
    """Load demo organisations, users and lots into an empty database (does nothing otherwise)."""
    from exchange.demo import load_demo

    settings = _settings()
    click.echo("Loading demo data…")
    context = _run_with_session(
        settings, lambda s: load_demo(s, settings.demo_password, progress=click.echo, data_dir=settings.data_dir)
    )
    if context is None:
        click.echo("The database already has data; demo data was not loaded.")
        return
    click.echo(f"Demo data loaded. Every demo account's password is: {settings.demo_password}")
    for line in context.report:
        click.echo(f"  {line}")


@main.group()
def ledger() -> None:
    """The double-entry ledger."""


@ledger.command("verify")
@click.option("--limit", default=20, show_default=True, help="At most this many violations of each kind listed.")
def ledger_verify(limit: int) -> None:
    """Check the whole ledger: every entry balances, every account's balance replays from its lines and holds,
    escrow accounts of finished orders are zero, and all accounts add up to zero per currency.
    Exits 0 when clean, 1 listing the first violations."""
    from exchange.ledger.verify import Report, verify_ledger, verify_sqlite

    settings = _settings()
    started = time.perf_counter()

    async def check(session: Any) -> Report:
        from exchange.db.engine import read_one_snapshot

        await read_one_snapshot(session)
        return await verify_ledger(session, limit=limit)

    path = settings.database.sqlite_path  # SQLite: read with sqlite3, no ORM to start
    with _readable(path):
        report = verify_sqlite(path, limit=limit) if path is not None else _run_with_session(settings, check)
    took = time.perf_counter() - started
    sizes = f"{report.entries:,} entries, {report.lines:,} lines, {report.accounts:,} accounts, {report.holds:,} holds"
    if report.clean:
        click.echo(f"OK: the ledger is consistent ({sizes}; {took:.2f} s).")
        return
    click.echo(f"FAILED: {len(report.violations)} violation(s) found ({sizes}; {took:.2f} s):")
    for violation in report.violations:
        click.echo(f"  - {violation}")
    sys.exit(1)


@main.command("verify-receipt")
@click.argument("receipt_file", type=click.File("r"))
@click.argument("report_file", type=click.File("r"), required=False)
@click.option("--server", help="Fetch the opening report from this exchange instead, e.g. http://127.0.0.1:8000.")
@click.option("--token", envvar="EXCHANGE_TOKEN", help="Bearer token for --server (or EXCHANGE_TOKEN).")
def verify_receipt(receipt_file: Any, report_file: Any, server: str | None, token: str | None) -> None:
    """Check a bid receipt (the JSON answer of POST /api/lots/{id}/bids) against the opening report.

    RECEIPT_FILE is the saved bid answer ("-" reads standard input). REPORT_FILE is the saved answer of
    GET /api/lots/{id}/bids after the close; or give --server and --token to fetch it. Without a report,
    only the receipt's own hash is checked. Exits 0 when the bid was counted as placed, 1 otherwise.
    """
    import json

    from exchange.auctions.receipts import verify_receipt as check_receipt

    try:
        receipt = json.load(receipt_file)
        report = json.load(report_file) if report_file is not None else None
    except json.JSONDecodeError as error:
        raise click.ClickException(f"not valid JSON: {error}") from None
    if report is None and server:
        report = _fetch_report(server, int(receipt.get("lot_id", 0)), token)
    result = check_receipt(receipt, report)
    click.echo(("OK: " if result.ok else "FAILED: ") + result.message)
    if not result.ok:
        sys.exit(1)


def _fetch_report(server: str, lot_id: int, token: str | None) -> Any:
    import json
    import urllib.error
    import urllib.request

    if not server.startswith(("http://", "https://")):
        raise click.ClickException("--server must be an http:// or https:// address")
    request = urllib.request.Request(f"{server.rstrip('/')}/api/lots/{lot_id}/bids")  # noqa: S310 (scheme checked)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 (scheme checked)
            return json.load(answer)
    except urllib.error.HTTPError as error:
        raise click.ClickException(
            f"the exchange answered {error.code}: {error.read().decode(errors='replace')}"
        ) from None
    except urllib.error.URLError as error:
        raise click.ClickException(f"could not reach {server}: {error.reason}") from None


def _claim_engine(settings: Settings) -> None:
    """Refuse to serve (a message, no traceback) when another bid engine keeps this database's lots."""
    from exchange.auctions.ownership import EngineConflict, claim_engine
    from exchange.db.engine import make_engine, make_session_maker

    async def claim() -> None:
        engine = make_engine(settings.database)
        try:
            await claim_engine(make_session_maker(engine), settings)
        finally:
            await engine.dispose()

    try:
        asyncio.run(claim())
    except EngineConflict as conflict:
        raise click.ClickException(str(conflict)) from None
    except Exception as error:  # the database is down: the workers start anyway and /health says so
        click.echo(f"Warning: could not check which bid engine keeps the lots ({type(error).__name__}).")


@main.command()
@click.option("--no-migrate", is_flag=True, help="Do not apply migrations before serving.")
def serve(no_migrate: bool) -> None:
    """Serve the exchange (HOST, PORT and WORKERS from the environment).

    This process supervises: granian starts a new worker in place of one that dies (each worker starts
    its own bid journal writer; a dead worker's writer ends when its pipe closes), and the embedded
    redis-server is started again from its append-only file when it dies.
    """
    from granian.constants import Interfaces
    from granian.server import Server

    # Not exchange.app: this parent process only supervises the workers, and the app's imports would
    # double the server's memory.
    from exchange.redis.embedded import REDIS_OWNED_BY_PARENT, EmbeddedRedis, EmbeddedRedisError
    from exchange.redis.supervisor import RedisSupervisor

    settings = _settings()
    if not no_migrate:
        _migrate(settings)
    _claim_engine(settings)
    embedded = EmbeddedRedis(settings.data_dir) if settings.redis.embedded else None
    supervisor = RedisSupervisor(embedded) if embedded is not None else None
    if embedded is not None and supervisor is not None:
        click.echo(f"Starting the embedded redis-server ({embedded.socket_path})…")
        try:
            started = embedded.ensure_running()
        except EmbeddedRedisError as error:
            raise click.ClickException(str(error)) from None
        click.echo("Embedded Redis " + ("started." if started else "was already running; using it."))
        os.environ[REDIS_OWNED_BY_PARENT] = "1"
        supervisor.start()
    host, port = settings.server.host, settings.server.port
    click.echo(f"Serving on http://{host}:{port} with {settings.server.workers} worker(s). Ctrl-C stops.")
    try:
        Server(
            "exchange.app:create_app",
            address=host,
            port=port,
            interface=Interfaces.ASGI,
            workers=settings.server.workers,
            factory=True,
            log_access=False,
            # A worker that dies (a crash, the OOM killer) is replaced; granian still stops when a
            # replacement dies again within seconds (a crash loop), rather than spin.
            respawn_failed_workers=True,
        ).serve()
    finally:
        if supervisor is not None:
            supervisor.stop()
        if embedded is not None:
            click.echo("Stopping the embedded redis-server…")
            embedded.stop()


@main.group()
def audit() -> None:
    """The verifiable audit log: verify it, sign a checkpoint, show the public key."""


@audit.command()
@click.option(
    "--public-key",
    "public_key_paths",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="PEM public (or private) key that signs checkpoints (repeat it for a replaced key); "
    "default: the key at AUDIT_KEY_PATH.",
)
@click.option(
    "--journal",
    "journal_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Copies of the checkpoints kept outside the database; default: audit-checkpoints.jsonl beside the key.",
)
@click.option("--max-violations", default=20, show_default=True, help="How many violations to list.")
def verify(public_key_paths: tuple[Path, ...], journal_file: Path | None, max_violations: int) -> None:
    """Recompute the hash chain and check it against the signed checkpoints (in the database and in the
    journal beside the key). Exits 0 when the log is intact, 1 with the first violations listed."""
    from exchange.audit.journal import journal_path, read_journal
    from exchange.audit.signing import read_public_key
    from exchange.audit.verify import verify_log, verify_sqlite

    settings = _settings()
    key_paths = list(public_key_paths) or [settings.audit_key_file]
    try:
        public_key = [read_public_key(path) for path in key_paths if path.exists()] or None
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    journal, unreadable = read_journal(journal_file or journal_path(settings.audit_key_file))
    started = time.perf_counter()
    path = settings.database.sqlite_path  # SQLite: read with sqlite3 (no ORM to start), hashed on every CPU
    if path is not None:
        with _readable(path):
            report = verify_sqlite(path, public_key, journal=journal, max_violations=max_violations)
    else:
        report = _run_with_session(
            settings, lambda s: verify_log(s, public_key, journal=journal, max_violations=max_violations)
        )
    elapsed = time.perf_counter() - started
    for number in unreadable:
        report.add(f"journal line {number} cannot be read", max_violations)
    where = ", ".join(str(path) for path in key_paths)
    signatures = f"signatures checked with {where}" if public_key else f"signatures NOT checked: no {where}"
    summary = (
        f"{report.size} records, {report.checkpoints} checkpoint(s), {report.journal} in the journal, "
        f"{signatures}, {elapsed:.2f} s" + (f" ({report.ranges} processes)" if report.ranges > 1 else "")
    )
    if report.ok:
        click.echo(f"OK: {summary}")
        return
    click.echo(f"FAILED: {summary}")
    for violation in report.violations:
        click.echo(f"  {violation}")
    if report.more:
        click.echo(f"  … and {report.more} more")
    sys.exit(1)


@audit.command()
def checkpoint() -> None:
    """Sign the log's current size and head hash now (nothing new when the log has not grown)."""
    from exchange.audit.checkpoints import write_checkpoint
    from exchange.audit.journal import append_checkpoint, journal_path
    from exchange.audit.services import latest_checkpoint
    from exchange.audit.signing import load_or_create_key
    from exchange.clock import SystemClock

    settings = _settings()
    key = load_or_create_key(settings.audit_key_file)
    written = _run_with_session(settings, lambda s: write_checkpoint(s, key, at=SystemClock().now()))
    if written is not None:
        append_checkpoint(journal_path(settings.audit_key_file), written)
        click.echo(f"Signed: {written.line()}")
        return
    latest = _run_with_session(settings, latest_checkpoint)
    click.echo(f"Nothing new to sign. {latest.line()}" if latest else "The audit log is empty; nothing to sign.")


@audit.command("public-key")
def public_key() -> None:
    """Print the PEM public key that verifies checkpoints (made with the key on first use)."""
    from exchange.audit.signing import load_or_create_key, public_key_pem

    click.echo(public_key_pem(load_or_create_key(_settings().audit_key_file)), nl=False)


if __name__ == "__main__":
    main()
