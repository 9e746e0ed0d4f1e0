from __future__ import annotations

from exchange.accounts.tokens import TokenClaims, TokenReader, issue_token, token_digest


def _user(claims: TokenClaims | None) -> int | None:
    return claims.user_id if claims else None


def test_a_token_names_its_user_until_it_expires() -> None:
    token = issue_token("k", 42, now=1000.0, lifetime=60)
    assert _user(TokenReader("k")(token, now=1030.0)) == 42
    assert TokenReader("k")(token, now=1061.0) is None


def test_a_token_signed_with_another_key_or_altered_is_refused() -> None:
    token = issue_token("k", 42, now=1000.0)
    assert TokenReader("other")(token, now=1001.0) is None
    forged = token.replace(".42.", ".43.")
    assert TokenReader("k")(forged, now=1001.0) is None
    assert TokenReader("k")("garbage", now=1001.0) is None


def test_the_reader_checks_the_expiry_on_every_call_of_a_token_it_has_seen() -> None:
    reader = TokenReader("k")
    token = issue_token("k", 42, now=1000.0, lifetime=60)
    assert _user(reader(token, now=1030.0)) == 42
    assert _user(reader(token, now=1059.0)) == 42
    assert reader(token, now=1061.0) is None


def test_the_reader_refuses_a_bad_token_every_time_it_sees_it() -> None:
    reader = TokenReader("k")
    token = issue_token("k", 42, now=1000.0)
    forged = token.replace(".42.", ".43.")
    for _ in range(2):
        assert reader(issue_token("other", 42, now=1000.0), now=1001.0) is None
        assert reader(forged, now=1001.0) is None
        assert reader("garbage", now=1001.0) is None
    assert _user(reader(token, now=1001.0)) == 42


def test_a_token_carries_the_users_epoch_and_a_digest_that_is_not_the_token() -> None:
    token = issue_token("k", 42, epoch=3, now=1000.0)
    claims = TokenReader("k")(token, now=1001.0)
    assert claims is not None
    assert (claims.user_id, claims.epoch) == (42, 3)
    assert claims.digest == token_digest(token)
    assert claims.digest not in token
    assert TokenReader("k")(token.replace(".3.", ".4.", 1), now=1001.0) is None
    assert issue_token("k", 42, epoch=3, now=1000.0) != token  # two tokens of one second differ
