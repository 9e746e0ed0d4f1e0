"""create_app(settings) -> Litestar: wires plugins, routes and the lifespan (database, Redis)."""

from __future__ import annotations

import gc
import logging
import os
import sys
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

from advanced_alchemy.extensions.litestar import AsyncSessionConfig, SQLAlchemyAsyncConfig, SQLAlchemyPlugin
from anyio import to_thread
from litestar import Litestar, Request, Router
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.plugins.flash import FlashConfig, FlashPlugin
from litestar.plugins.htmx import HTMXPlugin
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig

from exchange.accounts.api import AccountsController
from exchange.accounts.auth import AuthMiddleware, PrincipalCache
from exchange.accounts.passwords import use_password_hashing
from exchange.accounts.sessions import RotatingSessionConfig
from exchange.accounts.tokens import TokenReader
from exchange.accounts.verification_api import VerificationController
from exchange.alerts import jobs as alert_jobs
from exchange.alerts.api import LotPricingController, SavedSearchesController, SuggestionsController
from exchange.alerts.listeners import alert_listeners
from exchange.auctions import jobs as auction_jobs
from exchange.auctions.api import AuctionsController, MyBidsController
from exchange.auctions.ownership import claim_engine_at_start
from exchange.auctions.runtime import lot_listeners, make_bid_engine, stop_bid_engine
from exchange.audit import jobs as audit_jobs
from exchange.clock import Clock, SystemClock
from exchange.db.engine import make_engine, make_session_maker
from exchange.disputes import api as disputes_api
from exchange.disputes.deadlines import DISPUTE_DEADLINE_HANDLERS
from exchange.errors import exception_handlers
from exchange.events import EventDispatcher
from exchange.fees.api import FeeSchedulesController, OrderDocumentsController
from exchange.health import health
from exchange.i18n import catalog as i18n_catalog
from exchange.ledger import jobs as ledger_jobs
from exchange.ledger.api import LedgerController
from exchange.live.api import LiveEventsController
from exchange.live.channels import Live, make_channels_plugin, subscriber_client
from exchange.lots import jobs as lot_jobs
from exchange.lots.api import LotReviewController, LotsController, SellerLotsController
from exchange.mail import jobs as mail_jobs
from exchange.matching import jobs as matching_jobs
from exchange.matching.api import matching_controllers
from exchange.notifications.api import NotificationsController
from exchange.openapi import openapi_config
from exchange.orders import api as orders_api
from exchange.orders import jobs as order_jobs
from exchange.orders.actions import ORDER_DEADLINE_HANDLERS
from exchange.orders.deadlines import DeadlineHandler
from exchange.ratelimit import make_rate_limit_config
from exchange.redis.connection import close_redis, make_redis
from exchange.redis.embedded import REDIS_OWNED_BY_PARENT, EmbeddedRedis
from exchange.redis.stores import make_store
from exchange.redis.supervisor import RedisSupervisor
from exchange.rfq import jobs as rfq_jobs
from exchange.rfq.api import rfq_controllers
from exchange.runtime import Runtime, provide_runtime
from exchange.scheduler import Job, Scheduler
from exchange.security_headers import add_security_headers
from exchange.settings import Settings
from exchange.shutdown import bounded
from exchange.specs.api import CategoriesController
from web.i18n import LanguageMiddleware
from web.pages import page_controllers
from web.templating import configure_templates

__all__ = ["DEADLINE_HANDLERS", "SCHEDULED_JOBS", "create_app"]

WEB_DIR = Path(__file__).resolve().parent.parent / "web"
MAX_BODY_BYTES = 1024 * 1024


GIL_SWITCH_SECONDS = 0.0005
GC_THRESHOLDS = (5_000, 20, 100)

DEADLINE_HANDLERS: dict[str, DeadlineHandler] = {**ORDER_DEADLINE_HANDLERS, **DISPUTE_DEADLINE_HANDLERS}
"""What happens when each kind of order deadline passes ({name: handler}); the disputes package adds its own."""

SCHEDULED_JOBS: tuple[Job, ...] = (
    *auction_jobs.JOBS,
    *lot_jobs.JOBS,
    *rfq_jobs.JOBS,
    *mail_jobs.JOBS,
    *order_jobs.make_jobs(DEADLINE_HANDLERS),
    *ledger_jobs.JOBS,
    *audit_jobs.JOBS,
    *alert_jobs.JOBS,
    *matching_jobs.JOBS,
)
"""Every capability's periodic jobs; a new capability adds its `jobs.JOBS` here."""


