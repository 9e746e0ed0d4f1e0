"""Password hashing with argon2id.

`standard` is argon2-cffi's recommended profile (RFC 9106, low memory: 64 MiB, 3 passes, 4 lanes), the
default. `fast` (PASSWORD_HASHING=fast) is argon2id at 1 MiB and one pass, for test suites that register
thousands of users; never for real accounts. A hash records its own parameters, so passwords hashed under
one profile still verify under the other.
"""

from __future__ import annotations

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from argon2.profiles import RFC_9106_LOW_MEMORY

__all__ = ["HASHING_PROFILES", "hash_password", "password_matches", "use_password_hashing"]

HASHING_PROFILES = {
    "standard": PasswordHasher.from_parameters(RFC_9106_LOW_MEMORY),
    "fast": PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1, type=Type.ID),
}


class _Hashing:
    """The profile in use, chosen once by `create_app` from the settings."""

    def __init__(self, name: str) -> None:
        self.hasher = HASHING_PROFILES[name]
        # Verified against when the email is unknown, so a wrong email costs as much time as a wrong password.
        self.dummy_hash = self.hasher.hash("not-a-real-password-0000")


_hashing = _Hashing("standard")


def use_password_hashing(name: str) -> None:
    """Hash new passwords with the named profile (`standard` or `fast`)."""
    global _hashing
    if _hashing.hasher is not HASHING_PROFILES[name]:
        _hashing = _Hashing(name)


def hash_password(password: str) -> str:
    return _hashing.hasher.hash(password)


def password_matches(password_hash: str | None, password: str) -> bool:
    hashing = _hashing
    try:
        return hashing.hasher.verify(password_hash or hashing.dummy_hash, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False
