"""Key prefixes in Redis that more than one layer must know."""

from __future__ import annotations

__all__ = ["ENGINE_KEY_PREFIX"]

ENGINE_KEY_PREFIX = "sx:"
"""Every key of the bid engine starts with this (`sx:<space>:lot:{42}`). Those keys are a working copy
of SQL, rebuilt from SQL whenever they are missing, so the embedded server drops them when it starts."""
