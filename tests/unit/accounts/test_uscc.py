from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from exchange.accounts.rules import USCC_ALPHABET, normalise_uscc, uscc_check_character, uscc_problem

REAL_FORMAT_CODES = ["91350100M000100Y43", "91110000802100433B", "91440300708461136T"]
"""Codes in the form printed on business licences (published examples), check characters included."""

bodies = st.tuples(
    st.text(USCC_ALPHABET, min_size=2, max_size=2),
    st.text("0123456789", min_size=6, max_size=6),
    st.text(USCC_ALPHABET, min_size=9, max_size=9),
).map("".join)


@pytest.mark.parametrize("code", REAL_FORMAT_CODES)
def test_licence_codes_pass(code: str) -> None:
    assert uscc_problem(code) is None


def test_typed_spaces_dashes_and_lower_case_are_normalised() -> None:
    assert normalise_uscc(" 91350100-m000100y43 ") == "91350100M000100Y43"


@pytest.mark.parametrize(
    ("code", "says"),
    [
        ("91350100M000100Y44", "last character of this code does not match"),
        ("91350100M000100Y4", "has 18 characters; this one has 17"),
        ("91350100M000100I43", "not I"),
        ("9135010AM000100Y43", "region's 6 digits"),
    ],
)
def test_a_wrong_code_says_what_is_wrong(code: str, says: str) -> None:
    problem = uscc_problem(code)
    assert problem is not None
    assert says in str(problem)


@given(bodies)
def test_the_check_character_completes_any_body(body: str) -> None:
    assert uscc_problem(body + uscc_check_character(body)) is None


@given(bodies, st.integers(0, 17), st.sampled_from(USCC_ALPHABET))
def test_any_single_changed_character_is_caught(body: str, position: int, replacement: str) -> None:
    code = body + uscc_check_character(body)
    changed = code[:position] + replacement + code[position + 1 :]
    if changed != code and changed[2:8].isdigit():
        assert uscc_problem(changed) is not None
