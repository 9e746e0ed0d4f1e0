"""Lot use cases shared by the JSON API, the pages, the scheduler and the demo loader."""

from __future__ import annotations

from exchange.lots.services._documents import (
    MAX_DOCUMENTS_PER_LOT,
    MAX_UPLOAD_BYTES,
    UPLOAD_RULES,
    add_document,
    cover_photos,
    read_document,
    read_preview,
    remove_document,
)
from exchange.lots.services._drafts import create_lot, invite_to_lot, leaf_category, update_lot
from exchange.lots.services._invites import InvitedLot, lots_inviting
from exchange.lots.services._lifecycle import (
    approve_lot,
    expire_due_lots,
    publish_lot,
    reject_lot,
    review_queue,
    withdraw_lot,
)
from exchange.lots.services._profiles import SellerProfile, seller_profile
from exchange.lots.services._relist import relist_facts, relist_lot, relist_way_for
from exchange.lots.services._views import (
    document_out,
    get_lot,
    list_seller_lots,
    lot_out,
    lots_out,
    seller_lots_page,
)

__all__ = [
    "MAX_DOCUMENTS_PER_LOT",
    "MAX_UPLOAD_BYTES",
    "UPLOAD_RULES",
    "InvitedLot",
    "SellerProfile",
    "add_document",
    "approve_lot",
    "cover_photos",
    "create_lot",
    "document_out",
    "expire_due_lots",
    "get_lot",
    "invite_to_lot",
    "leaf_category",
    "list_seller_lots",
    "lot_out",
    "lots_inviting",
    "lots_out",
    "publish_lot",
    "read_document",
    "read_preview",
    "reject_lot",
    "relist_facts",
    "relist_lot",
    "relist_way_for",
    "remove_document",
    "review_queue",
    "seller_lots_page",
    "seller_profile",
    "update_lot",
    "withdraw_lot",
]
