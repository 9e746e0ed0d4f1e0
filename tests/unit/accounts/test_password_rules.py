from __future__ import annotations

import pytest

from exchange.accounts.passwords import hash_password, password_matches
from exchange.accounts.rules import normalise_email, password_problem


@pytest.mark.parametrize("password", ["short", "123456789", "aaaaaaaaaaaaaaa", "abababababab", "x" * 300])
def test_weak_or_absurd_passwords_are_refused_with_a_reason(password: str) -> None:
    assert password_problem(password)


@pytest.mark.parametrize(
    "password", ["1234567890", "password12", "passwordpassword", "qwertyuiop", "Password123!", "iloveyou123"]
)
def test_common_and_patterned_passwords_are_refused_as_too_easy_to_guess(password: str) -> None:
    assert "too easy to guess" in str(password_problem(password))


def test_a_password_made_of_the_users_own_names_is_refused() -> None:
    assert password_problem("zhangmin2024", email="zhang.min@example.com", also_avoid=["Zhang Min"])
    assert password_problem("Shanghai Auto Parts 1", also_avoid=["Shanghai Auto Parts"])
    assert password_problem("zhangmin2024", email="x@example.com") is None


@pytest.mark.parametrize("password", ["correct-horse-battery", "surplus-demo-2026", "bench-password-123"])
def test_the_demo_test_and_benchmark_passwords_are_strong_enough(password: str) -> None:
    assert password_problem(password, email="chen.wei@hengli-textiles.example") is None


def test_a_long_password_is_judged_by_its_start_and_refused_when_that_is_weak() -> None:
    assert password_problem("a" * 200 + "Xq7!vR2#pL9$")
    assert password_problem("correct-horse-battery " * 10) is None


def test_the_email_address_is_not_a_password() -> None:
    assert password_problem("buyer@example.com", email="buyer@example.com")


def test_a_decent_password_passes() -> None:
    assert password_problem("correct-horse-battery", email="x@example.com") is None


def test_emails_are_normalised_to_lower_case_and_checked() -> None:
    assert normalise_email("  Zhang.Min@SH-Autoparts.Example ") == "zhang.min@sh-autoparts.example"
    assert normalise_email("not an email") is None
    assert normalise_email("a@b") is None


def test_a_password_hash_verifies_only_the_same_password() -> None:
    hashed = hash_password("correct-horse-battery")
    assert hashed.startswith("$argon2")
    assert password_matches(hashed, "correct-horse-battery")
    assert not password_matches(hashed, "correct-horse-battery!")
    assert not password_matches(None, "correct-horse-battery")


def test_fast_hashing_is_for_tests_and_hashes_from_either_profile_keep_verifying() -> None:
    from exchange.accounts.passwords import use_password_hashing

    use_password_hashing("standard")  # whatever an earlier test in this process chose
    standard = hash_password("correct-horse-battery")
    assert "m=65536,t=3,p=4" in standard  # argon2-cffi's recommended argon2id by default
    use_password_hashing("fast")
    try:
        fast = hash_password("correct-horse-battery")
        assert fast.startswith("$argon2id$")
        assert "m=1024,t=1,p=1" in fast
        assert password_matches(standard, "correct-horse-battery")
        assert password_matches(fast, "correct-horse-battery")
        assert not password_matches(fast, "correct-horse-batteries")
        assert not password_matches(None, "anything")
    finally:
        use_password_hashing("standard")
    assert "m=65536,t=3,p=4" in hash_password("correct-horse-battery")


def test_password_hashing_setting_takes_only_the_two_profiles() -> None:
    from exchange.settings import Settings, SettingsError

    assert Settings.from_env({}).password_hashing == "standard"
    assert Settings.from_env({"PASSWORD_HASHING": "Fast"}).password_hashing == "fast"
    with pytest.raises(SettingsError, match="PASSWORD_HASHING"):
        Settings.from_env({"PASSWORD_HASHING": "none"})
