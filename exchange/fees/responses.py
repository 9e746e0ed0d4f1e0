"""A document (confirmation or statement) as the answer the caller asked for: JSON, printable HTML or PDF."""

from __future__ import annotations

from typing import Any, Literal

from litestar import Request, Response

from exchange.fees.pdf import html_to_pdf

__all__ = ["DocumentFormat", "document_format", "render_document"]

DocumentFormat = Literal["json", "html", "pdf"]


def document_format(request: Request[Any, Any, Any], requested: str | None, default: DocumentFormat) -> DocumentFormat:
    """`?format=` wins; else `Accept: application/pdf` (or text/html) picks it; else `default`."""
    if requested in ("json", "html", "pdf"):
        return requested  # type: ignore[return-value]
    accept = request.headers.get("accept", "")
    if "application/pdf" in accept:
        return "pdf"
    if "text/html" in accept and "application/json" not in accept:
        return "html"
    return default


async def render_document(
    request: Request[Any, Any, Any], template: str, context: dict[str, Any], fmt: DocumentFormat, filename: str
) -> Response[Any]:
    """The document's HTML page, or its PDF (inline, named `filename`)."""
    engine: Any = request.app.template_engine
    html = engine.get_template(template).render(**context, pdf=fmt == "pdf")
    if fmt == "pdf":
        return Response(
            content=await html_to_pdf(html),
            media_type="application/pdf",
            headers={"Content-Disposition": f'inline; filename="{filename}"', "Cache-Control": "private, no-store"},
        )
    return Response(content=html, media_type="text/html; charset=utf-8", headers={"Cache-Control": "private"})
