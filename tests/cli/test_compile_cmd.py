"""`amdx compile` and the kernel cache it relies on: a kernel compiled in one process is loaded, not compiled
again, in the next (else every run and every engine process would pay the compile time again)."""

from __future__ import annotations

import subprocess
import sys

_CALL = """
import numpy as np
from amdx.sensors.polar_kernels import polar_rows
polar_rows(np.array([[7.0e6, 1.0e5, 2.0e5]]), np.array([6.4e6, 0.0, 0.0]), np.eye(3))
print(sum(polar_rows.stats.cache_hits.values()), sum(polar_rows.stats.cache_misses.values()))
"""


def _child() -> tuple[int, int]:
    result = subprocess.run([sys.executable, "-c", _CALL], capture_output=True, text=True, timeout=300, check=True)
    hits, misses = result.stdout.split()
    return int(hits), int(misses)


def test_a_kernel_compiled_once_is_loaded_from_the_cache_by_the_next_process():
    _child()  # compiles (or loads) the signature
    assert _child() == (1, 0)


def test_compile_command_runs_and_reports(amdx):
    result = amdx("compile")
    assert result.returncode == 0, result.stderr
    assert "numeric kernels compiled or loaded from the cache in" in result.stdout
