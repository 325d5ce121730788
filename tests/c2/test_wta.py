"""WTA solver against brute-force enumeration of every feasible assignment on tiny random instances."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from amdx.c2 import greedy_wta, solve_wta


def _per_type_options(n: int, mu: int) -> list[tuple[int, ...]]:
    """Every count vector over n targets using at most mu units."""
    return [c for c in itertools.product(range(mu + 1), repeat=n) if sum(c) <= mu]


def brute_force(values: np.ndarray, pk: np.ndarray, units: np.ndarray) -> float:
    """Minimum of sum_j v_j prod_i (1 - p_ij)^x_ij over all feasible integer x, by enumeration."""
    m, n = pk.shape
    best = np.inf
    for combo in itertools.product(*(_per_type_options(n, int(units[i])) for i in range(m))):
        x = np.array(combo)
        surv = 1.0
        total = 0.0
        for j in range(n):
            surv = 1.0
            for i in range(m):
                surv *= (1.0 - pk[i, j]) ** x[i, j]
            total += values[j] * surv
        best = min(best, total)
    return best


def recompute(values: np.ndarray, pk: np.ndarray, assignment: list[list[int]]) -> float:
    """The objective from the returned per-type target lists, written out independently of amdx."""
    surv = np.ones(len(values))
    for i, targets in enumerate(assignment):
        for j in targets:
            surv[j] *= 1.0 - pk[i, j]
    return float(np.dot(values, surv))


def _instance(seed: int, m: int = 3, n: int = 4, mu_max: int = 2):
    rng = np.random.default_rng(seed)
    values = rng.integers(1, 100, n).astype(float)
    pk = rng.uniform(0.05, 0.95, (m, n))
    pk[rng.random((m, n)) < 0.15] = 0.0  # a few forbidden pairs
    units = rng.integers(1, mu_max + 1, m)
    return values, pk, units


def _respects(assignment: list[list[int]], units: np.ndarray, n: int, pk: np.ndarray | None = None) -> None:
    assert len(assignment) == len(units)
    for i, targets in enumerate(assignment):
        assert len(targets) <= units[i]
        assert all(0 <= j < n for j in targets)
        if pk is not None:
            assert all(pk[i, j] > 0 for j in targets), "a unit went to a forbidden pair"


@pytest.mark.parametrize("seed", range(12))
def test_exact_matches_brute_force(seed):
    values, pk, units = _instance(seed)
    res = solve_wta(values, pk, units, method="exact", time_limit_s=10)
    assert res.optimal and res.method == "exact"
    _respects(res.assignment, units, len(values))
    assert res.objective == pytest.approx(brute_force(values, pk, units), rel=1e-9, abs=1e-9)
    assert recompute(values, pk, res.assignment) == pytest.approx(res.objective, rel=1e-12)


@pytest.mark.parametrize("seed", range(12))
def test_heuristic_is_near_the_brute_force_optimum(seed):
    values, pk, units = _instance(seed)
    res = solve_wta(values, pk, units, method="heuristic", time_limit_s=5, max_rounds=200, seed=seed)
    assert not res.optimal and res.method == "heuristic"
    _respects(res.assignment, units, len(values), pk)
    assert res.objective <= brute_force(values, pk, units) * (1 + 1e-3) + 1e-9
    assert recompute(values, pk, res.assignment) == pytest.approx(res.objective, rel=1e-12)


def test_heuristic_beats_greedy_where_greedy_is_myopic():
    # Two targets worth 10; type 0 kills either with 0.9, type 1 only target 0 with 0.8. Greedy gives type 0
    # to target 0 (gain 9) and type 1 adds little there; the optimum sends type 0 to target 1:
    # surviving 10*0.2 + 10*0.1 = 3.0 (closed form) against greedy's 10*0.1*0.2 + 10 = 10.2.
    values = np.array([10.0, 10.0])
    pk = np.array([[0.9, 0.9], [0.8, 0.0]])
    assert greedy_wta(values, pk, 1).objective == pytest.approx(10.2)
    res = solve_wta(values, pk, 1, method="heuristic", max_rounds=20)
    assert res.objective == pytest.approx(3.0)
    assert res.assignment == [[1], [0]]


def test_mask_and_unit_vector_are_respected():
    values = np.array([50.0, 40.0, 30.0])
    pk = np.full((2, 3), 0.7)
    allowed = np.array([[False, True, True], [True, False, False]])
    for method in ("exact", "heuristic"):
        res = solve_wta(values, pk, [2, 1], allowed=allowed, method=method, max_rounds=50)
        assert res.assignment[1] == [0]
        assert 0 not in res.assignment[0] and len(res.assignment[0]) == 2
        # closed form: target 0 gets the type-1 unit, targets 1 and 2 one type-0 unit each
        assert res.objective == pytest.approx(0.3 * 120.0)


def test_deterministic_for_a_seed_and_inputs_untouched():
    values, pk, units = _instance(99, m=6, n=8, mu_max=3)
    pk_copy, values_copy = pk.copy(), values.copy()
    a = solve_wta(values, pk, units, method="heuristic", max_rounds=30, seed=4)
    b = solve_wta(values, pk, units, method="heuristic", max_rounds=30, seed=4)
    assert a.assignment == b.assignment and a.objective == b.objective
    assert np.array_equal(pk, pk_copy) and np.array_equal(values, values_copy)


def test_useless_units_stay_unassigned_and_bad_input_is_refused():
    res = solve_wta([5.0, 7.0], np.zeros((2, 2)), 2, method="heuristic", max_rounds=5)
    assert res.assignment == [[], []] and res.objective == pytest.approx(12.0)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        solve_wta([1.0], [[1.2]], 1)
    with pytest.raises(ValueError, match="expected values"):
        solve_wta([1.0, 2.0], [[0.5]], 1)
    with pytest.raises(ValueError, match="method"):
        solve_wta([1.0], [[0.5]], 1, method="magic")  # type: ignore[arg-type]


def test_auto_is_exact_on_small_instances():
    values, pk, units = _instance(3)
    res = solve_wta(values, pk, units)
    assert res.method == "exact" and res.optimal


@pytest.mark.parametrize("seed", range(4))
def test_certain_kills_and_ties(seed):
    # probabilities 0, 0.5 and exactly 1: ties everywhere and survival factors of exactly zero
    values, pk, units = _instance(100 + seed)
    pk = np.round(pk * 2) / 2
    best = brute_force(values, pk, units)
    for method in ("exact", "heuristic"):
        res = solve_wta(values, pk, units, method=method, max_rounds=200, seed=seed)
        _respects(res.assignment, units, len(values))
        assert res.objective == pytest.approx(best, rel=1e-9, abs=1e-9)
        assert recompute(values, pk, res.assignment) == pytest.approx(res.objective, rel=1e-12, abs=1e-12)
