"""A category's compliance rules applied to a lot about to be published (no I/O).

Two outcomes: a refusal the seller must fix (a 422, e.g. food too close to its best-before date),
or reasons for an administrator to review the lot before it goes live (e.g. a 3C certificate
declared but not attached).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from exchange.errors import Unprocessable
from exchange.i18n.messages import Msg
from exchange.specs.catalog import Category, CategoryName
from exchange.specs.errors import SHELF_LIFE_TOO_SHORT

__all__ = ["LotFacts", "check_refusals", "review_reasons"]

_NO_BRAND = {"", "none", "unbranded", "no brand", "generic", "oem", "white label", "n/a", "-"}


@dataclass(frozen=True, slots=True)
class LotFacts:
    specs: Mapping[str, Any]
    certifications: Collection[str]
    document_kinds: Collection[str]
    best_before: date | None
    today: date


def check_refusals(category: Category, facts: LotFacts) -> None:
    """Raise the first rule a lot cannot be published against (422 naming the field)."""
    for rule in category.rules:
        if rule.kind == "shelf_life":
            min_days = rule.min_days or 0
            if facts.best_before is None:
                raise Unprocessable(
                    Msg("{category} needs a best-before date.", category=CategoryName(category)), field="best_before"
                )
            if facts.best_before < facts.today + timedelta(days=min_days):
                raise Unprocessable(
                    Msg(
                        "{name} must have at least {days} days left before its best-before date to be published "
                        "({date} is too close).",
                        name=CategoryName(category),
                        days=min_days,
                        date=facts.best_before.isoformat(),
                    ),
                    field="best_before",
                    code=SHELF_LIFE_TOO_SHORT,
                )


def review_reasons(category: Category, facts: LotFacts) -> list[str]:
    """Why an administrator must look at this lot before it goes live; empty when nothing is missing."""
    reasons: list[str] = []
    declared = {c.strip().upper() for c in facts.certifications}
    for rule in category.rules:
        if rule.kind == "certificate" and rule.certificate:
            if rule.certificate.upper() not in declared:
                reasons.append(f"{rule.certificate} certificate missing: {category.name} must carry it.")
            elif "certificate" not in facts.document_kinds:
                reasons.append(f"{rule.certificate} certificate declared but no certificate document is attached.")
        elif rule.kind == "brand_authorisation" and rule.field:
            brand = str(facts.specs.get(rule.field) or "").strip()
            if brand.lower() not in _NO_BRAND and "brand_authorisation" not in facts.document_kinds:
                reasons.append(f"Branded goods ({brand}): the brand owner's authorisation document is missing.")
        elif rule.kind == "document" and rule.document and rule.document not in facts.document_kinds:
            reasons.append(f"A {rule.document.replace('_', ' ')} document is missing.")
    return reasons
