"""Counts ↔ per-unit targets: `counts_to_targets` and `WtaResult.counts` against the plain per-type rule."""

from __future__ import annotations

import numpy as np
import pytest

from amdx.c2.wta import WtaResult
from amdx.c2.wta_search import counts_to_targets


def _plain(x: np.ndarray, units: np.ndarray) -> list[int]:
    out: list[int] = []
    for row, total in zip(x.tolist(), units.tolist(), strict=True):
        mine = [j for j, c in enumerate(row) for _ in range(c)]
        out.extend(mine + [-1] * (total - len(mine)))
    return out


def test_counts_to_targets_is_the_per_type_rule_and_counts_invert_it() -> None:
    rng = np.random.default_rng(3)
    units = rng.integers(0, 5, 7)
    x = np.zeros((7, 6), dtype=np.int64)
    for i, u in enumerate(units.tolist()):
        np.add.at(x[i], rng.integers(0, 6, rng.integers(0, u + 1)), 1)
    got = counts_to_targets(x, units)
    assert got.dtype == np.int64 and got.tolist() == _plain(x, units)
    per_type = np.split(got, np.cumsum(units)[:-1])
    result = WtaResult([t[t >= 0].tolist() for t in per_type], 0.0, 0.0, "heuristic", False)
    np.testing.assert_array_equal(result.counts(6), x)
    assert counts_to_targets(np.zeros((0, 3), np.int64), np.zeros(0, np.int64)).size == 0


def test_more_units_assigned_than_a_type_has_is_an_error() -> None:
    with pytest.raises(ValueError, match="more units"):
        counts_to_targets(np.array([[2, 1]]), np.array([2]))
