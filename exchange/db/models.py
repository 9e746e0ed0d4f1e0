"""Import every domain's tables so that `Base.metadata` is complete (for Alembic and tests)."""

from __future__ import annotations

from exchange.accounts import models as accounts_models
from exchange.alerts import models as alerts_models
from exchange.auctions import models as auctions_models
from exchange.audit import models as audit_models
from exchange.db.base import Base
from exchange.disputes import models as disputes_models
from exchange.fees import models as fees_models
from exchange.idempotency import models as idempotency_models
from exchange.ledger import models as ledger_models
from exchange.lots import models as lots_models
from exchange.mail import models as mail_models
from exchange.matching import models as matching_models
from exchange.notifications import models as notifications_models
from exchange.orders import models as orders_models
from exchange.rfq import models as rfq_models

__all__ = [
    "Base",
    "accounts_models",
    "alerts_models",
    "auctions_models",
    "audit_models",
    "disputes_models",
    "fees_models",
    "idempotency_models",
    "ledger_models",
    "lots_models",
    "mail_models",
    "matching_models",
    "notifications_models",
    "orders_models",
    "rfq_models",
]
