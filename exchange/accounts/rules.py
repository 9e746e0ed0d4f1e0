"""Account rules without I/O: email shape, password strength, org kinds, the Unified Social Credit Code."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final, Literal

from zxcvbn import zxcvbn

from exchange.i18n.catalog import N_
from exchange.i18n.messages import Msg

__all__ = [
    "MAX_PASSWORD_LENGTH",
    "MIN_PASSWORD_LENGTH",
    "ORG_KINDS",
    "USCC_ALPHABET",
    "USCC_LENGTH",
    "OrgKind",
    "normalise_email",
    "normalise_uscc",
    "password_problem",
    "uscc_check_character",
    "uscc_problem",
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


def password_problem(password: str, *, email: str = "", also_avoid: Iterable[str] = ()) -> Msg | None:
    """Why a password is not acceptable, or None when it is.

    Strength is zxcvbn's estimate (common passwords, dictionary words, keyboard patterns, repeats,
    sequences, dates), with the email and `also_avoid` (the user's and org's names) counted as known
    words. It takes up to ~50 ms of CPU: call it from a worker thread in request handlers."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return Msg("Use at least {count} characters.", count=MIN_PASSWORD_LENGTH)
    if len(password) > MAX_PASSWORD_LENGTH:
        return Msg("Use at most {count} characters.", count=MAX_PASSWORD_LENGTH)
    if len(set(password)) < 4:
        return Msg("Use a mix of at least 4 different characters.")
    if email and password.strip().lower() in {email.lower(), email.split("@", 1)[0].lower()}:
        return Msg("Do not use your email address as the password.")
    estimate = zxcvbn(password[:_ESTIMATED_LENGTH], user_inputs=_known_words(email, also_avoid))
    if estimate["score"] < MIN_PASSWORD_SCORE:
        warning = estimate["feedback"].get("warning")
        if warning:  # zxcvbn's own words (translated when the catalogue has them)
            return Msg(
                "This password is too easy to guess: {why}. Add a few uncommon words.", why=Msg(warning.rstrip("."))
            )
        return Msg("This password is too easy to guess. Add a few uncommon words.")
    return None


def _known_words(email: str, phrases: Iterable[str]) -> list[str]:
    """The email, its local part, and each phrase whole, without spaces and word by word."""
    words = [email, email.split("@", 1)[0]] if email else []
    for phrase in phrases:
        parts = re.findall(r"\w+", phrase.lower())
        words += [phrase, "".join(parts), *parts]
    return [word for word in words if len(word) > 1]


# The Unified Social Credit Code (统一社会信用代码) of GB 32100-2015: 18 characters from a 31-character
# alphabet (digits and capitals without I, O, S, V, Z): the registering authority (1), the kind of body (1),
# the administrative division (6 digits), the body's organisation code (9) and a check character (1). The
# check character makes the weighted sum of all 18 characters divisible by 31, the weights being
# 3^(i-1) mod 31, so any single wrong character is caught.
USCC_ALPHABET: Final = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_LENGTH: Final = 18
_WEIGHTS: Final = tuple(pow(3, i, 31) for i in range(USCC_LENGTH - 1))
_VALUE: Final = {ch: value for value, ch in enumerate(USCC_ALPHABET)}


def normalise_uscc(raw: str) -> str:
    """The code as printed on a licence: upper case, without the spaces and dashes people type."""
    return "".join(ch for ch in raw.upper() if ch not in " -\u3000")


def uscc_check_character(body: str) -> str:
    """The 18th character for the first 17 (each from the alphabet)."""
    total = sum(_VALUE[ch] * weight for ch, weight in zip(body, _WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def uscc_problem(code: str) -> Msg | None:
    """Why `code` (normalised) is not a Unified Social Credit Code, or None when its check character is right."""
    if len(code) != USCC_LENGTH:
        return Msg(
            "A Unified Social Credit Code has {count} characters; this one has {given}.",
            count=USCC_LENGTH,
            given=len(code),
        )
    wrong = sorted({ch for ch in code if ch not in _VALUE})
    if wrong:
        return Msg(
            "A Unified Social Credit Code uses digits and capital letters except I, O, S, V and Z, not {wrong}.",
            wrong=" ".join(wrong),
        )
    if not code[2:8].isdigit():
        return Msg(N_("Characters 3 to 8 of a Unified Social Credit Code are the region's 6 digits."))
    if uscc_check_character(code[:17]) != code[17]:
        return Msg(N_("The last character of this code does not match the others; check the code on the licence."))
    return None
