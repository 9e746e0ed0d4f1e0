"""Every error code is a constant defined once, used by name, and listed in docs/error-codes.md."""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

from exchange import error_codes
from exchange.errors import Conflict, DomainError, Forbidden, NotFound, ServiceUnavailable, Unauthorized, Unprocessable

ROOT = Path(__file__).resolve().parents[2]
_STATUS = {
    cls.__name__: cls.status_code
    for cls in (DomainError, Conflict, Forbidden, NotFound, ServiceUnavailable, Unauthorized, Unprocessable)
}
_STATUS["IllegalMove"] = Conflict.status_code  # the negotiation rules' refusals answer as a Conflict


def _sources() -> list[Path]:
    return sorted([*(ROOT / "exchange").rglob("*.py"), *(ROOT / "web").rglob("*.py")])


def _raised_codes() -> list[tuple[str, str, str]]:
    """(where, error kind, code expression) for each `Kind(..., code=X)` and `IllegalMove(X, ...)`."""
    found = []
    for path in _sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            kind = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            for keyword in node.keywords:
                if keyword.arg == "code":
                    found.append((where, kind, ast.unparse(keyword.value)))
            if kind == "IllegalMove" and node.args:
                found.append((where, kind, ast.unparse(node.args[0])))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            # `error.code == "no_bid"`: a code compared by its text rather than by its constant
            if isinstance(node, ast.Compare) and isinstance(node.left, ast.Attribute) and node.left.attr == "code":
                for right in node.comparators:
                    if isinstance(right, ast.Constant) and isinstance(right.value, str):
                        found.append((f"{path.relative_to(ROOT)}:{node.lineno}", "DomainError", repr(right.value)))
    return found


def test_the_error_code_table_is_up_to_date() -> None:
    assert error_codes.main(["--check"]) == 0, "docs/error-codes.md is stale: run scripts/error-codes"


def test_each_code_is_defined_once_with_a_meaning() -> None:
    codes = error_codes.all_codes()
    twice = [code for code, n in Counter(item.error.code for item in codes).items() if n > 1]
    assert twice == []
    assert len({item.name for item in codes}) == len(codes), "constant names are unique across domains"
    assert all(item.error.meaning.strip() for item in codes)


def test_no_error_code_is_written_inline_and_each_is_answered_with_its_documented_status() -> None:
    documented = {item.name: item.error for item in error_codes.all_codes()}
    inline, undocumented, wrong_status = [], [], []
    for where, kind, expression in _raised_codes():
        if kind not in _STATUS:
            continue  # a `code=` of something that is not an error (a category's code)
        name = expression.rsplit(".", 1)[-1]
        if expression.startswith(("'", '"')):
            inline.append(f"{where} {kind}(code={expression})")
        elif name not in documented:
            if name not in ("error", "code"):  # passing an ErrorCode through (`code=move.error`)
                undocumented.append(f"{where} {expression}")
        elif _STATUS[kind] not in (documented[name].status, *documented[name].also):
            wrong_status.append(f"{where} {kind} answers {_STATUS[kind]}, {name} documents {documented[name].status}")
    assert inline == []
    assert undocumented == []
    assert wrong_status == []
