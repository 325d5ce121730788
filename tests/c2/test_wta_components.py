"""`solve_components` against brute force: every assignment enumerated, the optimum unique or not."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from amdx.c2.wta_components import MARGIN_REL, solve_components


def _all_costs(v: np.ndarray, p: np.ndarray, u: np.ndarray) -> list[tuple[float, np.ndarray]]:
    """(cost, counts) of every feasible assignment of a tiny instance, by enumeration."""
    m, n = p.shape
    out = []
    for flat in itertools.product(*[range(int(u[i]) + 1) for i in range(m) for _ in range(n)]):
        x = np.array(flat, dtype=np.int64).reshape(m, n)
        if (x.sum(axis=1) > u).any() or ((x > 0) & (p <= 0)).any():
            continue  # over a type's units, or a unit on a target it cannot kill (no such pattern)
        out.append((float(np.sum(v * np.prod((1.0 - p) ** x, axis=0))), x))
    return sorted(out, key=lambda c: c[0])


@pytest.mark.parametrize("seed", range(60))
def test_unique_optimum_or_none(seed: int) -> None:
    rng = np.random.default_rng(seed)
    m, n = int(rng.integers(1, 4)), int(rng.integers(1, 4))
    grid = seed % 3 == 0  # coarse probabilities and values: ties happen
    p = np.full((m, n), 0.5) if grid else np.round(rng.random((m, n)), 3)
    p = np.where(rng.random((m, n)) < 0.7, p, 0.0)
    v = np.ones(n) if grid else np.round(rng.random(n) * 10.0, 3)
    u = rng.integers(0, 3, m)
    costs = _all_costs(v, p, u)
    x = solve_components(v, p, u)
    unique = len(costs) == 1 or costs[1][0] - costs[0][0] > MARGIN_REL * (1.0 + v.sum())
    if unique:
        assert x is not None
        np.testing.assert_array_equal(x, costs[0][1])
    else:
        assert x is None


def test_a_tie_is_left_to_the_mip() -> None:
    # one round, two equal threats: either assignment is optimal, so the MIP's own choice must stand
    assert solve_components(np.array([2.0, 2.0]), np.array([[0.5, 0.5]]), np.array([1])) is None
    assert solve_components(np.array([2.0, 2.0]), np.array([[0.5, 0.5001]]), np.array([1])) is not None


def test_independent_parts_and_idle_types() -> None:
    # two batteries each alone on its own pair of targets, a third with no rounds, a target nobody reaches
    v = np.array([5.0, 3.0, 4.0, 1.0, 9.0])
    p = np.array([[0.9, 0.6, 0.0, 0.0, 0.0],
                  [0.0, 0.0, 0.7, 0.2, 0.0],
                  [0.9, 0.9, 0.9, 0.9, 0.0]])
    u = np.array([1, 2, 0])
    x = solve_components(v, p, u)
    expected = np.zeros((3, 5), dtype=np.int64)
    expected[0, 0] = 1  # 5·0.1 + 3 < 5 + 3·0.4
    expected[1, 2] = 2  # 4·0.09 + 1 < 4·0.3 + 0.8 < 4 + 0.64
    assert x is not None
    np.testing.assert_array_equal(x, expected)


def test_too_many_states_is_left_to_the_mip() -> None:
    p = np.full((7, 2), 0.5) + np.arange(7)[:, None] * 0.01
    assert solve_components(np.array([1.0, 2.0]), p, np.full(7, 4)) is None  # 5^7 states
