"""Typed settings, read from the environment with sane defaults.

Each group builds what its library needs; `Settings.from_env()` is the one entry point.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

__all__ = [
    "CLUSTER_SCHEMES",
    "DEFAULT_MIN_BIDDING_WINDOW",
    "DatabaseSettings",
    "FeeSettings",
    "MailSettings",
    "OrderSettings",
    "RedisSettings",
    "ServerSettings",
    "Settings",
    "SettingsError",
    "SmtpServer",
    "cluster_seeds",
]


DEFAULT_MIN_BIDDING_WINDOW = timedelta(hours=1)
"""A seller may not choose a sealed-bid close sooner than this after publishing (MIN_BIDDING_WINDOW)."""
_DEFAULT_WINDOW_S = int(DEFAULT_MIN_BIDDING_WINDOW.total_seconds())


class SettingsError(ValueError):
    """A setting in the environment has a value we cannot use."""


DEFAULT_SENDER = "Surplus Exchange <no-reply@surplus-exchange.example>"


@dataclass(frozen=True, slots=True)
class SmtpServer:
    host: str
    port: int
    username: str | None = None
    password: str | None = None
    use_tls: bool = False
    """TLS from the first byte (smtps://, usually port 465)."""
    start_tls: bool | None = None
    """STARTTLS: None upgrades when the server offers it, True insists, False never (`?starttls=no`)."""


@dataclass(frozen=True, slots=True)
class MailSettings:
    smtp_url: str | None = None
    """None: mail stays queued in the outbox until SMTP_URL is set."""
    sender: str = DEFAULT_SENDER

    @classmethod
    def from_env(cls, env: dict[str, str]) -> MailSettings:
        url = env.get("SMTP_URL", "").strip() or None
        settings = cls(smtp_url=url, sender=env.get("MAIL_FROM", "").strip() or DEFAULT_SENDER)
        settings.server()  # a malformed SMTP_URL stops the start, not the first mail
        return settings

    def server(self) -> SmtpServer | None:
        if self.smtp_url is None:
            return None
        parts = urlsplit(self.smtp_url)
        if parts.scheme not in {"smtp", "smtps"} or not parts.hostname:
            raise SettingsError("SMTP_URL must look like smtp://user:password@host:587 or smtps://host:465")
        starttls = parse_qs(parts.query).get("starttls", [""])[0].lower()
        try:
            port = parts.port or (465 if parts.scheme == "smtps" else 25)
        except ValueError:
            raise SettingsError("SMTP_URL has a port that is not a number") from None
        return SmtpServer(
            host=parts.hostname,
            port=port,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            use_tls=parts.scheme == "smtps",
            start_tls={"yes": True, "1": True, "no": False, "0": False}.get(starttls),
        )


def _int_env(env: dict[str, str], name: str, default: int, *, minimum: int = 0, maximum: int = 1 << 30) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, not {raw!r}") from None
    if not minimum <= value <= maximum:
        raise SettingsError(f"{name} must be between {minimum} and {maximum}, not {value}")
    return value


def _percent_env(env: Mapping[str, str], name: str, default: str) -> str:
    raw = env.get(name, "").strip() or default
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise SettingsError(f"{name} must be a percentage like 2.5, not {raw!r}") from None
    if not value.is_finite() or not 0 <= value <= 100:
        raise SettingsError(f"{name} must be between 0 and 100, not {raw!r}")
    return raw


def _password_hashing(env: Mapping[str, str]) -> str:
    value = (env.get("PASSWORD_HASHING") or "standard").strip().lower()
    if value not in {"standard", "fast"}:
        raise SettingsError(f"PASSWORD_HASHING must be 'standard' or 'fast' (tests only), not {value!r}")
    return value


def _minor_env(env: Mapping[str, str], name: str) -> int:
    raw = env.get(name, "").strip() or "0"
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise SettingsError(f"{name} must be an amount like 5.00, not {raw!r}") from None
    if not value.is_finite() or value < 0 or value != value.quantize(Decimal("0.01")):
        raise SettingsError(f"{name} must be an amount like 5.00 (two decimals at most), not {raw!r}")
    return int(value * 100)


@dataclass(frozen=True, slots=True)
class DatabaseSettings:
    url: str
    echo: bool = False

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")

    @property
    def sqlite_path(self) -> Path | None:
        if not self.is_sqlite:
            return None
        _, _, path = self.url.partition(":///")
        return Path(path) if path and path != ":memory:" else None


CLUSTER_SCHEMES = ("redis+cluster://", "rediss+cluster://")
"""REDIS_URL naming a Redis Cluster: `redis+cluster://host:port,host:port,...` (any of its masters)."""


def cluster_seeds(url: str) -> list[tuple[str, int]]:
    """The host:port pairs of a `redis+cluster://[user:password@]host:port,host:port,...` URL."""
    netloc = url.split("://", 1)[1].split("/", 1)[0].rpartition("@")[2]
    seeds = []
    for address in netloc.split(","):
        address = address.strip()
        host, colon, port = address.rpartition(":")
        if not colon or address.endswith("]"):  # no port given
            host, port = address, ""
        seeds.append((host.strip("[]") or "127.0.0.1", int(port or 6379)))
    return seeds


@dataclass(frozen=True, slots=True)
class RedisSettings:
    url: str | None
    """None means: start and use the embedded redis-server under the data directory."""
    live_url: str | None = None
    """A plain Redis for live events (LIVE_REDIS_URL); None: the same Redis (on a cluster: see live/channels.py)."""

    @property
    def embedded(self) -> bool:
        return self.url is None

    @property
    def cluster(self) -> bool:
        return self.url is not None and self.url.startswith(CLUSTER_SCHEMES)

    @property
    def mode(self) -> str:
        """ "embedded", "external" (one Redis server) or "cluster"."""
        return "embedded" if self.embedded else "cluster" if self.cluster else "external"

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> RedisSettings:
        url = env.get("REDIS_URL") or None
        if url is not None and env.get("REDIS_CLUSTER", "").lower() in {"1", "true", "yes"}:
            url = "redis+cluster://" + url.split("://", 1)[-1]  # the setting, for a plain redis:// seed address
        if url is not None and url.startswith(CLUSTER_SCHEMES):
            try:
                cluster_seeds(url)
            except ValueError:
                raise SettingsError(
                    "REDIS_URL must list the cluster's nodes as redis+cluster://host:port,host:port,..."
                ) from None
        live_url = env.get("LIVE_REDIS_URL") or None
        if live_url is not None and live_url.startswith(CLUSTER_SCHEMES):
            raise SettingsError("LIVE_REDIS_URL must name a plain Redis server (redis://...), not a cluster")
        return cls(url=url, live_url=live_url)


@dataclass(frozen=True, slots=True)
class ServerSettings:
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    trusted_proxies: frozenset[str] = field(default_factory=frozenset)
    """Peers whose X-Forwarded-For header we believe (for rate limits and logs)."""
    https: bool = False
    """Serve cookies with the Secure flag (set when a TLS proxy fronts the app)."""
    public_url: str = ""
    """PUBLIC_URL: the address people open the exchange at, like https://surplus.example (links in e-mails
    start with it; never taken from a request's Host header, which a stranger controls). Empty: paths only."""


@dataclass(frozen=True, slots=True)
class FeeSettings:
    """The platform's fee schedule while admins have set none (see exchange/fees)."""

    default_percent: str = "5"
    """FEE_DEFAULT_PERCENT: the fee on every order, a percentage."""
    default_fixed_minor: int = 0
    """FEE_DEFAULT_FIXED: a fixed fee per order (a decimal amount, read in minor units)."""
    default_broker_percent: str = "2"
    """FEE_DEFAULT_BROKER_PERCENT: the broker's commission rate on proposal orders."""

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> FeeSettings:
        return cls(
            default_percent=_percent_env(env, "FEE_DEFAULT_PERCENT", "5"),
            default_fixed_minor=_minor_env(env, "FEE_DEFAULT_FIXED"),
            default_broker_percent=_percent_env(env, "FEE_DEFAULT_BROKER_PERCENT", "2"),
        )


@dataclass(frozen=True, slots=True)
class OrderSettings:
    """Deadlines of the order lifecycle and the payment provider (see exchange/orders)."""

    payment_window: timedelta = timedelta(days=3)
    """PAYMENT_WINDOW (seconds): the buyer pays within this after the order is made, or it is cancelled."""
    inspection_window: timedelta = timedelta(hours=48)
    """INSPECTION_WINDOW: objections within this after delivery; then the order is accepted by itself."""
    dispute_answer_window: timedelta = timedelta(days=3)
    """DISPUTE_ANSWER_WINDOW: the seller answers a dispute within this."""
    admin_decision_window: timedelta = timedelta(days=2)
    """ADMIN_DECISION_WINDOW: an admin decides an escalated dispute within this."""
    runner_up_window: timedelta = timedelta(days=2)
    """RUNNER_UP_WINDOW: a runner-up answers the seller's offer within this."""
    payment_provider: str = "simulated"
    """PAYMENT_PROVIDER: the provider `pay` starts payments with."""
    payment_secret: str = ""
    """PAYMENT_SECRET: the key of the provider's signed callbacks (derived from SECRET_KEY when empty)."""

    @classmethod
    def from_env(cls, env: dict[str, str]) -> OrderSettings:
        defaults = cls()

        def window(name: str, default: timedelta) -> timedelta:
            return timedelta(seconds=_int_env(env, name, int(default.total_seconds()), minimum=1))

        return cls(
            payment_window=window("PAYMENT_WINDOW", defaults.payment_window),
            inspection_window=window("INSPECTION_WINDOW", defaults.inspection_window),
            dispute_answer_window=window("DISPUTE_ANSWER_WINDOW", defaults.dispute_answer_window),
            admin_decision_window=window("ADMIN_DECISION_WINDOW", defaults.admin_decision_window),
            runner_up_window=window("RUNNER_UP_WINDOW", defaults.runner_up_window),
            payment_provider=env.get("PAYMENT_PROVIDER", "").strip() or "simulated",
            payment_secret=env.get("PAYMENT_SECRET", "").strip(),
        )

    def deadline_lengths(self) -> dict[str, timedelta]:
        """Every order deadline's length by name (the names of `order_deadlines` rows)."""
        return {
            "payment": self.payment_window,
            "inspection": self.inspection_window,
            "dispute_answer": self.dispute_answer_window,
            "admin_decision": self.admin_decision_window,
            "runner_up": self.runner_up_window,
        }


@dataclass(frozen=True, slots=True)
class Settings:
    data_dir: Path
    secret_key: str
    database: DatabaseSettings
    redis: RedisSettings
    server: ServerSettings
    debug: bool = False
    demo_password: str = "surplus-demo-2026"
    scheduler_enabled: bool = True
    auth_rate_limit: int = 10
    """Sign-in, token, registration and password-change attempts allowed per client address per minute."""
    min_bidding_window: timedelta = DEFAULT_MIN_BIDDING_WINDOW
    """The shortest time a sealed-bid lot stays open for bids after it goes live (tests and demos shorten it)."""
    mail: MailSettings = field(default_factory=MailSettings)
    orders: OrderSettings = field(default_factory=OrderSettings)
    fees: FeeSettings = field(default_factory=FeeSettings)
    bundle_max_overage_percent: int = 10
    """How far a broker's bundle of whole lots may exceed the requested quantity (BUNDLE_MAX_OVERAGE, %)."""
    audit_key_path: Path | None = None
    """The Ed25519 key that signs audit checkpoints (AUDIT_KEY_PATH); None: `audit_key_file` in the data directory."""

    @property
    def audit_key_file(self) -> Path:
        return self.audit_key_path or self.data_dir / "audit-ed25519.key"

    slow_sale_percent: int = 50
    password_hashing: str = "standard"
    """PASSWORD_HASHING: `standard` (argon2-cffi's recommended argon2id, the default) or `fast` (argon2id at
    1 MiB and one pass: test suites only; the app warns at start)."""
    bid_engine_takeover: bool = False
    """BID_ENGINE_TAKEOVER=yes: this process's embedded Redis takes over the lots another engine kept
    (once, after that engine is gone for good; see `auctions/ownership.py`)."""
    """A live lot nobody has bid on, bought or asked a quote for after this share of its listing window
    gets slow-sale advice (SLOW_SALE_PERCENT, 1 to 99)."""

    @property
    def slow_sale_share(self) -> float:
        return self.slow_sale_percent / 100

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if environ is None else environ)
        data_dir = Path(env.get("DATA_DIR") or "./var").expanduser().resolve()
        database_url = env.get("DATABASE_URL") or f"sqlite+aiosqlite:///{data_dir / 'exchange.db'}"
        if database_url.startswith("postgresql://") or database_url.startswith("postgres://"):
            database_url = "postgresql+asyncpg://" + database_url.split("://", 1)[1]
        if not (database_url.startswith("sqlite+aiosqlite://") or database_url.startswith("postgresql+asyncpg://")):
            raise SettingsError("DATABASE_URL must start with sqlite+aiosqlite:// or postgresql+asyncpg://")
        proxies = frozenset(p.strip() for p in env.get("TRUSTED_PROXIES", "").split(",") if p.strip())
        return cls(
            data_dir=data_dir,
            secret_key=env.get("SECRET_KEY") or "",
            database=DatabaseSettings(url=database_url, echo=env.get("DATABASE_ECHO") == "1"),
            redis=RedisSettings.from_env(env),
            server=ServerSettings(
                host=env.get("HOST") or "127.0.0.1",
                port=_int_env(env, "PORT", 8000, minimum=1, maximum=65535),
                workers=_int_env(env, "WORKERS", 1, minimum=1, maximum=64),
                trusted_proxies=proxies,
                https=env.get("HTTPS", "").lower() in {"1", "true", "yes"},
                public_url=(env.get("PUBLIC_URL") or "").strip().rstrip("/"),
            ),
            debug=env.get("DEBUG", "").lower() in {"1", "true", "yes"},
            scheduler_enabled=env.get("SCHEDULER", "on").lower() not in {"0", "off", "false", "no"},
            auth_rate_limit=_int_env(env, "AUTH_RATE_LIMIT", 10, minimum=1, maximum=100_000),
            min_bidding_window=timedelta(seconds=_int_env(env, "MIN_BIDDING_WINDOW", _DEFAULT_WINDOW_S, minimum=1)),
            mail=MailSettings.from_env(env),
            orders=OrderSettings.from_env(env),
            fees=FeeSettings.from_env(env),
            audit_key_path=Path(env["AUDIT_KEY_PATH"]).expanduser().resolve() if env.get("AUDIT_KEY_PATH") else None,
            bundle_max_overage_percent=_int_env(env, "BUNDLE_MAX_OVERAGE", 10, minimum=0, maximum=100),
            slow_sale_percent=_int_env(env, "SLOW_SALE_PERCENT", 50, minimum=1, maximum=99),
            bid_engine_takeover=env.get("BID_ENGINE_TAKEOVER", "").lower() in {"1", "true", "yes"},
            password_hashing=_password_hashing(env),
        )

    def prepared(self) -> Settings:
        """Create the data directory and fill in a secret key kept in it when none was given."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if self.secret_key:
            return self
        key_file = self.data_dir / "secret_key"
        if not key_file.exists():
            # O_EXCL: two workers starting at once must agree on one key.
            try:
                fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                pass
            else:
                with os.fdopen(fd, "w") as handle:
                    handle.write(secrets.token_urlsafe(48))
        key = key_file.read_text().strip()
        return replace(self, secret_key=key)
