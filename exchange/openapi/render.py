"""Serve the refined document at /schema/openapi.json (and to the Scalar page at /schema)."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin, ScalarRenderPlugin

from exchange.openapi.refine import refine

__all__ = ["openapi_config", "refined_document"]

DESCRIPTION = (
    "Whole-lot surplus: catalogue, sealed bids, fixed price, RFQ, orders. Authenticate with "
    "`Authorization: Bearer <token>` (POST /api/auth/token). Every refusal is RFC 9457 "
    "`application/problem+json` (the `Problem` schema) with a stable `code`; see the README's Integrating section."
)


def refined_document(request: Request[Any, Any, Any], raw: dict[str, Any]) -> dict[str, Any]:
    """The refined document, built once per app (the raw one is Litestar's, itself cached)."""
    state = request.app.state
    document = state.get("openapi_document")
    if document is None:
        document = refine(raw, request.app)
        state["openapi_document"] = document
    return document


class _RefinedJson(JsonRenderPlugin):
    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        return super().render(request, refined_document(request, openapi_schema))


class _RefinedScalar(ScalarRenderPlugin):
    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        return super().render(request, refined_document(request, openapi_schema))


def openapi_config() -> OpenAPIConfig:
    return OpenAPIConfig(
        title="Surplus Exchange API",
        version="1.0.0",
        path="/schema",
        render_plugins=[_RefinedScalar(), _RefinedJson()],
        description=DESCRIPTION,
    )
