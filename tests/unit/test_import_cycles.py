"""No two modules of the exchange import each other, directly or through others (imports inside functions
and under TYPE_CHECKING count too: they are dependencies all the same)."""

from __future__ import annotations

from pathlib import Path

import grimp
import pytest

KNOWN_CYCLES: set[frozenset[str]] = set()


def _cycles(package: str) -> list[frozenset[str]]:
    """The strongly connected groups of more than one module (Tarjan), each a set of modules that import
    one another around a loop."""
    graph = grimp.build_graph(package, cache_dir=None)
    imports = {module: graph.find_modules_directly_imported_by(module) for module in graph.modules}
    order: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[frozenset[str]] = []

    def visit(module: str) -> None:
        order[module] = low[module] = len(order)
        stack.append(module)
        for imported in imports[module]:
            if imported not in order:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in stack:
                low[module] = min(low[module], order[imported])
        if low[module] == order[module]:
            group = set()
            while True:
                member = stack.pop()
                group.add(member)
                if member == module:
                    break
            if len(group) > 1:
                cycles.append(frozenset(group))

    for module in sorted(imports):
        if module not in order:
            visit(module)
    return cycles


@pytest.fixture(scope="module")
def exchange_cycles() -> list[frozenset[str]]:
    return _cycles("exchange")


def test_the_bid_engine_has_no_import_cycle(exchange_cycles: list[frozenset[str]]) -> None:
    assert [sorted(c) for c in exchange_cycles if any(m.startswith("exchange.auctions") for m in c)] == []


def test_the_exchange_has_no_import_cycle_beyond_the_known_ones(exchange_cycles: list[frozenset[str]]) -> None:
    assert [sorted(c) for c in exchange_cycles if c not in KNOWN_CYCLES] == []


def test_the_check_finds_a_cycle_through_a_type_checking_import(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "cyclic"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from cyclic.b import B\n")
    (package / "b.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from cyclic.c import C\n")
    (package / "c.py").write_text("def f():\n    from cyclic import a\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert _cycles("cyclic") == [frozenset({"cyclic.a", "cyclic.b", "cyclic.c"})]
