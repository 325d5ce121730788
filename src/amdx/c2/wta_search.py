"""Improvement heuristic for the static weapon-target assignment problem.

A solution is a target index per weapon unit (-1: unassigned). Three neighbourhoods, each applied as a batch
of improving changes on pairwise disjoint targets (the objective is a sum over targets, so such changes add up
exactly):

- *move*: one unit to another target;
- *swap*: two units of different types on different targets exchange their targets;
- *layer re-assignment* (a very large neighbourhood): take at most one unit off each target and put them back
  optimally under the rule "at most one of them per target". With the other units fixed the cost of that
  re-insertion is linear, so a sparse linear assignment (scipy's min_weight_full_bipartite_matching, over the
  `LAYER_TOP_K` most promising pairs of each unit and of each target plus the current pairs) solves it; the
  current solution is in that neighbourhood, so it never gets worse.

Local optima are escaped by ruin and recreate (take a few random units and every unit on a few random
targets off, put them back by maximum marginal return, descend again; every `LAYER_EVERY` rounds the descent
also tries the layer neighbourhood). A new current solution is accepted when it is at most `ACCEPT` times the
best; after `RESET_ROUNDS` rounds without a new best the search goes back to the best, and it stops after
`STALL_ROUNDS` such rounds, after `max_rounds` or at the deadline. Deterministic for a given seed when the
deadline (a `time.perf_counter()` value) does not cut it short.
"""

from __future__ import annotations

import time

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import linear_sum_assignment
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

from amdx.c2.wta_greedy import move_deltas, reinsert_units

LAYER_TRIES = 2  # failed layer re-assignments (fresh random layers) before a descent stops
LAYER_TOP_K = 16  # candidate targets per unit and candidate units per target in the sparse assignment
LAYER_EVERY = 10  # every this many ruin-and-recreate rounds the descent also tries the layer neighbourhood
ACCEPT = 1.02  # a new current solution may be this much worse than the best (diversification)
STALL_ROUNDS = 2000  # stop after this many rounds without a better best solution
RESET_ROUNDS = 300  # go back to the best solution after this many rounds without a better one
_Q_FLOOR = 1e-300  # keeps logs and divisions finite for p = 1; the final objective is recomputed exactly


class _Problem:
    """Precomputed arrays of one instance (read-only)."""

    def __init__(self, values: NDArray[np.float64], pk: NDArray[np.float64], units: NDArray[np.int64],
                 ) -> None:
        self.v = np.asarray(values, dtype=float)
        self.p = np.asarray(pk, dtype=float)
        self.q = np.maximum(1.0 - self.p, _Q_FLOOR)
        self.lq = np.log(self.q)
        self.m, self.n = self.p.shape
        self.utype = np.repeat(np.arange(self.m), np.asarray(units, dtype=np.int64))
        self.nu = self.utype.size

    def surv(self, tgt: NDArray[np.int64]) -> NDArray[np.float64]:
        """v_j * S_j per target (n,) for the unit targets `tgt`."""
        on = tgt >= 0
        logs = np.bincount(tgt[on], weights=self.lq[self.utype[on], tgt[on]], minlength=self.n)
        return self.v * np.exp(logs)

    def objective(self, tgt: NDArray[np.int64]) -> float:
        return float(self.surv(tgt).sum())


def counts_to_targets(x: NDArray[np.int64], units: NDArray[np.int64]) -> NDArray[np.int64]:
    """Counts x (m, n) → target per unit (-1: unassigned), units ordered by type as in `_Problem.utype`: each
    type's assigned units first, by target, then its unassigned ones."""
    x, units = np.asarray(x, dtype=np.int64), np.asarray(units, dtype=np.int64)
    if np.any(x.sum(axis=1) > units):
        raise ValueError("more units assigned than a type has")
    on = np.repeat(np.tile(np.arange(x.shape[1]), x.shape[0]), x.ravel())  # the assigned units' targets, by type
    assigned = x.sum(axis=1)
    first = np.cumsum(units) - units  # each type's first unit
    out = np.full(int(units.sum()), -1, dtype=np.int64)
    out[np.repeat(first - (np.cumsum(assigned) - assigned), assigned) + np.arange(on.size)] = on
    return out


