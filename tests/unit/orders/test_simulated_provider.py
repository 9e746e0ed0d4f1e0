"""The simulated payment provider signs its callback, and refuses one that was changed or not signed."""

from __future__ import annotations

import json

import pytest

from exchange.payments.providers import PaymentRequest, Refused
from exchange.payments.simulated import SIGNATURE_HEADER, SimulatedProvider

PROVIDER = SimulatedProvider(secret="s3cret")
REQUEST = PaymentRequest("pay_abc", "400.00", "CNY", "order 1")


def test_its_own_callback_verifies_whatever_the_json_spacing() -> None:
    steps = PROVIDER.instructions(REQUEST)
    assert steps["path"] == "/api/payments/pay_abc/confirm"
    body = json.dumps(steps["body"], indent=2).encode()
    callback = PROVIDER.verify(steps["headers"], body)
    assert (callback.payment_id, callback.amount, callback.currency, callback.succeeded) == (
        "pay_abc",
        "400.00",
        "CNY",
        True,
    )


@pytest.mark.parametrize("change", ["amount", "signature", "missing", "other_secret", "not_json"])
def test_a_changed_or_unsigned_callback_is_refused(change: str) -> None:
    steps = PROVIDER.instructions(REQUEST)
    headers, body = dict(steps["headers"]), dict(steps["body"])
    raw = json.dumps(body).encode()
    if change == "amount":
        raw = json.dumps({**body, "amount": "1.00"}).encode()
    elif change == "signature":
        headers[SIGNATURE_HEADER] = "sha256=" + "0" * 64
    elif change == "missing":
        del headers[SIGNATURE_HEADER]
    elif change == "other_secret":
        headers = SimulatedProvider(secret="other").instructions(REQUEST)["headers"]
    else:
        raw = b"{not json"
    with pytest.raises(Refused):
        PROVIDER.verify(headers, raw)
