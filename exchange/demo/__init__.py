"""Demo data for an empty database: `exchange demo`. Each capability adds a step to DEMO_STEPS."""

from __future__ import annotations

from exchange.demo.loader import DEMO_STEPS, DemoContext, load_demo

__all__ = ["DEMO_STEPS", "DemoContext", "load_demo"]
