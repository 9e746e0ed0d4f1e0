"""Script calls made in the same event-loop turn go to Redis together, in one pipeline.

Under load many bid requests reach the engine in one turn of the loop. Each would pay redis-py's
per-command round trip (take a pooled connection and check it, write, wait, read, give it back),
which costs more Python than the script call itself. The batcher queues them and, at the end of the
turn, sends them as ONE pipeline of EVALSHA: still one atomic script run per call, in order, with its
own answer (or its own refusal), but one round trip for all. A lone call waits one loop turn at most.

On a Redis Cluster the pipeline is one per master, sent at the same time (`redis/routing.py`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from exchange.auctions.scripts import LotScripts

__all__ = ["ScriptBatcher"]

Call = tuple[Sequence[str], Sequence[Any], "asyncio.Future[Any]"]


class ScriptBatcher:
    """`await batcher.run(keys, args)` answers like `LotScripts.run(name, keys, args)`."""

    def __init__(self, scripts: LotScripts, name: str, *, max_batch: int = 512) -> None:
        self.scripts = scripts
        self.name = name
        self.max_batch = max_batch
        self._pending: list[Call] = []
        self._flush_scheduled = False
        self._sending: set[asyncio.Task[None]] = set()

    async def run(self, keys: Sequence[str], args: Sequence[Any]) -> Any:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        self._pending.append((keys, args, future))
        if not self._flush_scheduled:
            self._flush_scheduled = True
            loop.call_soon(self._flush)
        return await future

    def _flush(self) -> None:
        self._flush_scheduled = False
        while self._pending:
            batch, self._pending = self._pending[: self.max_batch], self._pending[self.max_batch :]
            task = asyncio.get_running_loop().create_task(self._send(batch))
            self._sending.add(task)
            task.add_done_callback(self._sending.discard)

    async def _send(self, batch: list[Call]) -> None:
        try:
            answers = await self.scripts.run_each(self.name, [(keys, args) for keys, args, _ in batch])
        except Exception as error:  # Redis unreachable (a 503 DomainError): every caller gets it
            for _keys, _args, future in batch:
                if not future.done():
                    future.set_exception(error)
            return
        for (_keys, _args, future), answer in zip(batch, answers, strict=True):
            if future.done():  # the caller gave up (cancelled)
                continue
            if isinstance(answer, BaseException):
                future.set_exception(answer)
            else:
                future.set_result(answer)
