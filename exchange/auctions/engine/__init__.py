"""The bid engine: sealed bids and fixed-price purchases decided atomically in Redis, made durable in SQL.

Design
======

Who decides what
----------------
* **Redis decides acceptance.** Every state change that must be atomic is one Lua script
  (`lua/*.lua`): place or revise a bid, withdraw it, claim a fixed-price purchase, claim a close.
  The script checks the lot's state, the deadline against the Redis server clock (`TIME`), the
  bidder's right to bid (seller, private-lot invitation, deposit) and the amount (minimum,
  currency), assigns the bidder's next revision and a per-lot sequence number, and records the
  bid. All keys of lot 42 carry the hash tag `{42}` (`sx:<space>:lot:{42}`, `...:lot:{42}:bids`),
  so each script touches one Redis Cluster slot and runs unchanged on a cluster. `<space>` names the
  database (a row of `bid_engine_identity`), so a Redis that still holds another database's lots (a
  reset database beside an old append-only file) never mixes them with ours.
* **SQL is the system of record** (`bids`, `bid_revisions`, `bid_deposits`, `orders`). Redis holds a
  working copy of each lot that is rebuilt from SQL whenever it is missing.

Acknowledged only after durable (group commit)
----------------------------------------------
A bid accepted by its script is handed to the process's journal (`journal.py`), which commits every
bid queued so far in one transaction (one fsync for the whole batch; while one batch commits, the
next gathers). On SQLite the batch runs on one sqlite3 connection in a child process of the worker
(`sqlite_journal.py`, driven by `writers.SqliteProcessWriter`): one frame over a pipe each way per
batch, and none of the commit's sqlite3 steps competes with the event loop for the GIL. A batch whose
writer process died before answering fails (not acknowledged); the next batch starts a new one.
The HTTP answer (201 with the receipt) is sent only after that commit. The writes are
idempotent: `bid_revisions` is keyed by lot + bidder + revision (INSERT ... ON CONFLICT DO NOTHING),
`bids` holds each bidder's latest revision (an upsert that only moves forward). Redis's own
copy need not be on disk: the embedded server writes its append-only file without waiting for the
disk (`appendfsync no`) and drops the engine's keys whenever it starts (below).

The hot path, in numbers of round trips
---------------------------------------
Bids that reach the engine in the same event-loop turn share one Redis round trip: `batching.py`
queues their `place_bid.lua` calls and sends them as one pipeline on one pooled connection (each
call still its own atomic script run with its own answer; a call that met NOSCRIPT is the only one
sent again, and nothing is re-sent after a broken connection). Their durable writes then share one
SQL transaction (below). A committed batch then needs a confirm only if a lot state may have been
deleted or rebuilt since its bids were accepted: each lot's rebuild mark is its state's generation (`gen`,
new at every load, gone with every drop, inside the lot's hash tag), which the script returns with every
accepted bid; after the commit one HGET per lot (one round trip per master) reads it again, and only the
writes whose lot changed get their confirmations, as one more pipeline, after the batch is answered and
beside the next commit (one at a time). On a Redis Cluster each pipeline is one per master, sent at once
(`redis/routing.py`). Every
engine call to Redis has one deadline (`scripts.ENGINE_REDIS_TIMEOUT`) instead of per-socket
timeouts. SQLite's WAL checkpoints run on a thread of the writer process (`db/wal.py`), never inside
a batch.

Bids versus the close
---------------------
Each batch transaction first locks its lots (PostgreSQL `FOR SHARE`; SQLite's write lock) and writes
only rows of lots still `live`; the award locks the lot exclusively, flips it out of `live`, and only
then reads the bids. So every bid that was acknowledged is in the award's view, and a bid that Redis
accepted just before the deadline but that reaches SQL after the award is answered 409, not lost.
The award is computed from SQL (the truth), with the pure rules in `rules.py`.

When the two disagree
---------------------
* SQL write fails (database down): the bid is answered 503 and the lot's Redis state is dropped, so
  it is rebuilt from SQL (without that bid) before the next bid. If Redis cannot be reached to drop
  it, the drop is retried in the background, and a replayed Idempotency-Key is only answered from a
  revision that SQL holds.
* Redis came back with an older copy (the machine crashed before the append-only file reached the
  disk): a lot's sequence numbers would start again below bids that SQL holds, and a later bid could
  win a tie against an earlier one. So the embedded server drops every `sx:*` key when it starts,
  behind a one-time password that keeps clients out until they are gone (`redis/embedded.py`); the
  lots are then rebuilt as below. An external Redis must not come back older (README).
* Redis lost its data (restart without persistence, FLUSHALL, a new empty server): scripts answer
  "MISSING", and the lot is rebuilt from SQL (`loader.py`) before the bid is retried. A load takes a
  token in Redis before reading SQL; a bid batch that commits during the load deletes that token
  (`confirm_bids.lua`), so a load that may have read SQL too early is refused and reads again. While
  a lot is being loaded its state is missing, so such a batch always finds its generation gone and
  sends its confirm (a drop deletes the token with the state). If a
  lot's state was rebuilt between a bid's acceptance and its commit, the confirm step merges the
  committed bid into the new state. The confirm runs just after the answer: should the bidder's next
  revision reach Redis before it, that revision's number is already taken in SQL, the batch reports
  a clash, and the lot is rebuilt from SQL before the bid is retried. Either way SQL holds every
  acknowledged bid and Redis catches up with it.
* Redis down: every bid and purchase call answers 503 with Retry-After (never 500, nothing half
  written). redis-py reconnects by itself; `Script` objects load their script again on NOSCRIPT.
* SQL changed under a loaded lot: a refusal Redis gives that SQL may contradict is checked there
  (an invitation or a deposit added since the load: the state is rebuilt and the call retried); a
  lot that left `live` by another path is refused by the batch transaction (409) and rebuilt.

Fixed price
-----------
`purchase.lua` lets exactly one buyer claim the lot. The claimant creates the order through
`orders.services.create_order_for_lot` (the one conditional UPDATE that sells a lot, whatever path
sells it), then confirms the claim; if SQL refuses or fails, the claim is released. A claim left
unconfirmed by a crashed process is reported after `STALE_CLAIM_US` and settled against SQL.

Close
-----
The scheduler (`closing.py`) finds due lots in SQL and in Redis, claims each with `close.lua`
(one claimant among all processes; a stale claim may be taken over), awards in SQL (exactly once:
the lot must still be `live`), then records the final state in Redis with `finish_close.lua`. The
award reads only the two best bids (an index on lot + amount), so its cost barely grows with the
number of bids; notifications to every bidder follow in a second transaction.

Confidentiality
---------------
Amounts and bidders are never logged (only exception class names: database errors carry bound
parameters), never sent in errors or live events (events carry only the public bid count), and are
read back only by their own bidder before the close.
"""

from __future__ import annotations

from exchange.auctions.batch import PlacedBid

# Parts: _base (state, key space, repairs, housekeeping), _bids (sealed bids), _sales (purchase and
# close claims, final states), _space (the database's key space). The parts are one class written in
# three files (one level: EngineBase, then the two halves, which override nothing of each other), because
# both halves share the same repairs (`_load`, `_drop_states`, `_pending_drops`) and callers use one
# engine object; its collaborators (LotScripts, ScriptBatcher, LotStateLoader, BidJournal) are composed.
from exchange.auctions.engine._bids import SealedBids
from exchange.auctions.engine._sales import STALE_CLAIM_US, SalesAndCloses
from exchange.auctions.engine._space import database_space, database_unavailable, known_space

__all__ = ["STALE_CLAIM_US", "BidEngine", "PlacedBid", "database_space", "database_unavailable", "known_space"]


class BidEngine(SealedBids, SalesAndCloses):
    """One per process. `start()` in the app's lifespan; every method is safe to call concurrently."""
