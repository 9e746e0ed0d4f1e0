from __future__ import annotations

import pytest

from exchange.accounts.passwords import hash_password, password_matches
from exchange.accounts.rules import normalise_email, password_problem


@pytest.mark.parametrize("password", ["short", "123456789", "aaaaaaaaaaaaaaa", "abababababab", "x" * 300])
def test_weak_or_absurd_passwords_are_refused_with_a_reason(password: str) -> None:
    assert password_problem(password)


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
