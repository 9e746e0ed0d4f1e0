"""msgspec Structs for the accounts API."""

from __future__ import annotations

from typing import Annotated

import msgspec

from exchange.accounts.rules import OrgKind

__all__ = [
    "MeOut",
    "Org",
    "OrgCreate",
    "PasswordChangeIn",
    "RegisterIn",
    "RegisterOut",
    "TokenIn",
    "TokenOut",
    "User",
]

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=120)]


class OrgCreate(msgspec.Struct, forbid_unknown_fields=True):
    name: Name
    kind: OrgKind


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
