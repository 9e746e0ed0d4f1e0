"""Organisations and their members."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from exchange.db.base import Base, utcnow

__all__ = ["Org", "PasswordReset", "RevokedToken", "User"]


class Org(Base):
    __tablename__ = "orgs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(16), index=True)
    verified: Mapped[bool] = mapped_column(Boolean, default=False)
    verified_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # What the organisation tells about itself to be verified (know your business), and the admin's answer.
    legal_name: Mapped[str | None] = mapped_column(String(200), default=None)
    uscc: Mapped[str | None] = mapped_column(String(18), default=None, index=True)
    """Unified Social Credit Code, normalised and checked (accounts.rules.uscc_problem)."""
    address: Mapped[str | None] = mapped_column(String(300), default=None)
    contact: Mapped[str | None] = mapped_column(String(200), default=None)
    licence_key: Mapped[str | None] = mapped_column(String(200), default=None)
    """Storage key of the business licence scan under the uploads directory."""
    licence_filename: Mapped[str | None] = mapped_column(String(200), default=None)
    licence_content_type: Mapped[str | None] = mapped_column(String(64), default=None)
    details_submitted_at: Mapped[datetime | None] = mapped_column(default=None)
    rejection_reason: Mapped[str | None] = mapped_column(Text, default=None)
    """Why an admin refused to verify; cleared when the organisation sends corrected details."""
    rejected_at: Mapped[datetime | None] = mapped_column(default=None)

    members: Mapped[list[User]] = relationship(back_populates="org", lazy="raise")


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    org_id: Mapped[int | None] = mapped_column(ForeignKey("orgs.id"), index=True, default=None)
    role: Mapped[str] = mapped_column(String(16), default="owner")
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    token_epoch: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    """Tokens and sessions carry the epoch they were issued in; raising it (a password change) ends them all."""
    locale: Mapped[str | None] = mapped_column(String(10), default=None)
    """The language chosen with the switcher (`en`, `zh_CN`): pages after sign-in, e-mails. None: not chosen."""
    time_zone: Mapped[str | None] = mapped_column(String(64), default=None)

    org: Mapped[Org | None] = relationship(back_populates="members", lazy="raise")


class RevokedToken(Base):
    """A bearer token signed out before its expiry, kept (by digest, never the token) until it expires."""

    __tablename__ = "revoked_tokens"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    expires_at: Mapped[datetime] = mapped_column(index=True)


class PasswordReset(Base):
    """A password reset link sent by e-mail: kept by digest (never the token), used once, then dead."""

    __tablename__ = "password_resets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column()
    used_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
