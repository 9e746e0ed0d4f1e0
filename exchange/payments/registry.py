"""The payment providers the exchange knows, by the name PAYMENT_PROVIDER gives.

A second provider is a module implementing `exchange.payments.providers.PaymentProvider` and one line here;
the order code asks `provider_for(settings)` and never names a provider.
"""

from __future__ import annotations

from collections.abc import Callable

from exchange.payments.providers import PaymentProvider
from exchange.payments.simulated import SimulatedProvider
from exchange.settings import Settings

__all__ = ["PROVIDERS", "ProviderFactory", "provider_for"]

ProviderFactory = Callable[[Settings], PaymentProvider]

PROVIDERS: dict[str, ProviderFactory] = {"simulated": SimulatedProvider.from_settings}


def provider_for(settings: Settings, name: str | None = None) -> PaymentProvider | None:
    """The provider called `name` (the configured one by default), or None when there is no such provider."""
    factory = PROVIDERS.get(name or settings.orders.payment_provider)
    return factory(settings) if factory is not None else None