def _disjoint(delta: NDArray[np.float64], ta: NDArray[np.int64], tb: NDArray[np.int64],
              ua: NDArray[np.int64], ub: NDArray[np.int64], n: int, nu: int) -> NDArray[np.int64]:
    """Indices of improving candidates (delta < 0), best first, touching each target and unit at most once."""
    order = np.argsort(delta, kind="stable")
    order = order[delta[order] < -1e-12 * max(1.0, float(np.abs(delta).max(initial=0.0)))]
    used_t = np.zeros(n + 1, dtype=bool)
    used_u = np.zeros(nu, dtype=bool)
    keep = []
    for k in order:
        a, b, u, w = ta[k], tb[k], ua[k], ub[k]
        if used_t[a] or used_t[b] or used_u[u] or (w >= 0 and used_u[w]):
            continue
        used_t[a] = used_t[b] = True
        used_t[n] = False  # index n stands for "unassigned" and never blocks
        used_u[u] = True
        if w >= 0:
            used_u[w] = True
        keep.append(k)
    return np.asarray(keep, dtype=np.int64)


def _moves(pb: _Problem, tgt: NDArray[np.int64]) -> NDArray[np.int64]:
    """Apply a batch of improving single-unit moves; returns the targets that changed."""
    if pb.n == 0:
        return np.zeros(0, dtype=np.int64)
    delta, ta, b = move_deltas(pb.p, pb.q, pb.utype, pb.surv(tgt), tgt)
    keep = _disjoint(delta, ta, b, np.arange(pb.nu), np.full(pb.nu, -1), pb.n, pb.nu)
    if keep.size == 0:
        return np.zeros(0, dtype=np.int64)
    old = tgt[keep]
    tgt[keep] = b[keep]
    return np.concatenate([old[old >= 0], b[keep]])


def _swaps(pb: _Problem, tgt: NDArray[np.int64], dirty: NDArray[np.bool_]) -> NDArray[np.int64]:
    """Apply a batch of improving swaps between assigned units of different types on different targets.

    Only pairs with at least one unit on a `dirty` target are examined (the others were examined before and
    their gains depend only on their own two targets). Returns the targets that changed.
    """
    idx = np.flatnonzero(tgt >= 0)
    if idx.size < 2:
        return np.zeros(0, dtype=np.int64)
    vs = pb.surv(tgt)
    t = pb.utype[idx]
    a = tgt[idx]
    rows = np.flatnonzero(dirty[a])
    if rows.size == 0:
        return np.zeros(0, dtype=np.int64)
    big_v = vs[a]
    big_a = big_v / pb.q[t, a]
    tr, ar = t[rows], a[rows]
    # unit u (a row) goes to unit w's target and w to u's: the changes of expected surviving value there
    delta = (big_a[rows, None] * pb.q[t[None, :], ar[:, None]] - big_v[rows, None]) \
        + (big_a[None, :] * pb.q[tr[:, None], a[None, :]] - big_v[None, :])
    delta[(tr[:, None] == t[None, :]) | (ar[:, None] == a[None, :])] = 0.0
    cand = np.flatnonzero(delta < 0)
    if cand.size == 0:
        return np.zeros(0, dtype=np.int64)
    r, c = np.divmod(cand, idx.size)
    r = rows[r]
    keep = _disjoint(delta.ravel()[cand], a[r], a[c], idx[r], idx[c], pb.n, pb.nu)
    if keep.size == 0:
        return np.zeros(0, dtype=np.int64)
    ur, uc = idx[r[keep]], idx[c[keep]]
    tgt[ur], tgt[uc] = a[c[keep]], a[r[keep]]
    return np.concatenate([a[r[keep]], a[c[keep]]])


def _layer(pb: _Problem, tgt: NDArray[np.int64], rng: np.random.Generator, top_k: int = LAYER_TOP_K,
           ) -> NDArray[np.int64]:
    """Re-assign one random unit per occupied target by linear assignment (each target gets at most one back).

    Each chosen unit may go to its current target or to one of its `top_k` best targets (a sparse assignment
    problem, much faster than the dense one and almost always as good).
    """
    on = np.flatnonzero(tgt >= 0)
    if on.size == 0:
        return np.zeros(0, dtype=np.int64)
    perm = rng.permutation(on)
    _, first = np.unique(tgt[perm], return_index=True)
    chosen = perm[first]
    k = chosen.size
    rest = tgt.copy()
    rest[chosen] = -1
    vs = pb.surv(rest)
    cost = vs[None, :] * (pb.q[pb.utype[chosen]] - 1.0)  # change of the objective per (unit, target)
    cur = tgt[chosen]
    old = cost[np.arange(k), cur].sum()
    if top_k < pb.n:
        cols = np.argpartition(cost, top_k, axis=1)[:, :top_k]
        by_col = np.argpartition(cost, min(top_k, k - 1), axis=0)[: min(top_k, k)]  # best units per target
        keys = np.unique(np.concatenate([(np.arange(k)[:, None] * pb.n + cols).ravel(),
                                         np.arange(k) * pb.n + cur,
                                         (by_col * pb.n + np.arange(pb.n)[None, :]).ravel()]))
        rows, cols = np.divmod(keys, pb.n)
        w = cost[rows, cols]
        # integer weights >= 1: a constant shift keeps the optimum (every unit is matched once), and whole
        # numbers keep the sparse solver's comparisons exact (with tiny float gaps it can cycle for ever)
        span = float(w.max() - w.min())
        w = np.rint((w - w.min()) * (1e12 / span if span > 0 else 0.0)) + 1.0
        graph = coo_matrix((w, (rows, cols)), shape=(k, pb.n)).tocsr()
        try:
            r_idx, c_idx = min_weight_full_bipartite_matching(graph)
        except ValueError:
            r_idx, c_idx = linear_sum_assignment(cost)
    else:
        r_idx, c_idx = linear_sum_assignment(cost)
    new = cost[r_idx, c_idx].sum()
    if new >= old - 1e-12 * max(1.0, abs(old)):
        return np.zeros(0, dtype=np.int64)
    tgt[chosen[r_idx]] = c_idx
    return np.concatenate([cur, c_idx])


