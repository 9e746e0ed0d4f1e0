"""Form errors for people: every problem of a posted form at once, each under its field, in plain words.

The JSON API answers the first problem as problem+json with a stable English code; a page form instead
checks every field of the body (`convert_form`), turns what msgspec or a service said into a sentence a
buyer or seller reads in their language (`plain_words`), and keys each by the form input it belongs to
(`field_errors`). Templates show them with the macros of `_form.html`.
"""

from __future__ import annotations

import re
import typing
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

import msgspec

from exchange.errors import DomainError, Problems, Unprocessable
from exchange.i18n.catalog import N_
from exchange.i18n.messages import Msg

__all__ = [
    "Checks",
    "FieldErrors",
    "FormRefused",
    "convert_form",
    "field_errors",
    "is_for_developers",
    "plain_words",
    "service_checks",
]

T = TypeVar("T")
FieldErrors = dict[str, Msg | str]

REQUIRED = N_("Fill in this field.")
CHECK = N_("Check this value.")
# What a person should never read: type names, JSON paths, API routes, field paths like "sale.price".
_DEVELOPER = re.compile(
    r"`|\$\.|/api/|\bExpected\b|\b(?:GET|POST|PUT|PATCH|DELETE) /|\bNoneType\b|"
    r"\b(?:sale|quantity|location|org|specs|budget|budget_per_unit|lines|requirement_groups)\.[a-z_]+|\w\[\d+\]"
)
_ROUTE_CLAUSE = re.compile(r"\s*(?:;\s*see|\(\s*(?:upload it with|or)?)\s*(?:GET|POST|PUT|PATCH|DELETE) /[^;)]*\)?")
_MISSING = re.compile(r"Object missing required field `(\w+)`")
_LENGTH = re.compile(r"Expected `(str|array|object)` of length ([<>]=) (\d+)")
_BOUND = re.compile(r"Expected `\w+` (>=|>|<=|<) (\S+)")


def is_for_developers(text: str) -> bool:
    """True when a message names types, JSON or field paths, or API routes (fine for the API, not for a page)."""
    return bool(_DEVELOPER.search(text))


class FormRefused(Unprocessable):
    """Several fields of a form are wrong at once: `errors` maps each API field to its message in plain words.

    `converted` holds the top-level fields that did convert, so the service's own field checks can run on them
    and answer in the same page (`with_problems`)."""

    def __init__(self, errors: FieldErrors, converted: Mapping[str, Any] | None = None) -> None:
        field, first = next(iter(errors.items()))
        super().__init__(first, field=field if field != "_" else None)
        self.errors = errors
        self.converted: dict[str, Any] = dict(converted or {})

    def with_problems(self, found: Iterable[DomainError]) -> FormRefused:
        """This refusal with the service's problems added (a field keeps the first problem found for it)."""
        errors = dict(self.errors)
        for each in found:
            for error in (each, *each.also):
                errors.setdefault(error.field or "_", plain_words(error))
        return FormRefused(errors, self.converted)


def _bound(raw: str) -> Msg | None:
    match = _BOUND.search(raw)
    if match is None:
        return None
    op, number = match.groups()
    return {
        ">=": Msg("Enter {number} or more.", number=number),
        ">": Msg("Enter more than {number}.", number=number),
        "<=": Msg("Enter {number} or less.", number=number),
        "<": Msg("Enter less than {number}.", number=number),
    }[op]


def _from_msgspec(raw: str) -> Msg | str:
    """A msgspec complaint (without its `- at` path) in plain words."""
    if _MISSING.search(raw):
        return Msg(REQUIRED)
    length = _LENGTH.search(raw)
    if length:
        kind, op, count = length.groups()
        if op == ">=":
            return Msg(REQUIRED) if count == "1" else Msg("Enter at least {count} characters.", count=count)
        return (
            Msg("Choose at most {count}.", count=count)
            if kind == "array"
            else Msg("Enter at most {count} characters.", count=count)
        )
    bound = _bound(raw)
    if bound is not None:
        return bound
    if "Invalid enum value" in raw or raw.startswith("Expected `bool`"):
        return Msg("Choose one of the options.")
    if "datetime" in raw or raw.startswith("Expected `datetime"):
        return Msg("Enter a date and time.")
    if "date" in raw:
        return Msg("Enter a date.")
    if raw.startswith("Expected `int"):
        return Msg("Enter a whole number.")
    if "decimal" in raw or raw.startswith(("Expected `float", "Expected `number")):
        return Msg("Enter a number.")
    if "matching regex" in raw:
        return Msg("This is not in the form we expect.")
    if is_for_developers(raw):
        return Msg(CHECK)
    return raw  # a struct's own check (`__post_init__`) speaks to people already


def _split_path(message: str) -> tuple[str, str]:
    """('Expected `int`', '.deposit_percent') from msgspec's 'Expected `int` - at `$.deposit_percent`'."""
    raw, sep, path = message.rpartition(" - at `$")
    return (raw, path.rstrip("`")) if sep else (message, "")


def _join(prefix: str, path: str) -> str:
    if not path:
        return prefix
    if path.startswith("["):
        return prefix + path
    return (prefix + path) if prefix else path.removeprefix(".")


