"""`solve_components` against brute force (every assignment enumerated) and against SCIP (OR-Tools)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from amdx.c2.wta_components import solve_components


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


def _cost(v: np.ndarray, p: np.ndarray, x: np.ndarray) -> float:
    return float(np.sum(v * np.prod((1.0 - p) ** x, axis=0)))


@pytest.mark.parametrize("seed", range(60))
def test_an_optimum_whether_unique_or_tied(seed: int) -> None:
    rng = np.random.default_rng(seed)
    m, n = int(rng.integers(1, 4)), int(rng.integers(1, 4))
    grid = seed % 3 == 0  # coarse probabilities and values: ties happen
    p = np.full((m, n), 0.5) if grid else np.round(rng.random((m, n)), 3)
    p = np.where(rng.random((m, n)) < 0.7, p, 0.0)
    v = np.ones(n) if grid else np.round(rng.random(n) * 10.0, 3)
    u = rng.integers(0, 3, m)
    costs = _all_costs(v, p, u)
    x = solve_components(v, p, u)
    assert x is not None
    assert (x.sum(axis=1) <= u).all() and not ((x > 0) & (p <= 0)).any()
    assert _cost(v, p, x) == pytest.approx(costs[0][0], rel=1e-12, abs=1e-12)
    if len(costs) == 1 or costs[1][0] - costs[0][0] > 1e-9 * (1.0 + v.sum()):
        np.testing.assert_array_equal(x, costs[0][1])  # a unique optimum: that very assignment


def test_a_tie_is_decided_the_same_way_every_time() -> None:
    # one round, two equal threats: either assignment is optimal; the programme's order takes the first threat
    x = solve_components(np.array([2.0, 2.0]), np.array([[0.5, 0.5]]), np.array([1]))
    np.testing.assert_array_equal(x, [[1, 0]])
    np.testing.assert_array_equal(solve_components(np.array([2.0, 2.0]), np.array([[0.5, 0.5001]]),
                                                   np.array([1])), [[0, 1]])  # no tie: the better pk


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


def test_too_much_work_is_refused_before_it_starts() -> None:
    # 12 single-round batteries each reaching 6 of 78 targets: 4,096 states (allowed) × 64 patterns × 78 targets,
    # about 20 M entries, far over the budget: refused at once rather than after seconds of work
    rng = np.random.default_rng(2)
    p = np.zeros((12, 78))
    for j in range(78):
        p[rng.choice(12, 6, replace=False), j] = 0.2 + 0.7 * rng.random(6)
    assert solve_components(1.0 + 99.0 * rng.random(78), p, np.ones(12, dtype=np.int64)) is None


@pytest.mark.parametrize("seed", range(12))
def test_same_assignment_as_the_mip_solver(seed: int) -> None:
    # larger sparse instances than enumeration allows: wherever the components answer, SCIP (OR-Tools), given the
    # same pattern model, finds the same least cost
    pywraplp = pytest.importorskip("ortools.linear_solver.pywraplp")
    rng = np.random.default_rng(100 + seed)
    m, n = int(rng.integers(4, 12)), int(rng.integers(6, 25))
    p = np.where(rng.random((m, n)) < 0.25, np.round(0.2 + 0.7 * rng.random((m, n)), 4), 0.0)
    v = np.round(1.0 + 99.0 * rng.random(n), 3)
    u = rng.integers(0, 3, m)
    x = solve_components(v, p, u)
    if x is None:
        pytest.skip("too big for the programme: the MIP decides")
    solver = pywraplp.Solver.CreateSolver("SCIP")
    use: list[list[tuple[object, int]]] = [[] for _ in range(m)]
    chosen = []
    for j in range(n):
        active = np.flatnonzero((p[:, j] > 0) & (u > 0))
        pats = list(itertools.product(*[range(int(u[i]) + 1) for i in active]))
        ys = [solver.BoolVar(f"y{j}_{k}") for k in range(len(pats))]
        solver.Add(sum(ys) == 1)
        for y, c in zip(ys, pats, strict=True):
            for i, ci in zip(active.tolist(), c, strict=True):
                if ci:
                    use[i].append((y, ci))
        chosen.append((active, pats, ys))
    for i in range(m):
        if use[i]:
            solver.Add(sum(c * y for y, c in use[i]) <= int(u[i]))
    solver.Minimize(sum(float(v[j] * np.prod((1.0 - p[active, j]) ** np.array(c))) * y
                        for j, (active, pats, ys) in enumerate(chosen) for y, c in zip(ys, pats, strict=True)))
    assert solver.Solve() == pywraplp.Solver.OPTIMAL
    mip = np.zeros((m, n), dtype=np.int64)
    for j, (active, pats, ys) in enumerate(chosen):
        k = max(range(len(ys)), key=lambda r: ys[r].solution_value())
        mip[active, j] = pats[k]
    assert (x.sum(axis=1) <= u).all()
    assert _cost(v, p, x) == pytest.approx(_cost(v, p, mip), rel=1e-9)  # ties may be decided otherwise
