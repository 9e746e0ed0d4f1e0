from __future__ import annotations

from litestar import Litestar
from litestar.testing import AsyncTestClient


async def test_openapi_describes_every_rfq_and_wanted_route(client: AsyncTestClient[Litestar]) -> None:
    response = await client.get("/schema/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path, method in [
        ("/api/lots/{lot_id}/rfqs", "post"),
        ("/api/rfqs", "get"),
        ("/api/rfqs/{thread_id}", "get"),
        ("/api/rfqs/{thread_id}/offers", "post"),
        ("/api/rfqs/{thread_id}/accept", "post"),
        ("/api/rfqs/{thread_id}/decline", "post"),
        ("/api/rfqs/{thread_id}/withdraw", "post"),
        ("/api/rfqs/{thread_id}/messages", "post"),
        ("/api/rfqs/{thread_id}/messages/upload", "post"),
        ("/api/rfqs/{thread_id}/samples", "post"),
        ("/api/wanted", "post"),
        ("/api/wanted/{request_id}/answers", "post"),
        ("/api/wanted/{request_id}/comparison", "get"),
    ]:
        assert method in paths[path], path
    accept = paths["/api/rfqs/{thread_id}/accept"]["post"]
    assert "Idempotency-Key" in [p["name"] for p in accept.get("parameters", [])]
