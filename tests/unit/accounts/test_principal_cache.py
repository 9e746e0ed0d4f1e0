from __future__ import annotations

from exchange.accounts.auth import PRINCIPAL_CACHE_SECONDS, PrincipalCache
from exchange.accounts.principal import Principal


def _principal(user_id: int, *, verified: bool = True, admin: bool = False) -> Principal:
    return Principal(user_id, f"u{user_id}@example.com", "U", admin, 10 + user_id, "Org", "buyer", verified)


def test_settled_principals_are_kept_for_at_most_the_cache_time_and_expire_spread_out() -> None:
    cache = PrincipalCache()
    for user_id in range(200):
        cache.remember(_principal(user_id), now=1000.0)
    assert all(cache.get(user_id, now=1000.0 + 0.74 * PRINCIPAL_CACHE_SECONDS) for user_id in range(200))
    assert not any(cache.get(user_id, now=1000.0 + PRINCIPAL_CACHE_SECONDS + 0.01) for user_id in range(200))
    halfway = 1000.0 + 0.875 * PRINCIPAL_CACHE_SECONDS
    still_kept = sum(cache.get(user_id, now=halfway) is not None for user_id in range(200))
    assert 40 < still_kept < 160  # read again spread out, not all at once


def test_an_unverified_principal_is_always_read_afresh_but_an_admin_is_kept() -> None:
    cache = PrincipalCache()
    cache.remember(_principal(1, verified=False), now=0.0)
    cache.remember(_principal(2, verified=False, admin=True), now=0.0)
    assert cache.get(1, now=0.0) is None
    assert cache.get(2, now=0.0) == _principal(2, verified=False, admin=True)