def _struct_type(annotation: Any) -> type[msgspec.Struct] | None:
    candidates = [annotation, *typing.get_args(annotation)]
    for candidate in candidates:
        if isinstance(candidate, type) and issubclass(candidate, msgspec.Struct):
            return candidate
    return None


def _problems(
    data: Mapping[str, Any], kind: type[msgspec.Struct], prefix: str, converted: dict[str, Any] | None = None
) -> FieldErrors:
    """Each field's problem; the fields that convert go into `converted` (top level only)."""
    problems: FieldErrors = {}
    for spec in msgspec.structs.fields(kind):
        path = f"{prefix}{spec.encode_name}"
        if spec.encode_name not in data:
            if spec.required:
                problems[path] = Msg(REQUIRED)
            continue
        value = data[spec.encode_name]
        nested = _struct_type(spec.type)
        if nested is not None and isinstance(value, Mapping):
            inner = _problems(value, nested, path + ".")
            problems.update(inner)
            if not inner and converted is not None:
                converted[spec.name] = msgspec.convert(value, spec.type, strict=False)
            continue
        try:
            done = msgspec.convert(value, spec.type, strict=False)
            if converted is not None:
                converted[spec.name] = done
        except msgspec.ValidationError as error:
            raw, sub = _split_path(str(error))
            missing = _MISSING.search(raw)
            where = _join(path, sub) + (f".{missing.group(1)}" if missing else "")
            problems.setdefault(where, _from_msgspec(raw))
    return problems


Checks = Callable[[Mapping[str, Any]], Iterable[DomainError]]
"""The service's own field checks over the fields that did convert (by name), giving every problem found."""


def service_checks(check: Callable[..., object], *args: Any) -> Checks:
    """`Checks` from a service's collecting check, called as `check(given, *args, found)`."""

    def checks(given: Mapping[str, Any]) -> list[DomainError]:
        found = Problems()
        check(given, *args, found)
        return found.found

    return checks


def convert_form(
    data: Mapping[str, Any], kind: type[T], *, found: FieldErrors | None = None, checks: Checks | None = None
) -> T:
    """`data` (a form read into the API's shape) as `kind`, or a `FormRefused` naming every wrong field at once.

    `found` are problems the form reader already saw (a required field left empty); they come first. `checks`
    runs the service's field checks on the fields that did convert, so their problems show in the same answer.
    """
    try:
        return _converted(data, kind, found)
    except FormRefused as refused:
        if checks is None:
            raise
        raise refused.with_problems(checks(refused.converted)) from None


def _converted(data: Mapping[str, Any], kind: type[T], found: FieldErrors | None) -> T:
    problems: FieldErrors = dict(found or {})
    converted: dict[str, Any] = {}
    if isinstance(kind, type) and issubclass(kind, msgspec.Struct):
        for field, message in _problems(data, kind, "", converted).items():
            problems.setdefault(field, message)
    if problems:
        raise FormRefused(problems, {k: v for k, v in converted.items() if k not in problems})
    try:
        return msgspec.convert(data, kind, strict=False)
    except msgspec.ValidationError as error:  # a check across fields (`__post_init__`)
        raw, path = _split_path(str(error))
        raise FormRefused({_join("", path) or "_": _from_msgspec(raw)}, converted) from None


def _without_field(msg: Msg) -> Msg:
    """A message that names its field by its API path ("{field} must be more than zero") names none: it is shown
    under the field."""
    values = dict(msg.values)
    if "field" in values and isinstance(values["field"], str):
        values["field"] = Msg("This value") if msg.msgid.startswith("{field}") else Msg("this value")
    return Msg(msg.msgid, **values)


def plain_words(error: DomainError) -> Msg | str:
    """What a refusal says to a person: its message in their language, with no field path, type name or route."""
    if isinstance(error, FormRefused):
        return next(iter(error.errors.values()))
    carried = getattr(error.detail, "msg", None)
    if isinstance(carried, Msg):
        return _without_field(carried)
    text = str(error.detail)
    if error.field and text.startswith(f"{error.field}: "):  # msgspec's complaint, as the API words it
        return _from_msgspec(text.removeprefix(f"{error.field}: "))
    if error.field and text.startswith(f"{error.field} "):
        text = "This value " + text.removeprefix(f"{error.field} ")
    text = _ROUTE_CLAUSE.sub("", text).strip()
    if text and not text.endswith((".", "!", "?")):
        text += "."
    if is_for_developers(text) or not text:
        return Msg(CHECK) if error.field else Msg(error.title)
    return text


def _form_name(field: str | None, names: Mapping[str, str]) -> str:
    if not field:
        return "_"
    if field in names:
        return names[field]
    if field.startswith("specs."):
        return "spec." + field.removeprefix("specs.")
    return field


def field_errors(error: DomainError, names: Mapping[str, str] | None = None) -> FieldErrors:
    """{form input: message} for a refused form: every field of a `FormRefused`, else the one the error names
    (`_` for the whole form). `names` maps API fields to the form's input names (`sale.price` -> `price`)."""
    names = names or {}
    if isinstance(error, FormRefused):
        errors: FieldErrors = {}
        for field, message in error.errors.items():
            errors.setdefault(_form_name(field, names), message)
        return errors
    errors = {}
    for each in (error, *error.also):
        errors.setdefault(_form_name(each.field, names), plain_words(each))
    return errors
