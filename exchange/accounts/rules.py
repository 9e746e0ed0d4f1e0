"""Account rules without I/O: email shape, password strength, org kinds."""

from __future__ import annotations

import re
from typing import Final, Literal

__all__ = [
    "MAX_PASSWORD_LENGTH",
    "MIN_PASSWORD_LENGTH",
    "ORG_KINDS",
    "OrgKind",
    "normalise_email",
    "password_problem",
]

OrgKind = Literal["seller", "buyer", "broker"]
ORG_KINDS: Final = ("seller", "buyer", "broker")
MIN_PASSWORD_LENGTH: Final = 10
MAX_PASSWORD_LENGTH: Final = 256

_EMAIL = re.compile(r"^[^@\s]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9-]{1,63})+$")


def normalise_email(raw: str) -> str | None:
    """The address in lower case, or None when it is not an email address."""
    email = raw.strip().lower()
    if len(email) > 254 or not _EMAIL.match(email):
        return None
    return email


def password_problem(password: str, *, email: str = "") -> str | None:
    """Why a password is not acceptable, or None when it is."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Use at least {MIN_PASSWORD_LENGTH} characters."
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"Use at most {MAX_PASSWORD_LENGTH} characters."
    if len(set(password)) < 4:
        return "Use a mix of at least 4 different characters."
    if email and password.strip().lower() in {email.lower(), email.split("@", 1)[0].lower()}:
        return "Do not use your email address as the password."
    return None
