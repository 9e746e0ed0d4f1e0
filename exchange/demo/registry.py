"""Imports each capability's demo module so that its step joins DEMO_STEPS (order matters)."""

from __future__ import annotations
