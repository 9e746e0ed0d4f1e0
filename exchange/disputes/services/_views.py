"""Rows to API Structs (money as decimal strings)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from exchange.disputes import rules, schemas
from exchange.disputes.models import Dispute, DisputeMessage, Evidence, Inspection
from exchange.money import format_minor

__all__ = ["dispute_out", "evidence_out", "inspection_out", "lines_out", "money", "queue_item_out"]


def money(minor: int | None, currency: str) -> str | None:
    return format_minor(minor, currency)


def lines_out(lines: Sequence[Any], currency: str) -> list[schemas.RefundLine]:
    return [schemas.RefundLine(label=str(label), amount=money(int(amount), currency) or "0") for label, amount in lines]


def inspection_out(inspection: Inspection, currency: str, order_status: str) -> schemas.Inspection:
    return schemas.Inspection(
        id=inspection.id,
        order_id=inspection.order_id,
        sampling=inspection.sampling,
        lot_size=inspection.lot_size,
        sample_size=inspection.sample_size,
        sample_sufficient=inspection.units_inspected >= inspection.sample_size,
        units_inspected=inspection.units_inspected,
        units_defective=inspection.units_defective,
        defects_by_kind=dict(inspection.defects_by_kind or {}),
        observed_grade=inspection.observed_grade,
        photos=list(inspection.photo_ids or []),
        notes=inspection.notes,
        suggested_refund=money(inspection.suggested_refund_minor, currency) or "0",
        refund_lines=lines_out(inspection.refund_lines or [], currency),
        order_status=order_status,
        created_at=inspection.created_at,
    )


def evidence_out(evidence: Evidence, side: str) -> schemas.Evidence:
    return schemas.Evidence(
        id=evidence.id,
        order_id=evidence.order_id,
        filename=evidence.filename,
        content_type=evidence.content_type,
        size=evidence.size,
        uploaded_by=side,
        url=f"/api/orders/{evidence.order_id}/evidence/{evidence.id}",
        uploaded_at=evidence.uploaded_at,
    )


def dispute_out(
    dispute: Dispute,
    *,
    side: str,
    order_amount_minor: int,
    inspection: Inspection | None,
    evidence: Sequence[schemas.Evidence],
    messages: Sequence[DisputeMessage],
) -> schemas.Dispute:
    currency = dispute.currency
    return schemas.Dispute(
        id=dispute.id,
        order_id=dispute.order_id,
        buyer_org_id=dispute.buyer_org_id,
        seller_org_id=dispute.seller_org_id,
        status=dispute.status,
        reason=dispute.reason,
        currency=currency,
        order_amount=money(order_amount_minor, currency) or "0",
        claimed_refund=money(dispute.claimed_refund_minor, currency) or "0",
        suggested_refund=money(dispute.suggested_refund_minor, currency),
        suggestion_lines=lines_out(inspection.refund_lines if inspection is not None else [], currency),
        inspection_id=dispute.inspection_id,
        answer=dispute.answer,
        offer=money(dispute.offer_minor, currency),
        answer_message=dispute.answer_message,
        answer_due_at=dispute.answer_due_at,
        escalated_at=dispute.escalated_at,
        decide_by=dispute.decide_by,
        outcome=dispute.outcome,
        refund=money(dispute.refund_minor, currency),
        decision_reason=dispute.decision_reason,
        resolved_at=dispute.resolved_at,
        created_at=dispute.created_at,
        allowed_actions=rules.dispute_actions(dispute.status, side),
        evidence=list(evidence),
        messages=[
            schemas.DisputeMessage(
                id=m.id,
                side=m.side,
                author=m.author,
                body=m.body,
                evidence_ids=list(m.evidence_ids or []),
                created_at=m.created_at,
            )
            for m in messages
        ],
    )


def queue_item_out(dispute: Dispute, order_amount_minor: int, now: datetime) -> schemas.DisputeQueueItem:
    currency = dispute.currency
    return schemas.DisputeQueueItem(
        id=dispute.id,
        order_id=dispute.order_id,
        status=dispute.status,
        buyer_org_id=dispute.buyer_org_id,
        seller_org_id=dispute.seller_org_id,
        reason=dispute.reason,
        currency=currency,
        order_amount=money(order_amount_minor, currency) or "0",
        claimed_refund=money(dispute.claimed_refund_minor, currency) or "0",
        suggested_refund=money(dispute.suggested_refund_minor, currency),
        offer=money(dispute.offer_minor, currency),
        answer=dispute.answer,
        escalated_at=dispute.escalated_at,
        decide_by=dispute.decide_by,
        overdue=dispute.decide_by is not None and dispute.decide_by <= now and dispute.status == "escalated",
        created_at=dispute.created_at,
    )
