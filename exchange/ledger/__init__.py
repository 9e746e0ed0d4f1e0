"""A double-entry ledger in integer minor units (TigerBeetle / Stripe balance-transaction invariants).

`accounts` names what an account is for; `services` moves money: `post` (a balanced journal entry),
`hold` / `post_hold` / `void_hold` (two-phase), `post_many` (several of those in one trip and one
savepoint), `balance`. `steps` holds the SQL of each call. Every call runs in the caller's transaction
and is idempotent on its key. `verify` checks the whole ledger (`exchange ledger verify`).
"""
