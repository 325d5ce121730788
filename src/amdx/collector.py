"""The garbage collector's pace while an exercise runs.

Why: the engine allocates hundreds of thousands of short-lived containers per simulated minute (picture entries,
events, per-track records) and almost no reference cycles: a 900 s raid of 500 missiles run with automatic
collection off leaves 108 unreachable objects in all, most of them the scenario file's YAML loader. Reference
counting frees everything else, so every collection the cyclic collector makes during a run is nearly all waste.
With CPython's default thresholds (700, 10, 10) the young generation is collected over a thousand times in that
raid, and the older generations' passes walk the whole heap, modules and compiled kernels included: 1.6-1.8 s
of a 16-18 s run (`bench/bench_engine.py`, measured with `gc.callbacks` on CPython 3.11).

So the outer layers that run an exercise (`runner.run_headless`, the server's engine process, the engine benchmark)
wrap the run in `exercise_pace()`, which:
- raises the young generation's threshold to `YOUNG_THRESHOLD` (the older generations' unchanged): 0.5 s of
  collection with 10,000, 0.14-0.16 s with 100,000 or more in the 500-missile raid;
- freezes what is alive when the run starts (`gc.freeze`: modules, kernels, the scenario), so that no older
  generation's pass walks it again. At 2,000 missiles a single full pass over that heap took 0.76 s.
Cyclic garbage made during the run still goes, only later; memory grows by at most the young generation's extra
allocations. The setting is the process's, so the core never touches it (DESIGN.md §3); everything is restored on
the way out, also when the run raises.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

YOUNG_THRESHOLD = 100_000
"""Allocations (minus deallocations) of tracked objects between two collections of the young generation."""


@contextmanager
def exercise_pace() -> Iterator[None]:
    """Run the body with the young generation's threshold raised to `YOUNG_THRESHOLD` (the older generations'
    thresholds unchanged) and what is alive at its start frozen (`gc.freeze`). The previous thresholds are
    restored afterwards, also when the body raises, and the frozen objects go back to the collector's oldest
    generation, unless something else had frozen objects before (then all stay frozen, as that caller expects)."""
    before = gc.get_threshold()
    thaw = gc.get_freeze_count() == 0
    gc.freeze()
    gc.set_threshold(max(YOUNG_THRESHOLD, before[0]), *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)
        if thaw:
            gc.unfreeze()
