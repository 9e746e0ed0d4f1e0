"""Benchmarks run with `scripts/bench NAME`; each prints its figures."""
