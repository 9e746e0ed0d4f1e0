"""The ledger's pure rules: account names, movements, netting, fingerprints."""

from __future__ import annotations

import pytest

from exchange.errors import Unprocessable
from exchange.ledger import accounts, rules
from exchange.ledger.rules import Balance, Move


def test_accounts_are_named_by_purpose_currency_and_owner() -> None:
    assert rules.account_code(accounts.EXTERNAL, "CNY") == "external:CNY"
    assert rules.account_code(accounts.ESCROW, "USD", order_id=12) == "escrow:USD:order=12"
    assert rules.account_code(accounts.DEPOSITS_HELD, "CNY", org_id=7) == "deposits_held:CNY:org=7"


@pytest.mark.parametrize(
    ("purpose", "org_id", "order_id"),
    [
        (accounts.EXTERNAL, 3, None),
        (accounts.PLATFORM_REVENUE, None, 4),
        (accounts.ESCROW, None, None),
        (accounts.ESCROW, 3, 4),
        (accounts.SELLER_PAYABLE, None, None),
        (accounts.SELLER_PAYABLE, None, 4),
        ("pocket_money", None, None),
    ],
)
def test_an_owner_that_does_not_fit_the_purpose_is_refused(
    purpose: str, org_id: int | None, order_id: int | None
) -> None:
    with pytest.raises(ValueError, match=r"purpose|belongs"):
        rules.account_code(purpose, "CNY", org_id, order_id)


def test_an_unknown_currency_is_refused() -> None:
    with pytest.raises(Unprocessable):
        rules.account_code(accounts.EXTERNAL, "XXX")


def test_only_the_world_and_credit_receivables_may_go_negative() -> None:
    assert {p for p in accounts.PURPOSES if rules.may_go_negative(p)} == {accounts.EXTERNAL, accounts.CREDIT_RECEIVABLE}


@pytest.mark.parametrize("amount", [0, -5, 1.5, True, "10", 10**16])
def test_amounts_are_positive_integers(amount: object) -> None:
    with pytest.raises(Unprocessable) as refused:
        rules.check_moves([Move(1, 2, amount)])  # type: ignore[arg-type]
    assert refused.value.code == "bad_move"


def test_a_movement_needs_two_accounts_and_an_entry_one_movement() -> None:
    with pytest.raises(Unprocessable):
        rules.check_moves([Move(1, 1, 5)])
    with pytest.raises(Unprocessable):
        rules.check_moves([])


def test_movements_net_per_account_to_zero_and_lines_carry_positive_amounts() -> None:
    moves = [Move(1, 2, 100), Move(2, 3, 30), Move(2, 4, 70), Move(5, 6, 10), Move(6, 5, 10)]
    deltas = rules.net_deltas(moves)
    assert sum(deltas.values()) == 0
    assert deltas == {1: -100, 2: 0, 3: 30, 4: 70, 5: 0, 6: 0}
    assert rules.lines_of(deltas) == [(1, -1, 100), (3, 1, 30), (4, 1, 70)]


def test_a_fingerprint_ignores_the_order_of_movements_but_not_their_content() -> None:
    a = rules.fingerprint("post", moves=sorted([[1, 2, 5], [3, 4, 6]]), order_id=None)
    b = rules.fingerprint("post", moves=sorted([[3, 4, 6], [1, 2, 5]]), order_id=None)
    c = rules.fingerprint("post", moves=sorted([[3, 4, 7], [1, 2, 5]]), order_id=None)
    assert a == b != c
    assert rules.fingerprint("hold", move=Move(1, 2, 5)) != rules.fingerprint("hold", move=Move(1, 2, 6))


def test_available_is_posted_less_held_away() -> None:
    assert Balance(posted=100, pending_out=30, pending_in=50).available == 70


def test_verify_spells_out_the_same_purposes_and_finished_states() -> None:
    from exchange.ledger import verify

    assert "purpose NOT IN ('external', 'credit_receivable')" in verify._NEGATIVE
    assert {accounts.EXTERNAL, accounts.CREDIT_RECEIVABLE} == accounts.MAY_GO_NEGATIVE
    assert "o.status IN ('settled', 'resolved', 'cancelled')" in verify._OPEN_ESCROW
    assert verify.FINISHED_ORDER_STATUSES == ("settled", "resolved", "cancelled")
    assert f"a.purpose = '{accounts.ESCROW}'" in verify._OPEN_ESCROW


FINGERPRINTED = [
    (
        "post",
        {"moves": [[1, 2, 5], [3, 4, 6]], "order_id": None},
        '["post",{"moves":[[1,2,5],[3,4,6]],"order_id":null}]',
    ),
    ("hold", {"move": Move(7, 8, 9), "order_id": 12}, '["hold",{"move":[7,8,9],"order_id":12}]'),
    ("void_hold", {"hold_id": 3, "order_id": None}, '["void_hold",{"hold_id":3,"order_id":null}]'),
    (
        "post_hold",
        {"hold_id": 3, "amount_minor": 5, "order_id": 1},
        '["post_hold",{"amount_minor":5,"hold_id":3,"order_id":1}]',
    ),
]


@pytest.mark.parametrize(("kind", "content", "digest_of"), FINGERPRINTED)
def test_a_fingerprint_is_the_digest_of_the_same_bytes_as_ever(kind: str, content: dict, digest_of: str) -> None:
    """Entries store their fingerprint: a key repeated after an upgrade must still match its first call."""
    import hashlib

    assert rules.fingerprint(kind, **content) == hashlib.sha256(digest_of.encode()).hexdigest()
