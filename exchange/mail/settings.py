"""Mail settings: `SMTP_URL` (where to deliver) and `MAIL_FROM` (who the mail is from)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

__all__ = ["MailSettings", "SmtpServer"]

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
        from exchange.settings import SettingsError

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
