"""Every error code in one table: collected from `exchange.errors` and each domain's `errors.py`.

`python -m exchange.error_codes` (or `scripts/error-codes`) writes docs/error-codes.md; with `--check` it
only says whether that file is up to date (a unit test runs the check).
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from dataclasses import dataclass
from pathlib import Path

import exchange
from exchange.errors import ErrorCode

__all__ = ["DOC_PATH", "Documented", "all_codes", "markdown"]

DOC_PATH = Path(__file__).resolve().parent.parent / "docs" / "error-codes.md"


@dataclass(frozen=True, slots=True)
class Documented:
    domain: str
    name: str
    error: ErrorCode


def _error_modules() -> list[str]:
    names = ["exchange.errors"]
    for package in pkgutil.iter_modules(exchange.__path__):
        if package.ispkg and (Path(exchange.__path__[0]) / package.name / "errors.py").exists():
            names.append(f"exchange.{package.name}.errors")
    return names


def all_codes() -> list[Documented]:
    """Every ErrorCode constant, by domain ("general" for the ones any endpoint may answer) then code."""
    found: list[Documented] = []
    for module_name in _error_modules():
        module = importlib.import_module(module_name)
        domain = module_name.split(".")[1] if module_name.count(".") == 2 else "general"
        for name, value in vars(module).items():
            if isinstance(value, ErrorCode):
                found.append(Documented(domain, name, value))
    return sorted(found, key=lambda d: (d.domain != "general", d.domain, d.error.code))


def markdown() -> str:
    lines = [
        "# Error codes",
        "",
        "Every refusal of the API is `application/problem+json` with a stable `code` (see the README's API",
        "section). This table lists them all; it is generated from the `ErrorCode` constants in",
        "`exchange/errors.py` and `exchange/<domain>/errors.py` by `scripts/error-codes`: do not edit it by hand.",
        "",
        "| Code | HTTP status | Domain | Meaning |",
        "| --- | --- | --- | --- |",
    ]
    for item in all_codes():
        statuses = ", ".join(str(status) for status in (item.error.status, *item.error.also))
        meaning = item.error.meaning.replace("|", "\\|")
        lines.append(f"| `{item.error.code}` | {statuses} | {item.domain} | {meaning} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m exchange.error_codes", description=__doc__)
    parser.add_argument("--check", action="store_true", help="exit 1 when docs/error-codes.md is stale")
    args = parser.parse_args(argv)
    text = markdown()
    if args.check:
        current = DOC_PATH.read_text(encoding="utf-8") if DOC_PATH.exists() else ""
        if current != text:
            print(f"{DOC_PATH} is stale: run scripts/error-codes", file=sys.stderr)
            return 1
        return 0
    DOC_PATH.parent.mkdir(exist_ok=True)
    DOC_PATH.write_text(text, encoding="utf-8")
    print(f"wrote {len(text.splitlines()) - 8} codes to {DOC_PATH}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
