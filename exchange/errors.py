"""Domain errors with stable codes, and the one place that turns errors into answers.

API paths get RFC 9457 `application/problem+json`; pages get an HTML error page (or a fragment
for HTMX), and a 401 on a page becomes a redirect to the sign-in page.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, ClassVar, TypeVar
from urllib.parse import quote

import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as SQLAlchemyTimeoutError

from exchange.i18n.catalog import N_
from exchange.i18n.locales import set_for_request
from exchange.i18n.messages import Msg, MsgText

__all__ = [
    "Conflict",
    "DomainError",
    "ErrorCode",
    "Forbidden",
    "NotFound",
    "Problems",
    "ServiceUnavailable",
    "Unauthorized",
    "Unprocessable",
    "exception_handlers",
    "from_msgspec_error",
    "redis_unavailable",
]

log = logging.getLogger("exchange.errors")
T = TypeVar("T")

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "urn:surplus-exchange:problem:"
_API_PREFIXES = ("/api", "/health", "/schema")


@dataclass(frozen=True, slots=True)
class ErrorCode:
    """A stable error code, what API clients match on (`code` of a problem+json answer).

    Each is defined once, as a constant in its domain's `errors.py` (the ones any endpoint may answer are
    below); `python -m exchange.error_codes` writes them all into docs/error-codes.md.
    """

    code: str
    status: int
    """The HTTP status it is answered with."""
    meaning: str
    """What it tells the client, for the table."""
    also: tuple[int, ...] = ()
    """Other statuses a few call sites answer with (same meaning, another kind of refusal)."""

    def __str__(self) -> str:
        return self.code


# Codes any endpoint may answer: the defaults of the error kinds below, and the framework's own refusals.
BAD_REQUEST = ErrorCode("bad_request", 400, "The request could not be understood.")
NOT_SIGNED_IN = ErrorCode("not_signed_in", 401, "Sign in first (a page redirects to the sign-in page).")
FORBIDDEN = ErrorCode("forbidden", 403, "Your account is not allowed to do this.")
NOT_FOUND = ErrorCode("not_found", 404, "There is nothing here, or it is not visible to you.")
METHOD_NOT_ALLOWED = ErrorCode("method_not_allowed", 405, "This path does not take that HTTP method.")
CONFLICT = ErrorCode("conflict", 409, "The request conflicts with the current state of the resource.")
TOO_LARGE = ErrorCode("too_large", 413, "The request body is larger than this endpoint accepts.")
UNSUPPORTED_MEDIA_TYPE = ErrorCode("unsupported_media_type", 415, "The body's content type is not accepted here.")
INVALID = ErrorCode("invalid", 422, "A field is missing or malformed; `field` names it.", also=(400,))
RATE_LIMITED = ErrorCode("rate_limited", 429, "Too many attempts; wait (see Retry-After) and try again.")
UNAVAILABLE = ErrorCode("unavailable", 503, "Briefly unavailable; nothing was changed, retry after Retry-After.")
TOO_DEEP = ErrorCode("too_deep", 400, "The JSON body is nested too deeply.")
DATABASE_UNAVAILABLE = ErrorCode(
    "database_unavailable", 503, "The database is briefly unreachable (or busy); nothing was changed."
)
REDIS_UNAVAILABLE = ErrorCode(
    "redis_unavailable", 503, "Sessions, sign-in or live events are briefly unavailable (Redis); nothing was changed."
)
BAD_TEXT = ErrorCode("bad_text", 422, "A text field holds characters that are not allowed (control characters).")
BLANK = ErrorCode(
    "blank", 422, "A required text field is empty or draws nothing (only spaces or invisible characters)."
)
OTHER_HTTP_ERROR = ErrorCode("error", 400, "Another refusal of the web framework; `status` and `detail` say which.")
INTERNAL = ErrorCode("internal", 500, "Something went wrong on our side; it is logged. (The body has no `code`.)")


class DomainError(Exception):
    """A refusal the user can understand: a stable code, a human title and detail, an HTTP status."""

    status_code: ClassVar[int] = 400
    code: ClassVar[str] = BAD_REQUEST.code
    title: ClassVar[str] = N_("Bad request")

    def __init__(
        self,
        detail: str | Msg,
        *,
        field: str | None = None,
        code: ErrorCode | None = None,
        title: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        text = MsgText(detail) if isinstance(detail, Msg) else detail
        super().__init__(str(text))
        self.detail: str = text
        """English (the API's); a page shows it in its reader's language with `localized` (the `tr` filter)."""
        self.field = field
        self.headers = headers or {}
        self.also: list[DomainError] = []
        """Problems of other fields found with this one (a page shows them all; the API answers the first)."""
        if code is not None:
            self.code = code.code  # type: ignore[misc]
        if title is not None:
            self.title = title  # type: ignore[misc]

    def problem(self, instance: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": PROBLEM_TYPE_BASE + self.code,
            "title": self.title,
            "status": self.status_code,
            "detail": str(self.detail),
            "code": self.code,
        }
        if self.field:
            body["field"] = self.field
            body["errors"] = [{"field": self.field, "message": str(self.detail)}]
        if instance:
            body["instance"] = instance
        return body


class Problems:
    """Checks of several fields run together: the first refusal is raised with the others in its `also`, so the
    API answers the same first problem as before while a page form shows every field's problem at once."""

    def __init__(self) -> None:
        self.found: list[DomainError] = []

    def check(self, outcome: Callable[[], T]) -> T | None:
        try:
            return outcome()
        except Unprocessable as error:
            self.add(error)
            return None

    def add(self, error: Unprocessable) -> None:
        self.found += [error, *error.also]
        error.also = []

    def raise_first(self) -> None:
        if self.found:
            first, *rest = self.found
            first.also = [*first.also, *rest]
            raise first


class Unauthorized(DomainError):
    status_code = 401
    code = NOT_SIGNED_IN.code
    title = N_("Not signed in")


class Forbidden(DomainError):
    status_code = 403
    code = FORBIDDEN.code
    title = N_("Not allowed")


class NotFound(DomainError):
    status_code = 404
    code = NOT_FOUND.code
    title = N_("Not found")


class Conflict(DomainError):
    status_code = 409
    code = CONFLICT.code
    title = N_("Conflict")


class Unprocessable(DomainError):
    status_code = 422
    code = INVALID.code
    title = N_("Invalid input")


class ServiceUnavailable(DomainError):
    status_code = 503
    code = UNAVAILABLE.code
    title = N_("Temporarily unavailable")

    def __init__(self, detail: str, *, retry_after: int = 2, **kwargs: Any) -> None:
        super().__init__(detail, **kwargs)
        self.headers.setdefault("Retry-After", str(retry_after))


def from_msgspec_error(exc: msgspec.ValidationError) -> Unprocessable:
    """A msgspec validation error as an Unprocessable naming the field (`$.org.kind` -> `org.kind`)."""
    message = str(exc)
    field = None
    if " - at `$." in message:
        message, _, path = message.rpartition(" - at `$.")
        field = path.rstrip("`")
    elif " - at `$[" in message:
        message, _, _path = message.rpartition(" - at `")
    return Unprocessable(f"{field}: {message}" if field else message, field=field)


def _is_api(request: Request[Any, Any, Any]) -> bool:
    path = request.url.path
    # A live event stream called with a bearer token is an API client's: problem+json, not a page's redirect.
    return path.startswith(_API_PREFIXES) or (path.startswith("/events") and "authorization" in request.headers)


def _problem_response(body: dict[str, Any], status: int, headers: dict[str, str] | None = None) -> Response[Any]:
    return Response(content=body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def _page_response(
    request: Request[Any, Any, Any],
    status: int,
    title: str,
    detail: str | None,
    headers: dict[str, str] | None = None,
) -> Response[Any]:
    """The error page for people (errors/error.html says each status in plain words, with ways back); `detail` is
    what went wrong in particular, None when there is nothing to add to the status's own words."""
    if status == 401:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return Redirect(f"/login?next={quote(target)}")
    # A path no route answers never passed the language middleware: the page still speaks the reader's language.
    set_for_request(request.url.path, request.scope.get("headers", ()))
    template = "errors/_fragment.html" if request.headers.get("hx-request") else "errors/error.html"
    context = {"status": status, "title": title, "detail": detail, "next": quote(request.url.path)}
    return Template(template, context=context, status_code=status, headers=headers)  # Retry-After: 429, 503


def _validation_body(exc: ValidationException) -> dict[str, Any]:
    errors: list[dict[str, Any]] = []
    if isinstance(exc.extra, list):
        for item in exc.extra:
            if isinstance(item, dict):
                field = str(item.get("key") or item.get("source") or "body")
                errors.append({"field": field, "message": str(item.get("message", "invalid value"))})
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors) if errors else str(exc.detail)
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + INVALID.code,
        "title": "Invalid input",
        "status": 400,
        "detail": detail,
        "code": INVALID.code,
        "errors": errors,
    }
    if errors:
        body["field"] = errors[0]["field"]
    return body