def descend(pb: _Problem, tgt: NDArray[np.int64], rng: np.random.Generator, deadline: float,
            layer_tries: int = 2, dirty: NDArray[np.bool_] | None = None) -> None:
    """Local search to a local optimum of moves, swaps and layer re-assignment (modifies `tgt`).

    `dirty` marks the targets changed since `tgt` was last a swap-local optimum (default: all).
    """
    dirty = np.ones(pb.n, dtype=bool) if dirty is None else dirty.copy()
    while time.perf_counter() < deadline:
        while (ch := _moves(pb, tgt)).size:
            dirty[ch] = True
        ch = _swaps(pb, tgt, dirty)
        dirty[:] = False
        if ch.size:
            dirty[ch] = True
            continue
        fails = 0
        while fails < layer_tries and time.perf_counter() < deadline:
            ch = _layer(pb, tgt, rng)
            if ch.size:
                dirty[ch] = True
                break
            fails += 1
        if not dirty.any():
            return


def _recreate(pb: _Problem, tgt: NDArray[np.int64], free: NDArray[np.int64]) -> None:
    """Put the units `free` back one at a time by maximum marginal return (modifies `tgt`)."""
    reinsert_units(pb.p, pb.q, pb.utype, pb.surv(tgt), tgt, np.asarray(free, dtype=np.int64))


def improve(values: NDArray[np.float64], pk: NDArray[np.float64], units: NDArray[np.int64],
            start: NDArray[np.int64], *, seed: int, deadline: float, max_rounds: int | None = None,
            ) -> tuple[NDArray[np.int64], int]:
    """Iterated local search from the start counts (m, n); returns (best counts (m, n), rounds done)."""
    pb = _Problem(values, pk, units)
    rng = np.random.default_rng(seed)
    cur = counts_to_targets(start, units)
    descend(pb, cur, rng, deadline)
    cur_obj = pb.objective(cur)
    best, best_obj = cur.copy(), cur_obj
    rounds = 0
    on_count = max(1, pb.nu)
    since_best = 0
    while (time.perf_counter() < deadline and (max_rounds is None or rounds < max_rounds)
           and since_best < STALL_ROUNDS):
        rounds += 1
        since_best += 1
        trial = cur.copy()
        k_units = int(rng.integers(1, max(2, on_count // 50) + 1))
        free = rng.choice(pb.nu, size=min(k_units, pb.nu), replace=False)
        occupied = np.unique(trial[trial >= 0])
        if occupied.size:
            hit = rng.choice(occupied, size=min(int(rng.integers(1, 4)), occupied.size), replace=False)
            free = np.union1d(free, np.flatnonzero(np.isin(trial, hit)))
        dirty = np.zeros(pb.n, dtype=bool)
        dirty[trial[free][trial[free] >= 0]] = True
        trial[free] = -1
        _recreate(pb, trial, rng.permutation(free))
        dirty[trial[free][trial[free] >= 0]] = True
        tries = LAYER_TRIES if rounds % LAYER_EVERY == 0 else 0
        descend(pb, trial, rng, deadline, layer_tries=tries, dirty=dirty)
        obj = pb.objective(trial)
        if obj < best_obj * (1.0 - 1e-12):
            best, best_obj, since_best = trial.copy(), obj, 0
        if obj <= best_obj * ACCEPT:
            cur, cur_obj = trial, obj
        if since_best and since_best % RESET_ROUNDS == 0:
            cur, cur_obj = best.copy(), best_obj
    x = np.zeros((pb.m, pb.n), dtype=np.int64)
    on = best >= 0
    np.add.at(x, (pb.utype[on], best[on]), 1)
    return x, rounds
