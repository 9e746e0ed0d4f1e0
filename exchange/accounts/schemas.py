"""msgspec Structs for the accounts API."""

from __future__ import annotations

from typing import Annotated

import msgspec

from exchange.accounts.rules import OrgKind

__all__ = [
    "Accepted",
    "Licence",
    "MeOut",
    "Org",
    "OrgCreate",
    "PasswordChangeIn",
    "PasswordResetConfirmIn",
    "PasswordResetIn",
    "RegisterIn",
    "RegisterOut",
    "RejectIn",
    "TokenIn",
    "TokenOut",
    "User",
    "Verification",
    "VerificationIn",
]

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=120)]


LegalName = Annotated[str, msgspec.Meta(max_length=200)]
UsccText = Annotated[str, msgspec.Meta(max_length=40)]
Address = Annotated[str, msgspec.Meta(max_length=300)]
Contact = Annotated[str, msgspec.Meta(max_length=200)]


class OrgCreate(msgspec.Struct, forbid_unknown_fields=True):
    name: Name
    kind: OrgKind
    legal_name: LegalName | None = None
    """The name on the business licence. This and the three below are optional here (send them later
    with PUT /api/me/verification), but an administrator verifies an organisation only once all are given."""
    uscc: UsccText | None = None
    """Unified Social Credit Code: 18 characters, its check character is verified."""
    address: Address | None = None
    contact: Contact | None = None
    """Who to call about the organisation: a person and a phone number."""


class VerificationIn(msgspec.Struct, forbid_unknown_fields=True):
    legal_name: LegalName
    uscc: UsccText
    address: Address
    contact: Contact


class RejectIn(msgspec.Struct, forbid_unknown_fields=True):
    reason: Annotated[str, msgspec.Meta(max_length=2000)]


class Licence(msgspec.Struct):
    filename: str
    content_type: str


class Verification(msgspec.Struct):
    org_id: int
    org_name: str
    status: str
    """pending (details missing or waiting for an administrator), rejected, or verified"""
    legal_name: str | None
    uscc: str | None
    address: str | None
    contact: str | None
    licence: Licence | None
    complete: bool
    """All of legal name, code, address and contact are given: an administrator may verify."""
    rejection_reason: str | None = None


class RegisterIn(msgspec.Struct, forbid_unknown_fields=True):
    email: Annotated[str, msgspec.Meta(min_length=3, max_length=254)]
    password: Annotated[str, msgspec.Meta(max_length=1024)]
    name: Name
    org: OrgCreate


class TokenIn(msgspec.Struct):
    email: Annotated[str, msgspec.Meta(max_length=254)]
    password: Annotated[str, msgspec.Meta(max_length=1024)]


class PasswordChangeIn(msgspec.Struct, forbid_unknown_fields=True):
    current_password: Annotated[str, msgspec.Meta(max_length=1024)]
    new_password: Annotated[str, msgspec.Meta(max_length=1024)]


class TokenOut(msgspec.Struct):
    access_token: str
    token_type: str = "bearer"
    expires_in: int = 0


class User(msgspec.Struct):
    id: int
    email: str
    name: str
    is_admin: bool = False


class Org(msgspec.Struct):
    id: int
    name: str
    kind: str
    verified: bool


class RegisterOut(msgspec.Struct):
    user: User
    org: Org


class MeOut(msgspec.Struct):
    user: User
    org: Org | None


class PasswordResetIn(msgspec.Struct, forbid_unknown_fields=True):
    email: Annotated[str, msgspec.Meta(max_length=254)]


class PasswordResetConfirmIn(msgspec.Struct, forbid_unknown_fields=True):
    token: Annotated[str, msgspec.Meta(max_length=200)]
    new_password: Annotated[str, msgspec.Meta(max_length=1024)]


class Accepted(msgspec.Struct):
    detail: str
