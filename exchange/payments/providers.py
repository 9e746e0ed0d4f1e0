"""The payment-provider interface and the registry the PAYMENT_PROVIDER setting chooses from.

A provider turns a payment into instructions for the payer (where to pay, or what to call back with)
and verifies the provider's callback. A second provider is one more class and one more entry in
`PROVIDERS`; the order code only ever sees `PaymentProvider`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from exchange.settings import Settings

__all__ = ["Callback", "PaymentProvider", "PaymentRequest", "Refused", "provider_for"]


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


ProviderFactory = Callable[[Settings], PaymentProvider]


def _simulated(settings: Settings) -> PaymentProvider:
    from exchange.payments.simulated import SimulatedProvider

    return SimulatedProvider.from_settings(settings)


PROVIDERS: dict[str, ProviderFactory] = {"simulated": _simulated}


def provider_for(settings: Settings, name: str | None = None) -> PaymentProvider | None:
    """The provider called `name` (the configured one by default), or None when there is no such provider."""
    factory = PROVIDERS.get(name or settings.orders.payment_provider)
    return factory(settings) if factory is not None else None
