"""Exact static weapon-target assignment for small instances: a pattern MIP solved by OR-Tools (SCIP).

For every target j, every *pattern* (how many units of each weapon type it receives, c_i in 0..units_i, types
with zero kill probability on j left out since they cannot help) is a binary variable y_jk whose cost is the
exact expected surviving value v_j * prod_i (1 - p_ij)^c_i, computed beforehand. The model chooses one
pattern per target (sum_k y_jk = 1) within the unit counts (sum_jk c_jki y_jk <= units_i) at least cost.
It is the original problem, not a linearisation: "exact" means optimal over all integer assignments, up to
SCIP's default tolerances (relative gap 0, feasibility 1e-6 on the binaries), and the objective is recomputed
from the returned counts. The number of patterns grows as prod_i (units_i + 1) per target, so this is for
small instances only (`pattern_count` tells how big the model would be). A sparse instance is solved without the
MIP when its components' dynamic programme is small enough (`wta_components`: an optimum of the same model, ties
decided by the programme's order, without the solver's setup).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from amdx.c2.wta_components import solve_components


def pattern_count(pk: NDArray[np.float64], units: NDArray[np.int64], limit: int = 10**7) -> int:
    """Number of pattern variables of the exact model (capped at `limit` + 1 to stay cheap)."""
    if limit < 2**52 and pk.ndim == 2:
        # all columns at once: products and their sum in floats are exact integers while they stay below
        # 2^53, and every factor is >= 1, so "the product or the running sum passed the limit somewhere" is
        # "the final product or sum is above it"
        factors = np.where(pk > 0, np.asarray(units, dtype=np.float64)[:, None] + 1.0, 1.0)
        per = np.prod(factors, axis=0)
        total = float(per.sum())
        return limit + 1 if total > limit or (per > limit).any() else int(total)
    total = 0
    for j in range(pk.shape[1]):
        per = 1
        for i in np.flatnonzero(pk[:, j] > 0):
            per *= int(units[i]) + 1
            if per > limit:
                return limit + 1
        total += per
        if total > limit:
            return limit + 1
    return total


def _patterns(units: NDArray[np.int64], active: NDArray[np.int64]) -> NDArray[np.int64]:
    """All count vectors (P, len(active)) with 0 <= c_i <= units[active[i]]."""
    if active.size == 0:
        return np.zeros((1, 0), dtype=np.int64)
    grids = np.indices(tuple(int(units[i]) + 1 for i in active))
    return grids.reshape(active.size, -1).T.astype(np.int64)


def solve_exact(values: NDArray[np.float64], pk: NDArray[np.float64], units: NDArray[np.int64],
                time_limit_s: float) -> tuple[NDArray[np.int64], bool]:
    """Solve the pattern MIP: (counts x (m, n), proven optimal). Raises RuntimeError if no solution is found.

    values (n,), pk (m, n) in [0, 1], units (m,); `time_limit_s` is SCIP's wall-clock limit (s). An instance
    small enough for `wta_components` is answered from there (proven optimal).
    """
    x = solve_components(values, pk, units)
    if x is not None:
        return x, True
    from ortools.linear_solver import pywraplp

    m, n = pk.shape
    q = 1.0 - pk
    solver = pywraplp.Solver.CreateSolver("SCIP")
    if solver is None:  # pragma: no cover - SCIP ships with every OR-Tools wheel
        raise RuntimeError("OR-Tools has no SCIP solver in this build")
    solver.SetTimeLimit(max(1, int(time_limit_s * 1000)))
    # the model through the solver's direct API (coefficients set one by one), not the natural-API expressions:
    # the same rows, in the same order, with the same coefficients, without building Python expression trees
    objective = solver.Objective()
    use: list[list[tuple[Any, int]]] = [[] for _ in range(m)]
    chosen: list[tuple[int, NDArray[np.int64], NDArray[np.int64], list]] = []
    for j in range(n):
        active = np.flatnonzero(pk[:, j] > 0)
        pats = _patterns(units, active)
        cost = values[j] * np.prod(q[active, j][None, :] ** pats, axis=1)  # exact survival per pattern
        ys = [solver.BoolVar(f"y_{j}_{k}") for k in range(pats.shape[0])]
        one = solver.Constraint(1.0, 1.0)  # one pattern per target
        for y in ys:
            one.SetCoefficient(y, 1.0)
        for c, y in zip(cost.tolist(), ys, strict=True):
            objective.SetCoefficient(y, c)
        for col, i in enumerate(active.tolist()):
            use[i].extend((y, c) for c, y in zip(pats[:, col].tolist(), ys, strict=True) if c)
        chosen.append((j, active, pats, ys))
    for i in range(m):  # every type's capacity row, an empty one too (as the expression model had it)
        row = solver.Constraint(-solver.infinity(), float(int(units[i])))
        for y, c in use[i]:
            row.SetCoefficient(y, float(c))
    objective.SetMinimization()
    status = solver.Solve()
    if status not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
        raise RuntimeError(f"the exact model found no solution within {time_limit_s} s (status {status})")
    x = np.zeros((m, n), dtype=np.int64)
    for j, active, pats, ys in chosen:
        k = int(np.argmax([y.solution_value() for y in ys]))
        x[active, j] = pats[k]
    return x, status == pywraplp.Solver.OPTIMAL
