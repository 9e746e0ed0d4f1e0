"""The OpenAPI document integrators generate clients from: Litestar's document, refined.

Litestar writes the paths, parameters and body schemas from the handlers; `refine` adds what it cannot
know (the one problem+json error schema and the statuses and codes each operation may answer, bearer
security, verb-like operation ids, enums for closed sets, the spec filters as parameters, the live event
streams) so that `openapi-python-client` generates a typed client with no warnings.
"""

from __future__ import annotations

from exchange.openapi.render import openapi_config

__all__ = ["openapi_config"]
