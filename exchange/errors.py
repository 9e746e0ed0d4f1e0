"""Domain errors with stable codes, and the one place that turns errors into answers.

API paths get RFC 9457 `application/problem+json`; pages get an HTML error page (or a fragment
for HTMX), and a 401 on a page becomes a redirect to the sign-in page.
"""

from __future__ import annotations

import logging
from typing import Any, ClassVar
from urllib.parse import quote

import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

__all__ = [
    "Conflict",
    "DomainError",
    "Forbidden",
    "NotFound",
    "ServiceUnavailable",
    "Unauthorized",
    "Unprocessable",
    "exception_handlers",
    "from_msgspec_error",
    "redis_unavailable",
]

log = logging.getLogger("exchange.errors")

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "urn:surplus-exchange:problem:"
_API_PREFIXES = ("/api", "/health", "/schema")


class DomainError(Exception):
    """A refusal the user can understand: a stable code, a human title and detail, an HTTP status."""

    status_code: ClassVar[int] = 400
    code: ClassVar[str] = "bad_request"
    title: ClassVar[str] = "Bad request"

    def __init__(
        self,
        detail: str,
        *,
        field: str | None = None,
        code: str | None = None,
        title: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field
        self.headers = headers or {}
        if code is not None:
            self.code = code  # type: ignore[misc]
        if title is not None:
            self.title = title  # type: ignore[misc]

    def problem(self, instance: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": PROBLEM_TYPE_BASE + self.code,
            "title": self.title,
            "status": self.status_code,
            "detail": self.detail,
            "code": self.code,
        }
        if self.field:
            body["field"] = self.field
            body["errors"] = [{"field": self.field, "message": self.detail}]
        if instance:
            body["instance"] = instance
        return body


class Unauthorized(DomainError):
    status_code = 401
    code = "not_signed_in"
    title = "Not signed in"


class Forbidden(DomainError):
    status_code = 403
    code = "forbidden"
    title = "Not allowed"


class NotFound(DomainError):
    status_code = 404
    code = "not_found"
    title = "Not found"


class Conflict(DomainError):
    status_code = 409
    code = "conflict"
    title = "Conflict"


class Unprocessable(DomainError):
    status_code = 422
    code = "invalid"
    title = "Invalid input"


class ServiceUnavailable(DomainError):
    status_code = 503
    code = "unavailable"
    title = "Temporarily unavailable"

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
    return request.url.path.startswith(_API_PREFIXES)


def _problem_response(body: dict[str, Any], status: int, headers: dict[str, str] | None = None) -> Response[Any]:
    return Response(content=body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def _page_response(
    request: Request[Any, Any, Any], status: int, title: str, detail: str, headers: dict[str, str] | None = None
) -> Response[Any]:
    if status == 401:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return Redirect(f"/login?next={quote(target)}")
    template = "errors/_fragment.html" if request.headers.get("hx-request") else "errors/error.html"
    context = {"status": status, "title": title, "detail": detail}
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
        "type": PROBLEM_TYPE_BASE + "invalid",
        "title": "Invalid input",
        "status": 400,
        "detail": detail,
        "code": "invalid",
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
            "type": PROBLEM_TYPE_BASE + _CODES.get(status, "error"),
            "title": title,
            "status": status,
            "detail": detail,
            "code": _CODES.get(status, "error"),
        }
    if _is_api(request):
        return _problem_response(body, status, exc.headers)
    return _page_response(request, status, body["title"], body["detail"], exc.headers)


def _handle_recursion(request: Request[Any, Any, Any], exc: RecursionError) -> Response[Any]:
    """msgspec refuses to decode nesting deeper than the interpreter's recursion limit: bad input, not our fault."""
    if "deserializing" not in str(exc):
        return _handle_unexpected(request, exc)
    return _handle_domain_error(request, DomainError("The request body is nested too deeply.", code="too_deep"))


def _handle_unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    title, detail = "Internal error", "Something went wrong on our side. It has been logged; please try again."
    if _is_api(request):
        body = {"type": PROBLEM_TYPE_BASE + "internal", "title": title, "status": 500, "detail": detail}
        return _problem_response(body, HTTP_500_INTERNAL_SERVER_ERROR)
    return _page_response(request, 500, title, detail)


# --- Redis outages ------------------------------------------------------------------------------
# Sessions, the sign-in rate limit and live events live in Redis. While it does not answer (the
# embedded server is restarted by `exchange serve` within seconds), a call that needs it is a 503 with
# Retry-After, like a bid; redis-py reconnects by itself once the server is back.
REDIS_RETRY_AFTER_SECONDS = 3


def redis_unavailable() -> ServiceUnavailable:
    return ServiceUnavailable(
        "This part of the exchange is briefly unavailable. Nothing was changed; please try again in a few seconds.",
        code="redis_unavailable",
        retry_after=REDIS_RETRY_AFTER_SECONDS,
    )


def _handle_redis_unavailable(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    log.warning("Redis unavailable on %s %s (%s)", request.method, request.url.path, type(exc).__name__)
    return _handle_domain_error(request, redis_unavailable())


# --- end of Redis outages ------------------------------------------------------------------------

_TITLES = {
    400: "Bad request",
    401: "Not signed in",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Request too large",
    415: "Unsupported media type",
    422: "Invalid input",
    429: "Too many requests",
    503: "Temporarily unavailable",
}
_CODES = {
    400: "bad_request",
    401: "not_signed_in",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid",
    429: "rate_limited",
    503: "unavailable",
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
    HTTP_500_INTERNAL_SERVER_ERROR: _handle_unexpected,
    Exception: _handle_unexpected,
}
