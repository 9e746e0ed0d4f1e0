"""Who is asking: the signed-in user with their organisation, as every guard and service sees them."""

from __future__ import annotations

import msgspec

__all__ = ["Principal"]


class Principal(msgspec.Struct, frozen=True):
    user_id: int
    email: str
    name: str
    is_admin: bool
    org_id: int | None
    org_name: str | None
    org_kind: str | None
    org_verified: bool
    token_epoch: int = 0
    """Tokens and sessions of an older epoch are no longer accepted (the password was changed)."""
    revoked_tokens: frozenset[str] = frozenset()
    """Digests of this user's tokens signed out before their expiry."""

    @property
    def role(self) -> str:
        """The role the pages are built around: admin, seller, buyer or broker."""
        if self.is_admin:
            return "admin"
        return self.org_kind or "member"
