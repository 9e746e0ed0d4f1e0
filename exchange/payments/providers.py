"""The payment-provider interface.

A provider turns a payment into instructions for the payer (where to pay, or what to call back with)
and verifies the provider's callback. A second provider is one more class and one more entry in
`registry.PROVIDERS`; the order code only ever sees `PaymentProvider`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

__all__ = ["Callback", "PaymentProvider", "PaymentRequest", "Refused"]


@dataclass(frozen=True, slots=True)
class PaymentRequest:
    payment_id: str
    amount: str
    """Decimal string, as the API shows money."""
    currency: str
    reference: str
    """What the payer sees on the statement ("order 12")."""


@dataclass(frozen=True, slots=True)
class Callback:
    """What a verified callback says happened."""

    payment_id: str
    amount: str
    currency: str
    succeeded: bool


class Refused(Exception):
    """The callback is not authentic (bad or missing signature) or cannot be read."""


class PaymentProvider(Protocol):
    @property
    def name(self) -> str:
        """The provider's name, as PAYMENT_PROVIDER chooses it and payments record it."""
        ...

    def instructions(self, request: PaymentRequest) -> dict[str, Any]:
        """{method, path, headers, body}: how the payment gets completed (for the simulated one: the callback)."""
        ...

    def verify(self, headers: Mapping[str, str], body: bytes) -> Callback:
        """The callback's content if it is authentic; raises `Refused` otherwise."""
        ...
