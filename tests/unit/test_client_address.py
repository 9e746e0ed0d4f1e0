from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from exchange.ratelimit import client_address


def _request(peer: str, forwarded: str | None, trusted: set[str]) -> Any:
    settings = SimpleNamespace(server=SimpleNamespace(trusted_proxies=frozenset(trusted)))
    headers = {"x-forwarded-for": forwarded} if forwarded else {}
    return SimpleNamespace(
        client=SimpleNamespace(host=peer),
        headers=headers,
        app=SimpleNamespace(state=SimpleNamespace(settings=settings)),
    )


def test_a_forwarded_header_from_an_untrusted_peer_is_ignored() -> None:
    assert client_address(_request("198.51.100.7", "203.0.113.1", set())) == "198.51.100.7"


def test_behind_a_trusted_proxy_the_client_is_the_right_most_untrusted_hop() -> None:
    request = _request("10.0.0.1", "6.6.6.6, 203.0.113.9, 10.0.0.2", {"10.0.0.1", "10.0.0.2"})
    assert client_address(request) == "203.0.113.9"


def test_a_trusted_proxy_without_the_header_counts_as_the_client() -> None:
    assert client_address(_request("10.0.0.1", None, {"10.0.0.1"})) == "10.0.0.1"
