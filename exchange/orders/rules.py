"""Who may move an order from which state to which: the one table, and the pure rules around it.

`TRANSITIONS` is the single home of the order lifecycle. `transitions.apply` enforces it (one
compare-and-set UPDATE per move), `allowed_actions` reads it for the pages and the API, and
`scripts/order-diagram` draws the README's state diagram from it (a unit test keeps that in step).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

__all__ = [
    "ACTIONS",
    "ACTORS",
    "FINISHED",
    "STATES",
    "TRANSITIONS",
    "Actor",
    "Transition",
    "allowed_actions",
    "deadline_due",
    "deadlines_after",
    "mermaid",
    "reminder_at",
    "side_of",
    "sides_for",
    "transition_for",
]

STATES = (
    "awaiting_payment",
    "paid",
    "shipped",
    "delivered",
    "inspecting",
    "accepted",
    "settled",
    "disputed",
    "resolved",
    "cancelled",
)
FINISHED = frozenset({"settled", "resolved", "cancelled"})
"""States an order never leaves; its escrow account is zero in each of them."""

ACTORS = ("buyer", "seller", "admin", "clock", "provider", "system")
"""Sides that act on an order: the two orgs, an admin, the deadline job, the payment provider, the code itself."""

ON_CREDIT = "on_credit"
"""A fact about an order: its buyer has credit terms, so the seller may ship before payment."""


@dataclass(frozen=True, slots=True)
class Transition:
    action: str
    actors: frozenset[str]
    sources: frozenset[str]
    target: str
    needs: str | None = None
    """A fact the order must have for this row to apply (`ON_CREDIT`)."""
    note: str = ""


def _t(action: str, actors: str, sources: str, target: str, *, needs: str | None = None, note: str = "") -> Transition:
    return Transition(action, frozenset(actors.split()), frozenset(sources.split()), target, needs, note)


TRANSITIONS: tuple[Transition, ...] = (
    _t("pay", "buyer", "awaiting_payment", "", note="starts a payment; no state change"),
    _t(
        "pay",
        "buyer",
        "shipped delivered inspecting accepted settled disputed resolved",
        "",
        needs=ON_CREDIT,
        note="pays the invoice (also while a dispute runs, and after it: a refund is paid back separately)",
    ),
    _t("confirm_payment", "provider", "awaiting_payment", "paid"),
    _t("cancel_unpaid", "clock", "awaiting_payment", "cancelled", note="payment deadline passed"),
    _t("ship", "seller", "paid", "shipped"),
    _t("ship", "seller", "awaiting_payment", "shipped", needs=ON_CREDIT, note="buyer on credit terms"),
    _t("deliver", "buyer", "shipped", "delivered"),
    _t("mark_delivered", "seller", "shipped", "delivered", note="with proof; the buyer is told"),
    _t("inspect", "buyer", "delivered inspecting", "inspecting"),
    _t("accept", "buyer", "delivered inspecting", "accepted"),
    _t("auto_accept", "clock", "delivered inspecting", "accepted", note="inspection window ended"),
    _t("settle", "system", "accepted", "settled", note="right after acceptance, same transaction"),
    _t("dispute", "buyer", "delivered inspecting", "disputed", note="within the inspection window"),
    _t("resolve", "admin seller buyer", "disputed", "resolved"),
)
"""Every move of an order. A row with an empty target changes nothing (an action that is not a move)."""

ACTIONS = tuple(dict.fromkeys(t.action for t in TRANSITIONS))


def transition_for(action: str, state: str, side: str, facts: Iterable[str] = ()) -> Transition | None:
    """The row that lets `side` take `action` from `state`, given the order's facts; None when there is none."""
    have = set(facts)
    for row in TRANSITIONS:
        if (
            row.action == action
            and state in row.sources
            and side in row.actors
            and (row.needs is None or row.needs in have)
        ):
            return row
    return None


