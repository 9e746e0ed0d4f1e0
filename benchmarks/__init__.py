"""Benchmarks that print figures: `scripts/bench <name>` (or `python -m benchmarks.<name>`)."""
