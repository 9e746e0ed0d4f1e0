"""Reading HTML forms: a flat dict of strings, whatever the client sent."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.datastructures import UploadFile

from exchange.errors import DomainError
from exchange.i18n.messages import Msg
from exchange.uploads import UploadRule, check_upload
from web.form_errors import plain_words

__all__ = ["form_and_file", "form_fields", "safe_next", "upload_problem"]

Upload = tuple[bytes, str | None]


async def form_fields(request: Request[Any, Any, Any]) -> dict[str, str]:
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str)}


async def form_and_file(request: Request[Any, Any, Any], name: str) -> tuple[dict[str, str], Upload | None]:
    """The text fields of a (multipart) form, and the file chosen in field `name` (None when none was)."""
    form = await request.form()
    upload = form.get(name)
    chosen = None
    if isinstance(upload, UploadFile) and upload.filename:
        chosen = (await upload.read(), upload.filename)
    return {key: value for key, value in form.items() if isinstance(value, str)}, chosen


def upload_problem(upload: Upload, rule: UploadRule, field: str) -> dict[str, Msg | str]:
    """{field: why} when the file does not fit the rule, else {}."""
    try:
        check_upload(upload[0], upload[1], rule, field=field)
    except DomainError as error:
        return {field: plain_words(error)}
    return {}


def safe_next(target: str | None, default: str = "/dashboard") -> str:
    """Only same-site paths are followed after sign-in (no open redirects)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return default
