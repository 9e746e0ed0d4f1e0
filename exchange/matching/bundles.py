"""Optimal bundles: whole lots that together cover a request's quantity, solved exactly with OR-Tools CP-SAT.

A 0/1 covering knapsack with a seller limit: choose lots (x_i in {0, 1}) so that their quantity is at
least the need and at most the need plus the allowed overage, they come from at most `max_sellers`
sellers, their total cost stays within the total budget, and the total cost is the least. The 5 best
distinct bundles come from solving again with a "no-good" cut that forbids each bundle already found,
so the k-th answer is the k-th cheapest feasible set. Quantities are integers (the caller scales them).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ortools.sat.python import cp_model

__all__ = ["Bundle", "Part", "best_bundles"]

SOLVE_WORK = 0.5
"""Per solve, in CP-SAT's deterministic time (its measure of work done, the same on a busy machine as on an
idle one, so the answers do not depend on the load); a bundle found but not proven optimal says so."""
SOLVE_SECONDS = 5.0
"""A wall-clock guard per solve, far above what the work limit takes."""


@dataclass(frozen=True, slots=True)
class Part:
    lot_id: int
    seller_org_id: int
    quantity: int
    cost: int


@dataclass(frozen=True, slots=True)
class Bundle:
    lot_ids: tuple[int, ...]
    cost: int
    quantity: int
    sellers: tuple[int, ...]
    proven_optimal: bool


def best_bundles(
    parts: Sequence[Part],
    need: int,
    *,
    max_overage: int,
    max_sellers: int | None = None,
    budget_total: int | None = None,
    count: int = 5,
    work: float = SOLVE_WORK,
) -> list[Bundle]:
    """Up to `count` distinct bundles, cheapest first (ties: fewer lots)."""
    if need <= 0:
        return []
    ceiling = need + max_overage
    usable = [p for p in parts if 0 < p.quantity <= ceiling and p.cost >= 0]
    if sum(p.quantity for p in usable) < need:
        return []
    model = cp_model.CpModel()
    chosen = [model.new_bool_var(f"x{p.lot_id}") for p in usable]
    total_qty = sum(p.quantity * x for p, x in zip(usable, chosen, strict=True))
    model.add(total_qty >= need)
    model.add(total_qty <= ceiling)
    if budget_total is not None:
        model.add(sum(p.cost * x for p, x in zip(usable, chosen, strict=True)) <= budget_total)
    sellers = sorted({p.seller_org_id for p in usable})
    if max_sellers is not None and len(sellers) > max_sellers:
        used = {s: model.new_bool_var(f"s{s}") for s in sellers}
        for p, x in zip(usable, chosen, strict=True):
            model.add_implication(x, used[p.seller_org_id])
        model.add(sum(used.values()) <= max_sellers)
    # Cost first; among equal costs, fewer lots (small weights: no 64-bit overflow with large amounts).
    lots_weight = len(usable) + 1
    model.minimize(sum(p.cost * lots_weight * x for p, x in zip(usable, chosen, strict=True)) + sum(chosen))
    solver = cp_model.CpSolver()
    solver.parameters.max_deterministic_time = work
    solver.parameters.max_time_in_seconds = SOLVE_SECONDS
    solver.parameters.num_workers = 1
    found: list[Bundle] = []
    while len(found) < count:
        status = solver.solve(model)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            break
        picked = [i for i, x in enumerate(chosen) if solver.boolean_value(x)]
        lots = [usable[i] for i in picked]
        found.append(
            Bundle(
                lot_ids=tuple(sorted(p.lot_id for p in lots)),
                cost=sum(p.cost for p in lots),
                quantity=sum(p.quantity for p in lots),
                sellers=tuple(sorted({p.seller_org_id for p in lots})),
                proven_optimal=status == cp_model.OPTIMAL,
            )
        )
        # No-good cut: never this exact set again.
        inside = set(picked)
        model.add(sum(1 - chosen[i] for i in inside) + sum(x for i, x in enumerate(chosen) if i not in inside) >= 1)
    return found
