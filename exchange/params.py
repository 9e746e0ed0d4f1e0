"""Shared parameter types for routes: ids that cannot overflow a database integer."""

from __future__ import annotations

from typing import Annotated

from litestar.params import Parameter

__all__ = ["Id"]

MAX_ID = 2_147_483_647

Id = Annotated[int, Parameter(gt=0, le=MAX_ID, description="A positive id")]
"""Use for every `{x_id:int}` path parameter: an out-of-range id is a 400, never a database error."""
