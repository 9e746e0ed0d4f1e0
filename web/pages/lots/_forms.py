"""The lot form as flat HTML fields, turned into the API's lot body (and back), and search links."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from functools import partial
from typing import Any
from urllib.parse import urlencode

from exchange.errors import DomainError, Problems, Unprocessable
from exchange.i18n.catalog import N_, gettext
from exchange.i18n.messages import Msg
from exchange.lots import rules, schemas
from exchange.money import parse_money
from exchange.specs.catalog import Category
from web.form_errors import FieldErrors, FormRefused, convert_form, field_errors, plain_words

__all__ = [
    "form_errors",
    "form_from_lot",
    "invited_ids",
    "lot_body_from_form",
    "search_url",
    "spec_display",
]

_REQUIRED = [
    ("title", N_("Give the lot a title.")),
    ("category", N_("Choose a category.")),
    ("quantity_value", N_("Enter the quantity.")),
    ("quantity_unit", N_("Enter the unit of the quantity (m, pcs, kg, t...).")),
    ("grade", N_("Choose a grade.")),
    ("sale_mode", N_("Choose how the lot is sold.")),
]
_DECIMAL = re.compile(r"-?\d{1,20}(\.\d{1,10})?")
_ORDER = ["q", "category", "spec.", "grade", "mode", "price_min", "price_max", "currency", "location", "country",
          "status", "sort", "limit", "offset"]  # fmt: skip
_FIELD_NAMES = {
    "quantity.value": "quantity_value",
    "quantity.unit": "quantity_unit",
    "sale.mode": "sale_mode",
    "sale.price": "price",
    "sale.reserve_price": "reserve_price",
    "sale.min_bid": "min_bid",
    "sale.closes_at": "closes_at",
    "sale.deposit_percent": "deposit_percent",
    "location.city": "city",
    "location.region": "region",
    "location.country": "country",
}


def form_errors(error: DomainError) -> FieldErrors:
    """Every problem of a refused lot form, keyed by its input (`sale.price` -> `price`), in plain words."""
    return field_errors(error, _FIELD_NAMES)


def closes_at_from_form(raw: str, offset_raw: str) -> datetime | None:
    if not raw.strip():
        return None
    try:
        offset = int(offset_raw or "0")
        moment = datetime.fromisoformat(raw.strip())
    except ValueError:
        raise Unprocessable(N_("Enter the closing time as a date and time."), field="sale.closes_at") from None
    if not -14 * 60 <= offset <= 14 * 60:
        offset = 0
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone(timedelta(minutes=offset)))
    return moment.astimezone(UTC)


def invited_ids(raw: str) -> list[int]:
    ids: list[int] = []
    for part in raw.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        if not part.isdigit() or len(part) > 10:
            raise Unprocessable(N_("Choose the organisations to invite from the list."), field="invited_org_ids")
        ids.append(int(part))
    return ids


def lot_body_from_form(form: Mapping[str, str]) -> schemas.LotCreate:
    """The posted form as a `LotCreate`, or a `FormRefused` naming every field with a problem."""
    api_names = {v: k for k, v in _FIELD_NAMES.items()}
    found: FieldErrors = {
        api_names.get(name, name): Msg(message) for name, message in _REQUIRED if not form.get(name, "").strip()
    }
    try:
        closes_at = (
            closes_at_from_form(form.get("closes_at", ""), form.get("tz_offset", "0"))
            if form.get("sale_mode") == "sealed_bid"
            else None
        )
    except DomainError as error:
        closes_at, found["sale.closes_at"] = None, plain_words(error)
    try:
        invited = invited_ids(form.get("invited_org_ids", ""))
    except DomainError as error:
        invited, found["invited_org_ids"] = [], plain_words(error)

    def optional(name: str) -> str | None:
        value = form.get(name, "").strip()
        return value or None

    body: dict[str, Any] = {
        "title": form.get("title", "").strip(),
        "description": form.get("description", ""),
        "category": form.get("category", "").strip(),
        "specs": {k.removeprefix("spec."): v for k, v in form.items() if k.startswith("spec.") and v.strip()},
        "quantity": {"value": form.get("quantity_value", "").strip(), "unit": form.get("quantity_unit", "").strip()},
        "grade": form.get("grade", ""),
        "defects": form.get("defects", ""),
        "source": optional("source") or "other",
        "reference_price": optional("reference_price"),
        "currency": optional("currency") or "CNY",
        "location": {
            "city": form.get("city", "").strip(),
            "region": form.get("region", "").strip(),
            "country": optional("country") or "CN",
        },
        "certifications": [c.strip() for c in form.get("certifications", "").split(",") if c.strip()],
        "best_before": optional("best_before"),
        "sale": {
            "mode": form.get("sale_mode", ""),
            "price": optional("price") if form.get("sale_mode") == "fixed_price" else None,
            "reserve_price": optional("reserve_price") if form.get("sale_mode") == "sealed_bid" else None,
            "min_bid": optional("min_bid") if form.get("sale_mode") == "sealed_bid" else None,
            "second_price": form.get("second_price") == "on",
            "deposit_percent": optional("deposit_percent"),
            "closes_at": closes_at,
            "rfq_enabled": form.get("rfq_enabled") == "on",
        },
        "visibility": optional("visibility") or "public",
        "invited_org_ids": invited,
        "listing_days": optional("listing_days") or "14",
    }
    try:
        return convert_form(body, schemas.LotCreate, found=found)
    except FormRefused as refused:  # the service's rules would not run: check the amounts and grade now too
        raise FormRefused({**refused.errors, **_rule_problems(body)}) from None


def _rule_problems(body: Mapping[str, Any]) -> FieldErrors:
    """The lot rules a form can break besides missing or malformed fields (amounts, quantity, country, defects),
    for showing with those: the service checks them again, all together, when the form is whole."""
    found = Problems()
    sale = body["sale"]
    for field, raw in (("sale.price", sale["price"]), ("sale.reserve_price", sale["reserve_price"]),
                       ("sale.min_bid", sale["min_bid"]), ("reference_price", body["reference_price"])):  # fmt: skip
        if raw is not None:
            found.check(partial(parse_money, raw, "CNY", field=field))
    quantity = body["quantity"]["value"]
    if _DECIMAL.fullmatch(quantity):
        found.check(partial(rules.check_quantity, Decimal(quantity)))
    found.check(partial(rules.check_country, body["location"]["country"], field="location.country"))
    found.check(partial(rules.check_defects, body["grade"], body["defects"]))
    return {error.field or "_": plain_words(error) for error in found.found}


def _number_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def form_from_lot(lot: schemas.Lot) -> dict[str, str]:
    """A lot's current values as the form's fields, for editing."""
    sale = lot.sale
    reserve = sale.reserve_price if isinstance(sale.reserve_price, str) else ""
    form = {
        "title": lot.title,
        "description": lot.description,
        "category": lot.category,
        "quantity_value": lot.quantity.value,
        "quantity_unit": lot.quantity.unit,
        "grade": lot.grade,
        "defects": lot.defects,
        "source": lot.source,
        "reference_price": lot.reference_price or "",
        "currency": lot.currency,
        "city": lot.location.city,
        "region": lot.location.region,
        "country": lot.location.country,
        "certifications": ", ".join(lot.certifications),
        "best_before": lot.best_before.isoformat() if lot.best_before else "",
        "sale_mode": sale.mode,
        "price": sale.price or "",
        "reserve_price": reserve or "",
        "min_bid": sale.min_bid or "",
        "deposit_percent": "" if sale.deposit_percent is None else str(sale.deposit_percent),
        "closes_at": sale.closes_at.strftime("%Y-%m-%dT%H:%M") if sale.closes_at else "",
        "tz_offset": "0",
        "visibility": lot.visibility,
        "invited_org_ids": ", ".join(str(i) for i in lot.invited_org_ids)
        if isinstance(lot.invited_org_ids, list)
        else "",
        "listing_days": str(lot.listing_days),
    }
    if sale.second_price:
        form["second_price"] = "on"
    if sale.rfq_enabled:
        form["rfq_enabled"] = "on"
    for key, value in lot.specs.items():
        form[f"spec.{key}"] = ("yes" if value else "no") if isinstance(value, bool) else _number_text(value)
    return form


def spec_display(category: Category | None, specs: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(label, shown value with unit) for each spec, in the schema's order."""
    if category is None:
        return [(key, str(value)) for key, value in specs.items()]
    rows: list[tuple[str, str]] = []
    for spec_field in category.fields:
        if spec_field.key not in specs:
            continue
        value = specs[spec_field.key]
        if spec_field.type == "bool":
            text = gettext("yes") if value else gettext("no")
        elif spec_field.type == "number":
            text = f"{_number_text(value)} {spec_field.shown_unit or ''}".strip()
        elif spec_field.type == "enum":
            text = spec_field.local_choice(value)
        else:
            text = str(value)
        rows.append((spec_field.local_label, text))
    return rows


def search_url(params: Mapping[str, Sequence[str]], **changes: str | Sequence[str] | None) -> str:
    """`/lots?...` with some parameters replaced (None removes one); the page offset always resets."""
    merged: dict[str, list[str]] = {k: list(v) for k, v in params.items() if k != "offset"}
    for name, value in changes.items():
        name = name.replace("__", ".")
        if value is None:
            merged.pop(name, None)
        elif isinstance(value, str):
            merged[name] = [value]
        else:
            merged[name] = list(value)
    if "category" in changes:
        merged = {k: v for k, v in merged.items() if not k.startswith("spec.")}
    if merged.get("sort") == ["newest"]:
        del merged["sort"]
    ordered = sorted(merged, key=lambda name: (_ORDER.index(name) if name in _ORDER else _ORDER.index("spec."), name))
    pairs = [(k, v) for k in ordered for v in merged[k] if v != ""]
    return "/lots" + (f"?{urlencode(pairs)}" if pairs else "")
