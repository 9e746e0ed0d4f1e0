"""A double-entry ledger in integer minor units (TigerBeetle / Stripe balance-transaction invariants).

`accounts` names what an account is for; `services` moves money: `post` (a balanced journal entry),
`hold` / `post_hold` / `void_hold` (two-phase), `balance`. Every call runs in the caller's transaction
and is idempotent on its key. `verify` checks the whole ledger (`exchange ledger verify`).
"""
