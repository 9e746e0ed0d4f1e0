"""The one problem+json schema, and the error answers (statuses, codes, headers) each operation documents."""

from __future__ import annotations

from collections import defaultdict
from functools import cache
from typing import Any

from exchange import errors
from exchange.error_codes import all_codes
from exchange.openapi.routes import Operation

__all__ = ["PROBLEM_SCHEMA", "error_responses", "error_statuses"]

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "title": "Problem",
    "description": "An RFC 9457 problem: every refusal of the API. Match on `code` (docs/error-codes.md).",
    "properties": {
        "type": {"type": "string", "description": "`urn:surplus-exchange:problem:<code>`"},
        "title": {"type": "string"},
        "status": {"type": "integer", "description": "The HTTP status, repeated"},
        "detail": {"type": "string", "description": "What went wrong, for a person"},
        "code": {"type": "string", "description": "The stable error code (absent only on a 500)"},
        "field": {"type": "string", "description": "The input field at fault, when there is one"},
        "errors": {"type": "array", "items": {"$ref": "#/components/schemas/ProblemFieldError"}},
        "instance": {"type": "string", "description": "The path that was called"},
    },
    "required": ["type", "title", "status", "detail"],
}
FIELD_ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "title": "ProblemFieldError",
    "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
    "required": ["field", "message"],
}

_TITLES = {
    400: "Bad request",
    401: "Not signed in, or the token is invalid",
    403: "Not allowed",
    404: "Not found, or not visible to you",
    409: "Conflicts with the current state",
    413: "Body too large",
    415: "Unsupported media type",
    422: "Invalid input",
    429: "Too many requests",
    503: "Briefly unavailable; nothing was changed",
}
_RETRY_AFTER = {
    "description": "Seconds to wait before trying again",
    "schema": {"type": "integer", "minimum": 1},
    "required": True,
}
_WRITE_METHODS = frozenset({"post", "put", "patch", "delete"})
_GENERAL_FOR_EVERY_CALL = (errors.BAD_REQUEST, errors.TOO_DEEP, errors.OTHER_HTTP_ERROR, errors.INVALID)


@cache
def _domain_codes() -> dict[str, dict[int, list[str]]]:
    """{domain: {status: [codes]}} from every errors.py ("general" for exchange/errors.py)."""
    table: dict[str, dict[int, list[str]]] = defaultdict(lambda: defaultdict(list))
    for item in all_codes():
        for status in (item.error.status, *item.error.also):
            table[item.domain][status].append(item.error.code)
    return {domain: dict(by_status) for domain, by_status in table.items()}


@cache
def _domains() -> frozenset[str]:
    return frozenset(_domain_codes())


def _codes(operation: Operation, status: int) -> list[str]:
    table = _domain_codes()
    codes = list(table.get("general", {}).get(status, []))
    related = {operation.domain, *_RELATED.get(operation.domain, ())}
    if operation.auth == "required":
        related.add("accounts")  # the guards' refusals (not verified, wrong kind of organisation, admins only)
    for domain in sorted(related & _domains()):
        codes.extend(table[domain].get(status, []))
    return sorted(set(codes))


_RELATED: dict[str, tuple[str, ...]] = {
    # A capability whose handlers call another's services answers that one's codes too.
    "auctions": ("lots", "orders", "ledger", "idempotency"),
    "lots": ("specs", "uploads", "auctions"),
    "rfq": ("lots", "orders", "specs", "uploads", "idempotency"),
    "orders": ("payments", "ledger", "fees", "idempotency"),
    "disputes": ("orders", "uploads", "ledger"),
    "matching": ("lots", "orders", "specs", "rfq", "idempotency"),
    "alerts": ("lots", "specs"),
    "fees": ("orders",),
    "ledger": (),
    "accounts": (),
}


def error_statuses(operation: Operation, has_body: bool, has_parameters: bool) -> list[int]:
    """The error statuses an operation may answer.

    Every call may be malformed (400) or meet an outage (503); an /api call with a bad token is a 401;
    a guarded call may be refused (403); a call naming an object may find none (404); a call with input
    may fail validation (422) or be too large (413); a write may conflict (409); sign-in calls are rate
    limited (429). The schemathesis run (tests/integration/test_api_fuzz.py) fails when an answer's status
    is not listed: a route that answers more (a read that can conflict) needs a rule here.
    """
    statuses = {400, 503}
    if operation.path.startswith(("/api", "/events")):
        statuses.add(401)
    if operation.auth == "required":
        statuses.add(403)
    if "{" in operation.path:
        statuses.add(404)
    if has_body or has_parameters or operation.method in _WRITE_METHODS:
        statuses.add(422)
    if has_body:
        statuses |= {413, 415}
    if operation.method in _WRITE_METHODS:
        statuses.add(409)
    if operation.rate_limited:
        statuses.add(429)
    return sorted(statuses)


def error_responses(operation: Operation, has_body: bool, has_parameters: bool) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for status in error_statuses(operation, has_body, has_parameters):
        codes = _codes(operation, status)
        description = _TITLES.get(status, "Error")
        if codes:
            description += ". Codes: " + ", ".join(f"`{code}`" for code in codes)
        answer: dict[str, Any] = {
            "description": description,
            "content": {errors.PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        if codes:
            answer["x-error-codes"] = codes  # the same list, for tools
        if status in (429, 503):
            answer["headers"] = {"Retry-After": _RETRY_AFTER}
        if status == 401:
            answer["headers"] = {
                "WWW-Authenticate": {"description": '`Bearer realm="exchange"`', "schema": {"type": "string"}}
            }
        answers[str(status)] = answer
    return answers
