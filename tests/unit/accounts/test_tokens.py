from __future__ import annotations

from exchange.accounts.tokens import issue_token, read_token


def test_a_token_names_its_user_until_it_expires() -> None:
    token = issue_token("k", 42, now=1000.0, lifetime=60)
    assert read_token("k", token, now=1030.0) == 42
    assert read_token("k", token, now=1061.0) is None


def test_a_token_signed_with_another_key_or_altered_is_refused() -> None:
    token = issue_token("k", 42, now=1000.0)
    assert read_token("other", token, now=1001.0) is None
    forged = token.replace(".42.", ".43.")
    assert read_token("k", forged, now=1001.0) is None
    assert read_token("k", "garbage", now=1001.0) is None
