"""The built-in provider: simulates a bank transfer whose bank calls back, signed with HMAC-SHA256.

The instructions carry the callback exactly as the "bank" would send it: the path, the headers (with
`X-Payment-Signature: sha256=<hex HMAC of the raw body>`) and the body. Sending them confirms the
payment; a changed body or a missing or wrong signature is refused.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from exchange.payments.providers import Callback, PaymentRequest, Refused
from exchange.settings import Settings

__all__ = ["SIGNATURE_HEADER", "SimulatedProvider", "sign"]

SIGNATURE_HEADER = "X-Payment-Signature"


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def canonical(body: dict[str, Any]) -> bytes:
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()


def secret_from(settings: Settings) -> str:
    """PAYMENT_SECRET, or a key derived from SECRET_KEY (so a configured app always has one)."""
    if settings.orders.payment_secret:
        return settings.orders.payment_secret
    return hmac.new(settings.secret_key.encode(), b"payments:simulated", hashlib.sha256).hexdigest()


@dataclass(frozen=True, slots=True)
class SimulatedProvider:
    secret: str
    name: str = "simulated"

    @classmethod
    def from_settings(cls, settings: Settings) -> SimulatedProvider:
        return cls(secret=secret_from(settings))

    def instructions(self, request: PaymentRequest) -> dict[str, Any]:
        body = {
            "payment_id": request.payment_id,
            "amount": request.amount,
            "currency": request.currency,
            "status": "succeeded",
            "reference": request.reference,
        }
        raw = canonical(body)
        return {
            "method": "POST",
            "path": f"/api/payments/{request.payment_id}/confirm",
            "headers": {"Content-Type": "application/json", SIGNATURE_HEADER: sign(self.secret, raw)},
            "body": body,
        }

    def verify(self, headers: Mapping[str, str], body: bytes) -> Callback:
        given = next((v for k, v in headers.items() if k.lower() == SIGNATURE_HEADER.lower()), "")
        try:
            data = json.loads(body)
        except ValueError:
            raise Refused("The callback's body is not JSON.") from None
        if not isinstance(data, dict):
            raise Refused("The callback's body is not a JSON object.")
        # The signature covers the canonical form, so re-encoding by a client (spacing, key order) is accepted.
        expected = sign(self.secret, canonical(data))
        if not given or not hmac.compare_digest(given, expected):
            raise Refused("The callback's signature is missing or does not match.")
        try:
            return Callback(
                payment_id=str(data["payment_id"]),
                amount=str(data["amount"]),
                currency=str(data["currency"]),
                succeeded=data["status"] == "succeeded",
            )
        except KeyError as missing:
            raise Refused(f"The callback lacks {missing}.") from None
