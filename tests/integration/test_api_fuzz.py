"""Schemathesis against a real `exchange serve` loaded with the demo: no request, from any role, gets a 5xx.

Every operation in the OpenAPI document is called with bodies, queries and path values that Hypothesis
generates from the document (a fixed seed, a bounded number of examples per operation), with the bearer
token of a seller, a buyer, a broker, an admin, or none. Path ids are pointed at objects that exist in
the demo half of the time, so the calls reach the services and not only the 404 of a missing id. A 503
(the engine or the database is away) must carry Retry-After; any other 5xx fails the test. Every answer's
status must be one the operation's document lists (what a generated client can parse), and every refusal
is problem+json. The live event streams (endless) are left to tests/integration/live.

A longer run: `SCHEMATHESIS_EXAMPLES=200 .venv/bin/python -m pytest tests/integration/test_api_fuzz.py`.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from tests.support.servers import free_port, run_exchange, start_server, stop_server

ROLES = ("seller", "buyer", "broker", "admin", "anonymous")
DEMO_SIGN_INS = {
    "seller": "chen.wei@hengli-textiles.example",
    "buyer": "zhang.min@sh-autoparts.example",
    "broker": "zhou.xin@bj-gifts.example",
    "admin": "admin@surplus.example",
}
DEMO_PASSWORD = "surplus-demo-2026"
EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "20"))


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data_dir = tmp_path_factory.mktemp("fuzz-server")
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL"}},
        "DATA_DIR": str(data_dir),
        "PORT": str(free_port()),
        "AUTH_RATE_LIMIT": "100000",
        "PASSWORD_HASHING": "fast",
    }
    run_exchange("migrate", env=env)
    run_exchange("demo", env=env)
    process, base = start_server(env, "--no-migrate", log=data_dir / "serve.log")
    yield base
    stop_server(process)


@pytest.fixture(scope="module")
def tokens(demo_server: str) -> dict[str, dict[str, str]]:
    headers: dict[str, dict[str, str]] = {"anonymous": {}}
    for role, email in DEMO_SIGN_INS.items():
        answer = httpx.post(f"{demo_server}/api/auth/token", json={"email": email, "password": DEMO_PASSWORD})
        assert answer.status_code == 200, answer.text
        headers[role] = {"Authorization": f"Bearer {answer.json()['access_token']}"}
    return headers


@pytest.fixture(scope="module")
def known_ids(demo_server: str, tokens: dict[str, dict[str, str]]) -> dict[str, list[int]]:
    """Ids of objects the demo made, by path parameter name, read through the API."""
    lots = httpx.get(f"{demo_server}/api/lots", params={"limit": 50}, headers=tokens["buyer"]).json()["items"]
    threads = httpx.get(f"{demo_server}/api/rfqs", headers=tokens["buyer"]).json()
    orders = httpx.get(f"{demo_server}/api/orders", headers=tokens["admin"]).json()
    wanted = httpx.get(f"{demo_server}/api/wanted", headers=tokens["buyer"]).json()
    ids = {
        "lot_id": [int(lot["id"]) for lot in lots],
        "thread_id": [int(thread["id"]) for thread in _items(threads)],
        "order_id": [int(order["id"]) for order in _items(orders)],
        "wanted_id": [int(request["id"]) for request in _items(wanted)],
    }
    assert ids["lot_id"], "the demo should have live lots"
    return ids


def _items(answer: object) -> list[dict[str, object]]:
    if isinstance(answer, dict):
        return list(answer.get("items", []))
    return list(answer) if isinstance(answer, list) else []


def test_no_request_from_any_role_gets_a_server_error(
    demo_server: str, tokens: dict[str, dict[str, str]], known_ids: dict[str, list[int]]
) -> None:
    schema = schemathesis.openapi.from_url(f"{demo_server}/schema/openapi.json")
    failures: list[str] = []
    statuses: Counter[int] = Counter()
    operations = [result.ok() for result in schema.get_all_operations()]
    operations = [operation for operation in operations if not operation.path.startswith("/events/")]
    assert len(operations) > 40, "the document should describe every API route"
    for operation in operations:
        failures.extend(_fuzz(operation, demo_server, tokens, known_ids, statuses))
    assert not failures, "\n".join(failures)
    # The calls reached the services, not only the guards: some were served, some refused as bad input.
    assert statuses[200] > 0, statuses
    assert statuses[422] > 0, statuses
    assert statuses[404] > 0, statuses
    assert httpx.get(f"{demo_server}/health", timeout=5).status_code == 200


def _header(response: Any, name: str) -> str:
    """A header's value (schemathesis keeps each header as a list of values)."""
    value = response.headers.get(name)
    return str(value[0] if isinstance(value, list) and value else value or "")


def _valid_or_not(operation: Any) -> st.SearchStrategy[schemathesis.Case]:
    """Calls that follow the document and calls that break it on purpose (wrong types, missing fields)."""
    return operation.as_strategy(GenerationMode.POSITIVE) | operation.as_strategy(GenerationMode.NEGATIVE)


def _fuzz(
    operation: Any,
    base: str,
    tokens: dict[str, dict[str, str]],
    known_ids: dict[str, list[int]],
    statuses: Counter[int],
) -> list[str]:
    """Up to EXAMPLES generated calls of one operation; the answers that are server errors, or whose status
    the document does not list, or refusals that are not problem+json."""
    failures: list[str] = []
    documented = set(operation.definition.raw["responses"])

    @given(case=_valid_or_not(operation), role=st.sampled_from(ROLES), aim=st.integers(min_value=0, max_value=999))
    @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
    def call(case: schemathesis.Case, role: str, aim: int) -> None:
        for name in list(case.path_parameters or {}):
            known = known_ids.get(name) or []
            if known and aim % 2 == 0:
                case.path_parameters[name] = known[aim % len(known)]  # type: ignore[index]
        response = case.call(base_url=base, headers=tokens[role], timeout=30)
        statuses[response.status_code] += 1
        retry_after = response.headers.get("Retry-After")
        said = f"{case.method} {case.formatted_path} {case.query or ''} as {role} -> {response.status_code}"
        if response.status_code >= 500 and not (response.status_code == 503 and retry_after):
            failures.append(f"{said}: {response.text[:300]}")
        elif str(response.status_code) not in documented:
            failures.append(f"{said} is not in its document ({sorted(documented)}): {response.text[:200]}")
        elif response.status_code >= 400 and _header(response, "content-type") != "application/problem+json":
            failures.append(f"{said} is not problem+json: {_header(response, 'content-type')}")

    call()
    return failures
