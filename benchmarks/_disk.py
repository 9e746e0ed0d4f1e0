"""A probe of the disk under the data directory: how long an fsync takes right now.

"Durable before acknowledged" puts one fsync (the group commit's) in every bid's latency, so a disk
that stalls its flushes shows up in the fixed-load tail; the benchmark prints this next to it.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

__all__ = ["fsync_probe"]


def fsync_probe(directory: Path, writes: int = 200) -> dict[str, float]:
    """Append 4 KiB and fdatasync it `writes` times in `directory`: p50, p99 and max in ms."""
    path = directory / "fsync-probe.bin"
    block = os.urandom(4096)
    took: list[float] = []
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        for _ in range(writes):
            started = time.perf_counter()
            os.write(descriptor, block)
            os.fdatasync(descriptor)
            took.append((time.perf_counter() - started) * 1000)
    finally:
        os.close(descriptor)
        path.unlink(missing_ok=True)
    took.sort()
    return {"p50": took[len(took) // 2], "p99": took[min(len(took) - 1, int(len(took) * 0.99))], "max": took[-1]}
