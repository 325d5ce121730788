"""The garbage collector's pace while an exercise runs.

Why: the engine allocates hundreds of thousands of short-lived containers per simulated minute (picture entries,
events, per-track records), almost none of them in reference cycles. With CPython's default first threshold
(700 allocations) the young generation is collected over a thousand times in a 900 s raid of 500 missiles, and
every tenth of those collections promotes into a middle-generation pass, every tenth of which may walk the whole
heap: 1.6-1.8 s of a 16-18 s run (`bench/bench_engine.py`, measured with `gc.callbacks` on CPython 3.11). A first
threshold of 10,000 leaves the same objects collected, about 15 times less often: 0.3-0.4 s. Cyclic garbage
still goes, only later; memory grows by at most the young generation's extra allocations.

The setting is the process's, so the core never touches it (DESIGN.md §3): the outer layers that run an exercise
(`runner.run_headless`, the server's engine process, the engine benchmark) wrap the run in `exercise_pace()`,
which restores the previous thresholds on the way out.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

YOUNG_THRESHOLD = 10_000
"""Allocations (minus deallocations) of tracked objects between two collections of the young generation."""


@contextmanager
def exercise_pace() -> Iterator[None]:
    """Run the body with the young generation's threshold raised to `YOUNG_THRESHOLD` (the older generations'
    thresholds unchanged); the previous thresholds are restored afterwards, also when the body raises."""
    before = gc.get_threshold()
    gc.set_threshold(max(YOUNG_THRESHOLD, before[0]), *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)