def sides_for(action: str) -> frozenset[str]:
    """Every side that may ever take `action` (from some state): anyone else is refused with 403."""
    return frozenset().union(*(t.actors for t in TRANSITIONS if t.action == action))


def allowed_actions(state: str, side: str, facts: Iterable[str] = ()) -> list[str]:
    """The actions `side` may take on an order in `state` (in table order, each once)."""
    have = set(facts)
    return list(
        dict.fromkeys(
            t.action
            for t in TRANSITIONS
            if state in t.sources and side in t.actors and (t.needs is None or t.needs in have)
        )
    )


@dataclass(frozen=True, slots=True)
class Actor:
    """Who takes an action: a `side` of the table, and who exactly for the timeline and the audit log."""

    side: str
    ref: str
    """"org:3", "admin:1", "clock", "provider:simulated", "system"."""

    @classmethod
    def clock(cls) -> Actor:
        return cls("clock", "clock")

    @classmethod
    def system(cls) -> Actor:
        return cls("system", "system")

    @classmethod
    def provider(cls, name: str) -> Actor:
        return cls("provider", f"provider:{name}")


def side_of(org_id: int | None, *, is_admin: bool, buyer_org_id: int, seller_org_id: int) -> str | None:
    """The caller's side on an order: buyer, seller, admin, or None (a third party, who sees nothing)."""
    if org_id is not None and org_id == buyer_org_id:
        return "buyer"
    if org_id is not None and org_id == seller_org_id:
        return "seller"
    if is_admin:
        return "admin"
    return None


# --- deadlines ---------------------------------------------------------------------------------

DEADLINES_ON_ENTRY: Mapping[str, tuple[str, ...]] = {
    "awaiting_payment": ("payment",),
    "delivered": ("inspection",),
}
"""Deadlines that start when an order enters a state (the disputes package starts its own)."""

DEADLINES_ENDED_BY: Mapping[str, tuple[str, ...]] = {
    "paid": ("payment",),
    "shipped": ("payment",),
    "cancelled": ("payment",),
    "accepted": ("inspection",),
    "disputed": ("inspection",),
}
"""Deadlines that no longer apply once an order enters a state (they are closed without firing)."""

REMIND_BEFORE = timedelta(hours=24)
REMINDED_SIDE: Mapping[str, str] = {
    "payment": "buyer",
    "inspection": "buyer",
    "invoice": "buyer",
    "dispute_answer": "seller",
}
"""Which side a deadline's reminder goes to (none for the ones that only the clock or an admin meets)."""


def deadlines_after(state: str, at: datetime, lengths: Mapping[str, timedelta]) -> dict[str, datetime]:
    """The deadlines that start when an order enters `state` at `at`: {name: due}."""
    return {name: at + lengths[name] for name in DEADLINES_ON_ENTRY.get(state, ()) if name in lengths}


def deadline_due(due_at: datetime, now: datetime) -> bool:
    return due_at <= now


def reminder_at(due_at: datetime, length: timedelta) -> datetime | None:
    """When to remind of a deadline: REMIND_BEFORE ahead, or None when the deadline is too short for one."""
    if length <= REMIND_BEFORE:
        return None
    return due_at - REMIND_BEFORE


# --- the diagram ---------------------------------------------------------------------------------


def mermaid() -> str:
    """The lifecycle as a Mermaid state diagram (moves only; actions that change nothing are left out)."""
    lines = ["```mermaid", "stateDiagram-v2", "    [*] --> awaiting_payment"]
    for row in TRANSITIONS:
        if not row.target:
            continue
        who = "/".join(sorted(row.actors))
        label = f"{row.action} ({who}{', ' + row.needs.replace('_', ' ') if row.needs else ''})"
        for source in sorted(row.sources, key=STATES.index):
            lines.append(f"    {source} --> {row.target}: {label}")
    for state in sorted(FINISHED, key=STATES.index):
        lines.append(f"    {state} --> [*]")
    lines.append("```")
    return "\n".join(lines) + "\n"