def create_app(
    settings: Settings | None = None, *, clock: Clock | None = None, jobs: Sequence[Job] = SCHEDULED_JOBS
) -> Litestar:
    """The app: `clock` decides every "now" of services and jobs (tests pass a `ManualClock`);
    `jobs` are the periodic jobs its scheduler runs (unless `SCHEDULER=off`)."""
    settings = (settings or Settings.from_env()).prepared()
    clock = clock or SystemClock()
    use_password_hashing(settings.password_hashing)
    if settings.password_hashing != "standard":
        logging.getLogger("exchange").warning(
            "PASSWORD_HASHING=%s: passwords are hashed with test-suite parameters; never use it for real accounts",
            settings.password_hashing,
        )
    embedded = EmbeddedRedis(settings.data_dir) if settings.redis.embedded else None
    redis = make_redis(settings.redis.url or (embedded.url if embedded else ""))
    live_redis = make_redis(settings.redis.live_url) if settings.redis.live_url else redis
    engine = make_engine(settings.database)
    session_maker = make_session_maker(engine)
    channels = make_channels_plugin(subscriber_client(live_redis))
    principals = PrincipalCache()

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        started = False
        supervisor: RedisSupervisor | None = None
        # Under `exchange serve` the parent process starts and supervises the embedded server;
        # otherwise this process does (a worker started while Redis is down just waits for it).
        if embedded is not None and not os.environ.get(REDIS_OWNED_BY_PARENT):
            started = await to_thread.run_sync(embedded.ensure_running)
            if started:
                supervisor = RedisSupervisor(embedded)
                supervisor.start()
        await claim_engine_at_start(session_maker, settings)
        live = Live(channels, live_redis)
        bid_engine = make_bid_engine(redis, session_maker, live)
        runtime = Runtime(
            settings=settings,
            session_maker=session_maker,
            redis=redis,
            live=live,
            bid_engine=bid_engine,
            events=EventDispatcher(
                {**lot_listeners(bid_engine, live.publish), **alert_listeners(session_maker, live, clock)}
            ),
            clock=clock,
        )
        app.state.runtime = runtime
        scheduler = Scheduler(runtime, jobs) if settings.scheduler_enabled else None
        try:
            await bid_engine.start()
            if scheduler is not None:
                scheduler.start()
            # Everything built at startup lives as long as the process: keep it out of the garbage
            # collector's full passes, which otherwise stall every request for ~100 ms now and then.
            gc.freeze()
            # Fewer, larger young collections and rare full ones: a bid request leaves some cyclic
            # garbage, and at the default thresholds collections took a tenth of a bid's CPU, with a
            # full collection of 30-100 ms every second under load.
            gc.set_threshold(*GC_THRESHOLDS)
            # granian's I/O thread needs the GIL to hand each request to the loop (and aiosqlite's
            # threads after each SQLite call); with the default 5 ms switch interval a busy event loop
            # makes each of them wait that long every time.
            sys.setswitchinterval(GIL_SWITCH_SECONDS)
            yield
        finally:
            # Each step is bounded: a shutdown must finish even if a job or a connection is wedged.
            if scheduler is not None:
                await bounded(scheduler.stop(), "scheduler")
            await bounded(stop_bid_engine(bid_engine), "bid engine")
            await bounded(close_redis(redis), "redis client")
            if live_redis is not redis:
                await bounded(close_redis(live_redis), "live events' redis client")
            # Close the pooled database connections now rather than whenever the engine is collected:
            # PostgreSQL counts each one against its connection limit.
            await bounded(engine.dispose(), "database connections")
            if supervisor is not None:
                await to_thread.run_sync(supervisor.stop)
            if embedded is not None and started:
                await to_thread.run_sync(embedded.stop)

    i18n_catalog.load()
    template_config = TemplateConfig(
        directory=WEB_DIR / "templates", engine=JinjaTemplateEngine, engine_callback=configure_templates
    )
    db_config = SQLAlchemyAsyncConfig(
        engine_instance=engine,
        session_maker=session_maker,
        session_config=AsyncSessionConfig(expire_on_commit=False),
        before_send_handler="autocommit_include_redirects",
    )
    session_config = RotatingSessionConfig(
        store="sessions",
        key="sx_session",
        httponly=True,
        samesite="lax",
        secure=settings.server.https,
        max_age=14 * 24 * 3600,
        # The API authenticates by Bearer token only; without this, every API call would write an
        # empty session to Redis (one more round trip, and a key kept for 14 days).
        exclude=["^/api/", "^/health", "^/schema", "^/static/"],
    )
    csrf_config = CSRFConfig(
        secret=settings.secret_key,
        cookie_name="sx_csrf",
        header_name="x-csrftoken",
        cookie_samesite="lax",
        cookie_secure=settings.server.https,
        exclude=["^/api/", "^/health", "^/schema"],
    )
    # The JSON API takes plain Requests: the HTMX plugin's request class (for the pages) makes a
    # reference cycle on every request, garbage that only the cycle collector frees.
    api = Router(
        path="/",
        request_class=Request,
        route_handlers=[
            AccountsController,
            VerificationController,
            *orders_api.controllers,
            *disputes_api.controllers,
            FeeSchedulesController,
            OrderDocumentsController,
            NotificationsController,
            CategoriesController,
            LotsController,
            SellerLotsController,
            LotReviewController,
            LotPricingController,
            SavedSearchesController,
            SuggestionsController,
            *rfq_controllers,
            AuctionsController,
            MyBidsController,
            *matching_controllers,
            LedgerController,
            LiveEventsController,
        ],
    )
    return Litestar(
        route_handlers=[
            api,
            health,
            *page_controllers,
            create_static_files_router(path="/static", directories=[WEB_DIR / "static"], include_in_schema=False),
        ],
        lifespan=[lifespan],
        plugins=[SQLAlchemyPlugin(config=db_config), HTMXPlugin(), FlashPlugin(FlashConfig(template_config)), channels],
        middleware=[
            session_config.middleware,
            AuthMiddleware(TokenReader(settings.secret_key), principals),
            LanguageMiddleware(),
            make_rate_limit_config(settings.auth_rate_limit).middleware,
        ],
        stores={
            "sessions": make_store(redis, "exchange:sessions"),
            "rate_limit": make_store(redis, "exchange:ratelimit"),
        },
        csrf_config=csrf_config,
        template_config=template_config,
        openapi_config=openapi_config(),
        exception_handlers=exception_handlers,
        dependencies={"runtime": Provide(provide_runtime, sync_to_thread=False)},
        before_send=[add_security_headers],
        request_max_body_size=MAX_BODY_BYTES,
        state=State(
            {
                "settings": settings,
                "session_maker": session_maker,
                "redis": redis,
                "live_redis": live_redis,
                "embedded_redis": embedded,
                "channels": channels,
                "principals": principals,
            }
        ),
        debug=settings.debug,
    )
