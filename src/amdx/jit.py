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

The cache: numba checks a cached kernel against its own source file only, not against the files of the kernels
it calls and inlines (a kernel in `flight/surface.py` calling one of `flight/kepler_kernels.py` would keep the
old code after an edit of the latter). So the cache lives in a directory named by a digest of every kernel
module's source (and numba's version): `__pycache__/kernels-DIGEST` beside this file, or under
`$XDG_CACHE_HOME/amdx` (default `~/.cache/amdx`) when the package is read-only, or under `NUMBA_CACHE_DIR` when
that is set. Any edit of a kernel module starts a new, empty cache (and removes the old ones beside it). This is
the only file access of the core, done once at import and only for numba's cache.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import numba

_F = TypeVar("_F", bound=Callable[..., Any])
_PACKAGE = Path(__file__).resolve().parent
_MARK = b"from amdx.jit import kernel"
"""How a kernel module is recognised: it imports the decorator (a module that only reads the cache's place, such as
`amdx.runner`, is not one: editing it must not discard the cache). This file holds the mark too, so an edit of the
decorator starts a fresh cache as well."""


def kernel_sources_digest() -> str:
    """A digest of the source of every kernel module of the package (and of numba's version): it names the
    kernel cache, so that a change in any kernel module, a callee included, starts a fresh cache."""
    h = hashlib.sha256(numba.__version__.encode())
    for path in sorted(_PACKAGE.rglob("*.py")):
        text = path.read_bytes()
        if _MARK in text:
            h.update(path.relative_to(_PACKAGE).as_posix().encode() + b"\0" + text)
    return h.hexdigest()[:16]


def _writable(path: Path) -> bool:
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    return os.access(path, os.W_OK)


def _cache_dir(digest: str) -> Path:
    """The kernel cache directory of `digest` (see the module docstring); older siblings are removed."""
    user = os.environ.get("NUMBA_CACHE_DIR")
    xdg = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "amdx"
    parents = [Path(user)] if user else [_PACKAGE / "__pycache__", xdg]
    parent = next((p for p in parents if _writable(p)), parents[-1])
    for old in parent.glob("kernels-*"):
        if old.name != f"kernels-{digest}":
            shutil.rmtree(old, ignore_errors=True)
    return parent / f"kernels-{digest}"


KERNEL_CACHE_DIR = _cache_dir(kernel_sources_digest())
"""Where the compiled kernels of this version of the sources are cached."""
numba.config.CACHE_DIR = str(KERNEL_CACHE_DIR)


def kernel(fn: _F) -> _F:
    """Compile `fn` with amdx's kernel options (see the module docstring)."""
    return numba.njit(cache=True, error_model="numpy", nogil=True)(fn)  # type: ignore[no-any-return]
