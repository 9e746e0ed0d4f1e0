"""Benchmarks: `python -m benchmarks.<name>` (or `scripts/bench <name>`)."""
