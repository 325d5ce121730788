"""Compiled kernels: the one way amdx compiles a numeric inner loop (numba, ahead of first use, cached on disk).

Why: the engine's hot paths (tracker prediction and update, Kepler solves, fusion, threat evaluation) run on a
few hundred to a few thousand small 6×6 problems per step. numpy spends most of that time in per-call overhead
and temporaries; a loop compiled by numba does the same arithmetic in one pass. Measured on the tracker's
ballistic prediction (RK4 with the state-transition matrix, 1,500 tracks, one 1 s step): 3.0 ms in numpy,
0.7 ms compiled (4.3x), on the shared 2-core EPYC. That is the "measured reason" DESIGN.md §6 asks for.

Conventions for every kernel:
- `kernel` = `numba.njit` with `cache=True` (compiled once per machine, then loaded from `__pycache__`),
  `error_model="numpy"` (division by zero gives inf/nan as the array code does, never an exception),
  no `fastmath` and no `parallel`: IEEE arithmetic in source order, so a run is deterministic and one thread
  (the engine's process model, DESIGN.md §3) stays the unit of work.
- Kernels take and return numpy arrays and plain numbers only, hold no state and draw no random numbers
  (randomness stays with the caller's named streams).
- `NUMBA_DISABLE_JIT=1` runs every kernel as plain Python (slow), for debugging and coverage.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import numba

_F = TypeVar("_F", bound=Callable[..., Any])


def kernel(fn: _F) -> _F:
    """Compile `fn` with amdx's kernel options (see the module docstring)."""
    return numba.njit(cache=True, error_model="numpy", nogil=True)(fn)  # type: ignore[no-any-return]
