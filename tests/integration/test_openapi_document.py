"""The OpenAPI document is one a generated client can trust: valid, generated with no warning, every error
answer the one problem+json schema, bearer security where a token is needed, verb-like operation ids."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from openapi_spec_validator import validate

from exchange.openapi.operation_ids import OPERATION_IDS
from tests.support.generated_client import generate_client

METHODS = ("get", "put", "post", "delete", "patch")
PROBLEM = {"$ref": "#/components/schemas/Problem"}


@pytest.fixture(scope="module")
async def document(client: AsyncTestClient[Litestar]) -> dict[str, Any]:
    answer = await client.get("/schema/openapi.json")
    assert answer.status_code == 200
    return dict(answer.json())


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, item[method]) for path, item in document["paths"].items() for method in METHODS if method in item
    ]


def test_the_document_is_valid_openapi(document: dict[str, Any]) -> None:
    validate(document)


def test_a_client_generates_from_it_with_no_warning(document: dict[str, Any], tmp_path: Path) -> None:
    printed = generate_client(document, tmp_path)
    assert not re.search(r"warning|unable|could not|cannot|error", printed, re.IGNORECASE), printed
    generated = tmp_path / "surplus_exchange_client"
    for module in ("api/wanted_requests/create_wanted.py", "api/orders/list_orders.py", "models/problem.py"):
        assert (generated / module).exists(), module
    # One enum class per closed set: a nullable enum is not made three identical classes.
    assert not sorted(path.name for path in generated.glob("models/*_type_[123]*.py") if "Enum" in path.read_text())


def test_every_operation_answers_errors_as_the_one_problem_schema(document: dict[str, Any]) -> None:
    for method, path, operation in _operations(document):
        responses = operation["responses"]
        assert "400" in responses, (method, path)
        assert "503" in responses, (method, path)
        for status, answer in responses.items():
            if int(status) >= 400:
                assert answer["content"] == {"application/problem+json": {"schema": PROBLEM}}, (method, path, status)
            if status in ("429", "503"):
                assert "Retry-After" in answer["headers"], (method, path, status)
    problem = document["components"]["schemas"]["Problem"]
    assert {"type", "title", "status", "detail", "code", "field", "errors"} <= set(problem["properties"])
    assert "extra" not in str(document["components"]["schemas"])


def test_error_answers_name_the_codes_they_may_carry(document: dict[str, Any]) -> None:
    bid = document["paths"]["/api/lots/{lot_id}/bids"]["post"]["responses"]
    assert "`bidding_closed`" in bid["409"]["description"]
    assert "`org_not_verified`" in bid["403"]["description"]
    assert "org_not_verified" in bid["403"]["x-error-codes"]
    token = document["paths"]["/api/auth/token"]["post"]["responses"]
    assert "`rate_limited`" in token["429"]["description"]


def test_calls_that_need_a_token_say_so_and_the_others_do_not(document: dict[str, Any]) -> None:
    assert document["components"]["securitySchemes"]["BearerToken"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "A token from POST /api/auth/token",
    }
    paths = document["paths"]
    assert paths["/api/lots/{lot_id}/bids"]["post"]["security"] == [{"BearerToken": []}]
    assert paths["/api/orders"]["get"]["security"] == [{"BearerToken": []}]
    assert paths["/events/me"]["get"]["security"] == [{"BearerToken": []}]
    assert paths["/api/auth/token"]["post"]["security"] == []
    assert paths["/api/auth/register"]["post"]["security"] == []
    assert paths["/api/categories"]["get"]["security"] == []
    assert paths["/api/lots"]["get"]["security"] == [{}, {"BearerToken": []}]  # a token shows invited lots too
    assert paths["/events/lots/{lot_id}"]["get"]["security"] == [{}, {"BearerToken": []}]
    for method, path, operation in _operations(document):
        assert "security" in operation, (method, path)
        if operation["security"] == [{"BearerToken": []}]:
            assert {"401", "403"} <= set(operation["responses"]), (method, path)


def test_operation_ids_are_verbs_and_names_are_unique(document: dict[str, Any]) -> None:
    ids = Counter(operation["operationId"] for _, _, operation in _operations(document))
    assert not [name for name, count in ids.items() if count > 1]
    for method, path, operation in _operations(document):
        assert OPERATION_IDS.get((method, path)) == operation["operationId"], f"name {method} {path}"
    for wanted in ("placeBid", "purchaseLot", "listOrders", "acceptOffer", "searchLots", "followMyEvents"):
        assert wanted in ids
    titles = Counter(schema.get("title") for schema in document["components"]["schemas"].values())
    assert not [title for title, count in titles.items() if count > 1]


def test_closed_sets_are_enums_and_numbers_are_numbers(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    assert schemas["Grade"]["enum"] == ["A", "B", "C"]
    assert schemas["Lot"]["properties"]["status"] == {"$ref": "#/components/schemas/LotStatus"}
    assert schemas["Lot"]["properties"]["source"] == {"$ref": "#/components/schemas/LotSource"}
    assert schemas["Sale"]["properties"]["mode"] == {"$ref": "#/components/schemas/SaleMode"}
    assert schemas["Order"]["properties"]["status"] == {"$ref": "#/components/schemas/OrderStatus"}
    search = {p["name"]: p for p in document["paths"]["/api/lots"]["get"]["parameters"]}
    assert search["limit"]["schema"]["type"] == "integer"
    assert search["offset"]["schema"]["type"] == "integer"
    assert search["grade"]["schema"]["items"] == {"$ref": "#/components/schemas/Grade"}
    assert {"spec.width", "spec.width.gte", "spec.width.lte"} <= set(search)
    decline = document["paths"]["/api/rfqs/{thread_id}/decline"]["post"]["requestBody"]
    assert decline["required"] is False


def test_live_event_streams_are_documented(document: dict[str, Any]) -> None:
    for path in ("/events/me", "/events/lots/{lot_id}"):
        operation = document["paths"][path]["get"]
        assert "text/event-stream" in operation["responses"]["200"]["content"]
        assert "Last-Event-ID" in [p["name"] for p in operation["parameters"]]
        assert "Last-Event-ID" in operation["description"]


async def test_the_browsable_reference_shows_the_refined_document(client: AsyncTestClient[Litestar]) -> None:
    page = await client.get("/schema")
    assert page.status_code == 200
    assert 'data-url="/schema/openapi.json"' in page.text  # the page reads the refined document
