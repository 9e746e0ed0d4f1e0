"""Demo data for an empty database: `exchange demo`. The steps, in order, are `steps.DEMO_STEPS`."""

from __future__ import annotations

from exchange.demo.context import DemoContext
from exchange.demo.loader import load_demo
from exchange.demo.steps import DEMO_STEPS

__all__ = ["DEMO_STEPS", "DemoContext", "load_demo"]
