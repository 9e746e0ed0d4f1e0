"""`ensure_not_overdue` for the bid hot path: the checks waiting at one time go to SQL as ONE query.

Every bid must be refused while its org has an overdue credit invoice (`credit.ensure_not_overdue`). Run
as it is elsewhere, that is a session per bid: a pooled connection, BEGIN, the SELECT, ROLLBACK, and on
PostgreSQL under load, with many bids holding a connection at once, the pool's overflow connections
opened and closed again for each burst (a PostgreSQL backend started per connection). Measured with
`scripts/bench bids --postgres`: 2 609 new PostgreSQL sessions for 10 000 bids, and the check half of the
workers' CPU.

Here a check joins the queue; one task at a time takes every check queued so far and asks SQL once, on
one connection, outside a transaction (a single SELECT needs none): `OVERDUE_INVOICES` of all their orgs.
While that query runs the next checks gather. Each caller is then answered for its own org at its own
"now" (the query reads up to the latest caller's "now"; an invoice counts for a caller only if it fell due
before that caller's "now"), so the answer is the one `ensure_not_overdue` would have given.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from exchange.db.statements import padded_ids
from exchange.orders.credit import OVERDUE_INVOICES, overdue_refusal

__all__ = ["OverdueChecks"]

Check = tuple[int, datetime, "asyncio.Future[int | None]"]


class OverdueChecks:
    """`await checks.ensure_not_overdue(org_id, now)` answers like `credit.ensure_not_overdue`: a 403
    `invoice_overdue` naming one overdue order, or nothing. Database errors reach the caller as they are."""

    def __init__(self, engine: AsyncEngine, *, max_batch: int = 500) -> None:
        self.engine = engine.execution_options(isolation_level="AUTOCOMMIT")
        self.max_batch = max_batch
        self._queue: list[Check] = []
        self._runner: asyncio.Task[None] | None = None

    async def ensure_not_overdue(self, org_id: int | None, now: datetime) -> None:
        if org_id is None:
            return
        future: asyncio.Future[int | None] = asyncio.get_running_loop().create_future()
        self._queue.append((org_id, now, future))
        if self._runner is None or self._runner.done():
            self._runner = asyncio.create_task(self._run(), name="overdue-checks")
        order_id = await future
        if order_id is not None:
            raise overdue_refusal(order_id)

    async def _run(self) -> None:
        while self._queue:  # the task starts on the next loop turn: the checks of this turn are queued by then
            batch, self._queue = self._queue[: self.max_batch], self._queue[self.max_batch :]
            try:
                found = await self._overdue(batch)
            except Exception as error:  # every caller gets it, as from its own query
                for _org, _now, future in batch:
                    if not future.done():
                        future.set_exception(error)
                continue
            for org_id, now, future in batch:
                if not future.done():  # (a caller that gave up is cancelled)
                    future.set_result(next((order for due, order in found.get(org_id, ()) if due < now), None))

    async def _overdue(self, batch: Sequence[Check]) -> dict[int, list[tuple[datetime, int]]]:
        """Org -> (due at, order id) of its invoices overdue at the batch's latest "now", by order id."""
        org_ids = padded_ids(sorted({org_id for org_id, _now, _future in batch}))
        now = max(now for _org, now, _future in batch)
        async with self.engine.connect() as connection:
            rows = (await connection.execute(OVERDUE_INVOICES, {"org_ids": org_ids, "now": now})).all()
        found: dict[int, list[tuple[datetime, int]]] = {}
        for org_id, order_id, due_at in rows:
            if due_at is not None:  # (the query's `due < now` leaves none without a due date)
                found.setdefault(org_id, []).append((due_at, order_id))
        return found
