"""The ledger's pure rules: what a movement may be, how an account is named, what an entry nets to,
what a repeated key must match, who may go negative."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import msgspec

from exchange.errors import Unprocessable
from exchange.i18n.catalog import N_
from exchange.i18n.messages import Msg, MsgText
from exchange.ledger import accounts
from exchange.ledger.errors import BAD_MOVE
from exchange.money import CURRENCIES, MAX_MINOR

__all__ = [
    "Balance",
    "Move",
    "account_code",
    "check_amount",
    "check_moves",
    "fingerprint",
    "lines_of",
    "may_go_negative",
    "net_deltas",
]


@dataclass(frozen=True, slots=True)
class Move:
    """`amount_minor` (> 0) from one account to another: the sender's balance goes down, the receiver's up."""

    from_account: int
    to_account: int
    amount_minor: int


@dataclass(frozen=True, slots=True)
class Balance:
    posted: int
    """Received less sent, over posted movements."""
    pending_out: int
    """Held away by pending holds (not yet sent)."""
    pending_in: int
    """Held for this account by pending holds (not yet received)."""

    @property
    def available(self) -> int:
        """What the account may still send: posted less held away."""
        return self.posted - self.pending_out


def account_code(purpose: str, currency: str, org_id: int | None = None, order_id: int | None = None) -> str:
    """The unique name of an account ("escrow:CNY:order=12"); refuses an owner that does not fit the purpose."""
    if purpose not in accounts.PURPOSES:
        raise ValueError(f"unknown ledger account purpose {purpose!r}")
    if currency not in CURRENCIES:
        raise Unprocessable(Msg("Currency {currency} is not supported.", currency=repr(currency)), field="currency")
    if purpose in accounts.PLATFORM_PURPOSES:
        if org_id is not None or order_id is not None:
            raise ValueError(f"a {purpose} account belongs to the platform: give no org_id or order_id")
        return f"{purpose}:{currency}"
    if purpose in accounts.ORDER_PURPOSES:
        if order_id is None or org_id is not None:
            raise ValueError(f"a {purpose} account belongs to one order: give order_id only")
        return f"{purpose}:{currency}:order={order_id}"
    if org_id is None or order_id is not None:
        raise ValueError(f"a {purpose} account belongs to one organisation: give org_id only")
    return f"{purpose}:{currency}:org={org_id}"


def may_go_negative(purpose: str) -> bool:
    return purpose in accounts.MAY_GO_NEGATIVE


def check_amount(amount: object, field: str = "amount_minor") -> int:
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0 or amount > MAX_MINOR:
        raise Unprocessable(
            MsgText(
                Msg("An amount must be more than zero, not {amount}.", amount=repr(amount)),
                f"A ledger amount must be a positive integer of minor units, not {amount!r}.",
            ),
            field=field,
            code=BAD_MOVE,
        )
    return amount


def check_moves(moves: Sequence[Move]) -> None:
    if not moves:
        raise Unprocessable(N_("A ledger entry needs at least one movement."), field="moves", code=BAD_MOVE)
    for move in moves:
        check_amount(move.amount_minor)
        if move.from_account == move.to_account:
            raise Unprocessable(N_("A movement needs two different accounts."), field="moves", code=BAD_MOVE)


def net_deltas(moves: Iterable[Move]) -> dict[int, int]:
    """What each account gains (+) or loses (-) over the movements; the values add up to zero."""
    deltas: dict[int, int] = {}
    for move in moves:
        deltas[move.from_account] = deltas.get(move.from_account, 0) - move.amount_minor
        deltas[move.to_account] = deltas.get(move.to_account, 0) + move.amount_minor
    return deltas


def lines_of(deltas: dict[int, int]) -> list[tuple[int, int, int]]:
    """(account, direction, amount) per account whose balance changes, in account order."""
    return [(account, 1 if delta > 0 else -1, abs(delta)) for account, delta in sorted(deltas.items()) if delta]


def fingerprint(kind: str, **content: object) -> str:
    """What a call asked for, as a digest: a repeat of its key must ask exactly this (time and memo aside).

    SHA-256 of the canonical JSON `[kind, {content, keys sorted}]` (no spaces; a `Move` as its three
    numbers): stored with every entry, so these bytes never change (a unit test pins them)."""
    plain = {name: _plain(value) if isinstance(value, Move) else value for name, value in content.items()}
    return hashlib.sha256(msgspec.json.encode([kind, plain], order="sorted")).hexdigest()


def _plain(value: Move) -> list[int]:
    return [value.from_account, value.to_account, value.amount_minor]