def _handle_domain_error(request: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    if _is_api(request):
        return _problem_response(exc.problem(request.url.path), exc.status_code, exc.headers)
    return _page_response(request, exc.status_code, exc.title, exc.detail, exc.headers)


def _handle_http_exception(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    status = exc.status_code
    if isinstance(exc, ValidationException):
        body = _validation_body(exc)
    else:
        title = _TITLES.get(status, "Error")
        detail = str(exc.detail) if exc.detail and exc.detail != title else _DETAILS.get(status, title)
        body = {
            "type": PROBLEM_TYPE_BASE + _CODES.get(status, OTHER_HTTP_ERROR.code),
            "title": title,
            "status": status,
            "detail": detail,
            "code": _CODES.get(status, OTHER_HTTP_ERROR.code),
        }
    if _is_api(request):
        return _problem_response(body, status, exc.headers)
    return _page_response(request, status, body["title"], _own_detail(exc, body["title"]), exc.headers)


def _own_detail(exc: HTTPException, title: str) -> str | None:
    """What the framework said in particular, for a page: None when it only repeats the status (its reason
    phrase or title), or when it speaks to developers (a query parameter's validation)."""
    if isinstance(exc, ValidationException) or not exc.detail:
        return None
    phrase = HTTPStatus(exc.status_code).phrase if exc.status_code in HTTPStatus._value2member_map_ else ""
    return None if str(exc.detail).lower() in {title.lower(), phrase.lower()} else str(exc.detail)


def _handle_recursion(request: Request[Any, Any, Any], exc: RecursionError) -> Response[Any]:
    """msgspec refuses to decode nesting deeper than the interpreter's recursion limit: bad input, not our fault."""
    if "deserializing" not in str(exc):
        return _handle_unexpected(request, exc)
    return _handle_domain_error(request, DomainError("The request body is nested too deeply.", code=TOO_DEEP))


def _handle_unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    title, detail = N_("Internal error"), N_("Something went wrong on our side. It has been logged; please try again.")
    if _is_api(request):
        body = {"type": PROBLEM_TYPE_BASE + INTERNAL.code, "title": title, "status": 500, "detail": detail}
        return _problem_response(body, HTTP_500_INTERNAL_SERVER_ERROR)
    return _page_response(request, 500, title, None)


# --- Redis outages ------------------------------------------------------------------------------
# Sessions, the sign-in rate limit and live events live in Redis. While it does not answer (the
# embedded server is restarted by `exchange serve` within seconds), a call that needs it is a 503 with
# Retry-After, like a bid; redis-py reconnects by itself once the server is back.
REDIS_RETRY_AFTER_SECONDS = 3


def redis_unavailable() -> ServiceUnavailable:
    return ServiceUnavailable(
        "This part of the exchange is briefly unavailable. Nothing was changed; please try again in a few seconds.",
        code=REDIS_UNAVAILABLE,
        retry_after=REDIS_RETRY_AFTER_SECONDS,
    )


def _handle_redis_unavailable(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    log.warning("Redis unavailable on %s %s (%s)", request.method, request.url.path, type(exc).__name__)
    return _handle_domain_error(request, redis_unavailable())


# --- end of Redis outages ------------------------------------------------------------------------

# --- Database outages ---------------------------------------------------------------------------
# A database that refuses connections (PostgreSQL's connection limit, a restart, a pool timeout) or is
# locked (SQLite) is a 503 with Retry-After: the transaction was rolled back, so nothing changed. Any
# other database error (a broken constraint, a bad statement) is still our fault: a logged 500.
DATABASE_RETRY_AFTER_SECONDS = 2


# SQLSTATE classes worth a retry: connection exceptions, insufficient resources (too many clients),
# operator intervention (shutting down, cannot connect now), deadlock and serialization failures.
TRANSIENT_SQLSTATES = ("08", "53", "57P", "40001", "40P01")


def is_database_outage(exc: DBAPIError) -> bool:
    """True when trying again later may work: the database is unreachable, full, restarting or locked."""
    if exc.connection_invalidated or isinstance(exc, OperationalError | InterfaceError):
        return True
    state = getattr(exc.orig, "sqlstate", None)
    return isinstance(state, str) and state.startswith(TRANSIENT_SQLSTATES)


def _handle_database_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    if isinstance(exc, DBAPIError) and not is_database_outage(exc):
        return _handle_unexpected(request, exc)
    log.warning("database unavailable on %s %s (%s)", request.method, request.url.path, type(exc).__name__)
    refusal = ServiceUnavailable(
        "The exchange's database is briefly unavailable. Nothing was changed; please try again.",
        code=DATABASE_UNAVAILABLE,
        retry_after=DATABASE_RETRY_AFTER_SECONDS,
    )
    return _handle_domain_error(request, refusal)


_TITLES = {
    400: N_("Bad request"),
    401: N_("Not signed in"),
    403: N_("Not allowed"),
    404: N_("Not found"),
    405: N_("Method not allowed"),
    409: N_("Conflict"),
    413: N_("Request too large"),
    415: N_("Unsupported media type"),
    422: N_("Invalid input"),
    429: N_("Too many requests"),
    503: N_("Temporarily unavailable"),
}
_CODES = {
    error.status: error.code
    for error in (
        BAD_REQUEST,
        NOT_SIGNED_IN,
        FORBIDDEN,
        NOT_FOUND,
        METHOD_NOT_ALLOWED,
        CONFLICT,
        TOO_LARGE,
        UNSUPPORTED_MEDIA_TYPE,
        INVALID,
        RATE_LIMITED,
        UNAVAILABLE,
    )
}
_DETAILS = {
    401: "Sign in first: send `Authorization: Bearer <token>` (get one from POST /api/auth/token).",
    403: "Your account is not allowed to do this.",
    404: "There is nothing here, or it is not visible to you.",
    413: "The request body is larger than this endpoint accepts.",
    429: "Too many attempts. Wait a minute and try again.",
}

exception_handlers: dict[type[Exception] | int, Any] = {
    DomainError: _handle_domain_error,
    HTTPException: _handle_http_exception,
    RecursionError: _handle_recursion,
    RedisConnectionError: _handle_redis_unavailable,  # and its kinds: refused, NOAUTH while restarting
    RedisTimeoutError: _handle_redis_unavailable,
    DBAPIError: _handle_database_error,  # only outages: other database errors stay a logged 500
    SQLAlchemyTimeoutError: _handle_database_error,  # no pooled connection came free in time
    HTTP_500_INTERNAL_SERVER_ERROR: _handle_unexpected,
    Exception: _handle_unexpected,
}
