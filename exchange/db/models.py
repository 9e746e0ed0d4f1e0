"""Import every domain's tables so that `Base.metadata` is complete (for Alembic and tests)."""

from __future__ import annotations

from exchange.accounts import models as accounts_models
from exchange.db.base import Base

__all__ = ["Base", "accounts_models"]
