"""Made-up verification details with well-formed Unified Social Credit Codes, for the demo, tests and benches."""

from __future__ import annotations

import random

from exchange.accounts.rules import USCC_ALPHABET, uscc_check_character

__all__ = ["example_details", "example_uscc"]

_REGIONS = ("310000", "320500", "330200", "440300", "440600", "110000", "510100")


def example_uscc(seed: str | None = None) -> str:
    """A code of a company (authority 9, kind 1) in a real region, whose check character is right."""
    pick = random.Random(seed)
    body = "91" + pick.choice(_REGIONS) + "".join(pick.choice(USCC_ALPHABET) for _ in range(9))
    return body + uscc_check_character(body)


def example_details(org_name: str, seed: str | None = None) -> dict[str, str]:
    """The four verification fields of an organisation (as in a registration's `org`)."""
    return {
        "legal_name": f"{org_name} Co., Ltd.",
        "uscc": example_uscc(seed if seed is not None else org_name),
        "address": "88 Century Avenue, Pudong, Shanghai",
        "contact": "Operations desk, +86 21 5555 0100",
    }
