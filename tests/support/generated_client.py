"""Generate the Python client an integrator would (openapi-python-client) from the served document."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

__all__ = ["PACKAGE", "generate_client", "import_generated"]

PACKAGE = "surplus_exchange_client"


def generate_client(document: dict[str, Any], into: Path) -> str:
    """Write the client package into `into/PACKAGE`; returns what the generator printed (warnings included)."""
    spec = into / "openapi.json"
    spec.write_text(json.dumps(document), encoding="utf-8")
    config = into / "generator.yaml"
    config.write_text(f"project_name_override: {PACKAGE}\npackage_name_override: {PACKAGE}\npost_hooks: []\n")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "openapi_python_client",
            "generate",
            "--path",
            str(spec),
            "--output-path",
            str(into / PACKAGE),
            "--meta",
            "none",
            "--config",
            str(config),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    printed = done.stdout + done.stderr
    assert done.returncode == 0, printed
    return printed


def import_generated(into: Path) -> ModuleType:
    """The generated package, importable as PACKAGE (its api and models modules are imported by name)."""
    if str(into) not in sys.path:
        sys.path.insert(0, str(into))
    return importlib.import_module(PACKAGE)
