"""Account rules without I/O: email shape, password strength, org kinds."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final, Literal

from zxcvbn import zxcvbn

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
MIN_PASSWORD_SCORE: Final = 3
"""zxcvbn's score (0-4) a password needs: 3 is "safely unguessable" (about 10^8 guesses or more), which
with argon2 and the sign-in rate limit keeps online guessing hopeless and offline guessing slow."""
_ESTIMATED_LENGTH: Final = 72
"""zxcvbn refuses longer input and takes time growing with the length; a longer password is judged by
its first 72 characters (a weak start with a strong tail is still refused, which is what we want)."""

_EMAIL = re.compile(r"^[^@\s]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9-]{1,63})+$")


def normalise_email(raw: str) -> str | None:
    """The address in lower case, or None when it is not an email address."""
    email = raw.strip().lower()
    if len(email) > 254 or not _EMAIL.match(email):
        return None
    return email


def password_problem(password: str, *, email: str = "", also_avoid: Iterable[str] = ()) -> str | None:
    """Why a password is not acceptable, or None when it is.

    Strength is zxcvbn's estimate (common passwords, dictionary words, keyboard patterns, repeats,
    sequences, dates), with the email and `also_avoid` (the user's and org's names) counted as known
    words. It takes up to ~50 ms of CPU: call it from a worker thread in request handlers."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Use at least {MIN_PASSWORD_LENGTH} characters."
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"Use at most {MAX_PASSWORD_LENGTH} characters."
    if len(set(password)) < 4:
        return "Use a mix of at least 4 different characters."
    if email and password.strip().lower() in {email.lower(), email.split("@", 1)[0].lower()}:
        return "Do not use your email address as the password."
    estimate = zxcvbn(password[:_ESTIMATED_LENGTH], user_inputs=_known_words(email, also_avoid))
    if estimate["score"] < MIN_PASSWORD_SCORE:
        warning = estimate["feedback"].get("warning")
        because = f" {warning.rstrip('.')}." if warning else ""
        return f"This password is too easy to guess.{because} Add a few uncommon words."
    return None


def _known_words(email: str, phrases: Iterable[str]) -> list[str]:
    """The email, its local part, and each phrase whole, without spaces and word by word."""
    words = [email, email.split("@", 1)[0]] if email else []
    for phrase in phrases:
        parts = re.findall(r"\w+", phrase.lower())
        words += [phrase, "".join(parts), *parts]
    return [word for word in words if len(word) > 1]
