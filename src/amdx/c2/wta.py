"""Static weapon-target assignment (WTA): the public entry point `solve_wta` and its result type.

Problem: m weapon types with units_i identical units each, n targets with values v_j, single-shot kill
probabilities p_ij. Minimise the expected surviving value sum_j v_j prod_i (1 - p_ij)^x_ij subject to
sum_j x_ij <= units_i, x_ij non-negative integers. Forbidden pairs (authority, doctrine, envelope) are given
by `allowed` (False: that type may not fire at that target) or simply p_ij = 0.

Methods: "exact" (pattern MIP with OR-Tools, small instances, see `wta_exact`), "heuristic" (maximum
marginal return greedy, then iterated local search with moves, swaps and an assignment-based very large
neighbourhood, see `wta_search`), "auto" (exact when the model is small, else heuristic). Values are in any
consistent unit; probabilities are dimensionless; times in seconds.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from amdx.c2.wta_exact import pattern_count, solve_exact
from amdx.c2.wta_greedy import mmr_greedy
from amdx.c2.wta_search import improve

Method = Literal["auto", "exact", "heuristic"]
AUTO_EXACT_MAX_PATTERNS = 5_000  # pattern variables up to which "auto" solves exactly (under a second or so)


@dataclass(frozen=True)
class WtaResult:
    """A solution: `assignment[i]` lists the target index (0-based) of every assigned unit of type i, sorted.

    `objective` is the expected surviving value of that assignment; `time_s` the wall-clock solve time (s);
    `method` "exact", "heuristic" or "greedy"; `optimal` True only when the exact model proved optimality.
    """

    assignment: list[list[int]]
    objective: float
    time_s: float
    method: str
    optimal: bool

    def counts(self, n_targets: int) -> NDArray[np.int64]:
        """The assignment as counts x (m, n): units of type i on target j."""
        x = np.zeros((len(self.assignment), n_targets), dtype=np.int64)
        per = np.fromiter(map(len, self.assignment), np.int64, len(self.assignment))
        targets = np.fromiter(itertools.chain.from_iterable(self.assignment), np.int64, int(per.sum()))
        np.add.at(x, (np.repeat(np.arange(per.size), per), targets), 1)
        return x


def wta_objective(values: ArrayLike, pk: ArrayLike, counts: ArrayLike) -> float:
    """Expected surviving value sum_j v_j prod_i (1 - p_ij)^x_ij for counts x (m, n)."""
    v = np.asarray(values, dtype=float)
    q = 1.0 - np.asarray(pk, dtype=float)
    x = np.asarray(counts)
    return float(np.sum(v * np.prod(np.where(x > 0, q ** x, 1.0), axis=0)))


def _check(values: ArrayLike, pk: ArrayLike, units: ArrayLike | int, allowed: ArrayLike | None,
           ) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.int64]]:
    v = np.array(values, dtype=float)
    p = np.array(pk, dtype=float)
    if v.ndim != 1 or p.ndim != 2 or p.shape[1] != v.size:
        raise ValueError(f"expected values (n,) and pk (m, n); found {v.shape} and {p.shape}")
    if not (np.all(np.isfinite(v)) and np.all(v >= 0)):
        raise ValueError("target values must be finite and non-negative")
    if not (np.all(np.isfinite(p)) and np.all((p >= 0) & (p <= 1))):
        raise ValueError("kill probabilities must be in [0, 1]")
    u = np.broadcast_to(np.asarray(units), (p.shape[0],))
    if not (np.all(u == np.round(u)) and np.all(u >= 0)):
        raise ValueError("unit counts must be non-negative integers")
    if allowed is not None:
        mask = np.asarray(allowed, dtype=bool)
        if mask.shape != p.shape:
            raise ValueError(f"allowed must have the shape of pk {p.shape}, found {mask.shape}")
        p = np.where(mask, p, 0.0)
    return v, p, u.astype(np.int64).copy()


def solve_wta(values: ArrayLike, pk: ArrayLike, units: ArrayLike | int, *, allowed: ArrayLike | None = None,
              time_limit_s: float = 10.0, method: Method = "auto", seed: int = 0,
              max_rounds: int | None = None) -> WtaResult:
    """Solve a static WTA instance.

    values (n,) target values; pk (m, n) kill probabilities in [0, 1]; units (m,) or one int for every type;
    allowed (m, n) optional mask of permitted pairs. `time_limit_s` bounds the search (s). The heuristic is
    deterministic for a given `seed` when `max_rounds` (ruin-and-recreate rounds) bounds it before the time
    limit does; otherwise the number of rounds done depends on the machine's speed. Inputs are not modified.
    """
    start = time.perf_counter()
    v, p, u = _check(values, pk, units, allowed)
    if method not in ("auto", "exact", "heuristic"):
        raise ValueError(f"method must be 'auto', 'exact' or 'heuristic', found {method!r}")
    if method == "auto":
        small = pattern_count(p, u, AUTO_EXACT_MAX_PATTERNS) <= AUTO_EXACT_MAX_PATTERNS
        method = "exact" if small else "heuristic"
    optimal = False
    if method == "exact":
        x, optimal = solve_exact(v, p, u, time_limit_s)
    else:
        x0 = mmr_greedy(v, p, u)
        x, _ = improve(v, p, u, x0, seed=seed, deadline=start + time_limit_s, max_rounds=max_rounds)
    return _result(v, p, x, method, optimal, start)


def greedy_wta(values: ArrayLike, pk: ArrayLike, units: ArrayLike | int, *,
               allowed: ArrayLike | None = None) -> WtaResult:
    """Plain maximum-marginal-return greedy (the baseline the benchmark compares against)."""
    start = time.perf_counter()
    v, p, u = _check(values, pk, units, allowed)
    return _result(v, p, mmr_greedy(v, p, u), "greedy", False, start)


def _result(v: NDArray[np.float64], p: NDArray[np.float64], x: NDArray[np.int64], method: str, optimal: bool,
            start: float) -> WtaResult:
    targets = np.repeat(np.tile(np.arange(x.shape[1]), x.shape[0]), x.ravel()).tolist()  # every unit's, by type
    ends = np.cumsum(x.sum(axis=1)).tolist()
    assignment = [targets[a:b] for a, b in zip([0, *ends][:-1], ends, strict=True)]
    return WtaResult(assignment, wta_objective(v, p, x), time.perf_counter() - start, method, optimal)
