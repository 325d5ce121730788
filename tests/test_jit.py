"""The kernel options amdx compiles with (amdx.jit): IEEE semantics of the array code, no exceptions."""

import math

import numpy as np

from amdx.jit import KERNEL_CACHE_DIR, kernel, kernel_sources_digest


@kernel
def _ratio(a: float, b: float) -> float:
    return a / b


@kernel
def _sum(v: np.ndarray) -> float:
    total = 0.0
    for x in v:
        total += x
    return total


def test_division_by_zero_follows_ieee_like_numpy() -> None:
    with np.errstate(divide="ignore", invalid="ignore"):
        assert _ratio(1.0, 0.0) == np.float64(1.0) / np.float64(0.0) == math.inf
        assert math.isnan(_ratio(0.0, 0.0))


def test_a_loop_sums_in_source_order() -> None:
    # no fastmath: no reassociation, so the sum is the left-to-right IEEE sum: 1e16 + 1 rounds back to 1e16, so
    # ((1e16 + 1) − 1e16) + 1 = 1, where the exact sum (math.fsum) is 2
    v = np.array([1e16, 1.0, -1e16, 1.0])
    assert math.fsum(v) == 2.0
    assert _sum(v) == 1.0


def test_the_cache_is_named_by_the_kernel_sources() -> None:
    # the directory numba caches in is this version's, and named by a digest of every kernel module
    import numba

    assert str(KERNEL_CACHE_DIR) == numba.config.CACHE_DIR
    assert KERNEL_CACHE_DIR.name == f"kernels-{kernel_sources_digest()}"


def test_the_digest_covers_every_module_with_kernels_and_only_those():
    """The kernel cache is named by a digest of the kernel modules' sources: every module that defines a kernel
    (found here by parsing, independently of the digest's byte mark) and the decorator's own module are in it, and
    a module that only reads the cache's place (`amdx.runner`) is not."""
    import ast
    from pathlib import Path

    import amdx
    from amdx import jit

    package = Path(amdx.__file__).parent
    with_kernels = set()
    for path in package.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        decorated = any(isinstance(d, ast.Name) and d.id == "kernel" for node in ast.walk(tree)
                        if isinstance(node, ast.FunctionDef) for d in node.decorator_list)
        if decorated:
            with_kernels.add(path.relative_to(package).as_posix())
    marked = {path.relative_to(package).as_posix() for path in package.rglob("*.py") if jit._MARK in path.read_bytes()}
    assert with_kernels and with_kernels <= marked
    assert "jit.py" in marked and "runner.py" not in marked
