"""Photos and documents of an order (inspection photos, dispute evidence): only its two orgs and admins see them."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.principal import Principal
from exchange.disputes import schemas
from exchange.disputes.errors import evidence_not_found
from exchange.disputes.models import Evidence
from exchange.disputes.services._access import order_for
from exchange.disputes.services._views import evidence_out
from exchange.errors import Conflict, NotFound, Unprocessable
from exchange.i18n.catalog import N_
from exchange.i18n.messages import Msg, MsgText
from exchange.lots.errors import DOCUMENT_MISSING, TOO_MANY_FILES
from exchange.orders.models import Order
from exchange.uploads import UploadRule, check_upload, read_stored, store_bytes, uploads_root

__all__ = [
    "EVIDENCE_RULE",
    "MAX_EVIDENCE_PER_ORDER",
    "add_evidence",
    "check_evidence_ids",
    "evidence_of",
    "read_evidence",
]

MB = 1024 * 1024
EVIDENCE_RULE = UploadRule(frozenset({"image/jpeg", "image/png", "image/webp", "application/pdf"}), 10 * MB)
"""Photos (JPEG, PNG, WebP) and documents (PDF) up to 10 MB."""
MAX_EVIDENCE_PER_ORDER = 60


def uploader_side(evidence: Evidence, order: Order) -> str:
    if evidence.org_id == order.buyer_org_id:
        return "buyer"
    if evidence.org_id == order.seller_org_id:
        return "seller"
    return "admin"


async def add_evidence(
    session: AsyncSession,
    principal: Principal,
    order_id: int,
    *,
    filename: str | None,
    content: bytes,
    data_dir: Path,
) -> schemas.Evidence:
    """Store a checked photo or document for the order (type read from the bytes); either party or an admin."""
    order, side = await order_for(session, principal, order_id)
    upload = check_upload(content, filename, EVIDENCE_RULE)
    count = await session.scalar(select(func.count()).select_from(Evidence).where(Evidence.order_id == order.id))
    if (count or 0) >= MAX_EVIDENCE_PER_ORDER:
        raise Conflict(
            Msg("An order holds at most {count} files of evidence.", count=MAX_EVIDENCE_PER_ORDER), code=TOO_MANY_FILES
        )
    key = await store_bytes(uploads_root(data_dir), f"orders/{order.id}", upload)
    evidence = Evidence(
        order_id=order.id,
        org_id=principal.org_id if side != "admin" else None,
        filename=upload.filename,
        content_type=upload.content_type,
        size=len(upload.content),
        sha256=upload.sha256,
        storage_key=key,
    )
    session.add(evidence)
    await session.flush()
    return evidence_out(evidence, side)


async def read_evidence(
    session: AsyncSession, principal: Principal, order_id: int, evidence_id: int, *, data_dir: Path
) -> tuple[Evidence, bytes]:
    """A file of evidence with its bytes, for the order's two orgs and admins; 404 to anyone else."""
    order, _ = await order_for(session, principal, order_id)
    evidence = await session.scalar(select(Evidence).where(Evidence.id == evidence_id, Evidence.order_id == order.id))
    if evidence is None:
        raise evidence_not_found(evidence_id)
    content = await read_stored(uploads_root(data_dir), evidence.storage_key)
    if content is None:
        raise NotFound(N_("The file is missing from storage."), code=DOCUMENT_MISSING)
    return evidence, content


async def evidence_of(session: AsyncSession, order: Order) -> list[schemas.Evidence]:
    rows = await session.scalars(select(Evidence).where(Evidence.order_id == order.id).order_by(Evidence.id))
    return [evidence_out(e, uploader_side(e, order)) for e in rows]


async def check_evidence_ids(session: AsyncSession, order: Order, ids: Sequence[int], *, field: str) -> list[int]:
    """The ids, once each, if every one is evidence of this order; 422 naming the field otherwise."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return []
    found = set(
        (await session.scalars(select(Evidence.id).where(Evidence.order_id == order.id, Evidence.id.in_(wanted)))).all()
    )
    missing = [i for i in wanted if i not in found]
    if missing:
        raise Unprocessable(
            MsgText(
                Msg("A chosen photo is not evidence of this order; upload it to the order first."),
                f"{field}: {', '.join(map(str, missing))} is not evidence of order {order.id} "
                f"(upload it with POST /api/orders/{order.id}/evidence).",
            ),
            field=field,
        )
    return wanted
