"""The payment providers the PAYMENT_PROVIDER setting chooses from: one entry per provider."""

from __future__ import annotations

from collections.abc import Callable

from exchange.payments.providers import PaymentProvider
from exchange.payments.simulated import SimulatedProvider
from exchange.settings import Settings

__all__ = ["PROVIDERS", "provider_for"]

ProviderFactory = Callable[[Settings], PaymentProvider]

PROVIDERS: dict[str, ProviderFactory] = {"simulated": SimulatedProvider.from_settings}


def provider_for(settings: Settings, name: str | None = None) -> PaymentProvider | None:
    """The provider called `name` (the configured one by default), or None when there is no such provider."""
    factory = PROVIDERS.get(name or settings.orders.payment_provider)
    return factory(settings) if factory is not None else None
