"""Surplus Exchange: a B2B exchange for whole lots of factory surplus."""

__all__ = ["__version__"]

__version__ = "0.1.0"
