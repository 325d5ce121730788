"""The exact WTA model's size: `pattern_count` against an enumeration of every pattern, and its cap."""

from __future__ import annotations

import itertools

import numpy as np

from amdx.c2.wta_exact import pattern_count


def _enumerated(pk: np.ndarray, units: np.ndarray) -> int:
    """Count the patterns one by one: per target, every count vector over the types that can hit it."""
    total = 0
    for j in range(pk.shape[1]):
        active = [i for i in range(pk.shape[0]) if pk[i, j] > 0]
        total += sum(1 for _ in itertools.product(*(range(int(units[i]) + 1) for i in active)))
    return total


def test_pattern_count_equals_the_enumeration_and_caps_at_the_limit():
    rng = np.random.default_rng(3)
    for _ in range(200):
        m, n = rng.integers(0, 5), rng.integers(0, 12)
        pk = rng.uniform(0, 1, (m, n)) * (rng.random((m, n)) < 0.6)
        units = rng.integers(0, 4, m)
        exact = _enumerated(pk, units)
        assert pattern_count(pk, units) == exact
        for limit in (0, exact - 1, exact, exact + 1):
            if limit >= 0:
                assert pattern_count(pk, units, limit) == (exact if exact <= limit else limit + 1)


def test_one_target_beyond_the_limit_caps_even_when_the_sum_would_not_overflow():
    pk = np.array([[0.5, 0.0], [0.5, 0.0], [0.5, 0.5]])
    units = np.array([9, 9, 9])  # 1000 patterns on target 0, 10 on target 1
    assert pattern_count(pk, units) == 1010
    assert pattern_count(pk, units, 999) == 1000
