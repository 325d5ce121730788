"""The kernel options amdx compiles with (amdx.jit): IEEE semantics of the array code, no exceptions."""

import math

import numpy as np

from amdx.jit import kernel


@kernel
def _ratio(a: float, b: float) -> float:
    return a / b


@kernel
def _sum_of_squares(v: np.ndarray) -> float:
    total = 0.0
    for x in v:
        total += x * x
    return total


def test_division_by_zero_follows_ieee_like_numpy() -> None:
    with np.errstate(divide="ignore", invalid="ignore"):
        assert _ratio(1.0, 0.0) == np.float64(1.0) / np.float64(0.0) == math.inf
        assert math.isnan(_ratio(0.0, 0.0))


def test_a_loop_sums_in_source_order() -> None:
    # no fastmath: no reassociation, so the sum is the left-to-right IEEE sum (math.fsum would differ here)
    v = np.array([1e16, 1.0, -1e16, 1.0])
    left_to_right = ((0.0 + 1e16 * 1e16) + 1.0) + (-1e16) * (-1e16) + 1.0
    assert _sum_of_squares(v) == left_to_right
