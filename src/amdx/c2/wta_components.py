"""Exact weapon-target assignment of sparse instances without a MIP solver, when the optimum is unique by a
clear margin.

Why: the engine's planning instances are sparse (of 50 batteries and up to 200 threats a few dozen pairs can
engage), and the MIP solver's setup alone (about 10 ms per SCIP model) dominated their solve. The problem splits
into the connected components of the bipartite graph of (type i, target j) with p_ij > 0 and units_i > 0: the
objective is a sum over targets and the unit limits are per type, so the components are independent problems.
Each is solved by dynamic programming over its targets, the state being the units used of each of its types,
keeping for every state its best and its second-best cost over distinct assignments (so the runner-up of the whole
component is known too). The per-target costs are those of the pattern MIP (`wta_exact`): v_j prod_i q_ij^c_i.

When every component's runner-up is worse than its optimum by more than `margin` (a few 1e-6 of the total value),
the optimum is unique and any exact solver returns that very assignment: the pattern MIP's tolerances (relative
gap 0, feasibility 1e-6 on the binaries; `wta_exact`) are far tighter than the margin. So the answer is the MIP's
own, ties included. Otherwise (a near tie, a component whose state space exceeds `MAX_STATES`, or an instance
whose whole dynamic programme exceeds `MAX_WORK`, checked before any of it runs) `solve_components` gives None and
the caller solves the MIP. The budget keeps this path to milliseconds, and a near tie found only at the end of
the programme wastes little.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

MAX_STATES = 4096
"""Largest number of unit-use states of one component solved here (prod over its types of units_i + 1)."""
MAX_WORK = 200_000
"""Largest total work solved here: the sum over all components and their targets of states × patterns (each
step's arrays hold that many entries). The engine's planning instances need at most about 20,000."""
MARGIN_REL = 1e-6
"""A unique optimum must beat every other assignment by this share of (1 + the total target value)."""


def solve_components(values: NDArray[np.float64], pk: NDArray[np.float64], units: NDArray[np.int64],
                     ) -> NDArray[np.int64] | None:
    """The optimal counts x (m, n) when the optimum is unique by the margin (module docstring), else None.

    values (n,) non-negative, pk (m, n) in [0, 1], units (m,) non-negative integers (as `solve_wta` checks them).
    """
    m, n = pk.shape
    x = np.zeros((m, n), dtype=np.int64)
    edge = (pk > 0) & (np.asarray(units) > 0)[:, None]
    if not edge.any():
        return x  # nothing can be assigned: the only assignment
    ti, tj = np.nonzero(edge)
    graph = coo_matrix((np.ones(ti.size), (ti, m + tj)), shape=(m + n, m + n))
    _, label = connected_components(graph, directed=False)
    margin = MARGIN_REL * (1.0 + float(np.sum(values)))
    q = 1.0 - pk
    used = np.zeros(m + n, dtype=bool)
    used[ti], used[m + tj] = True, True
    components = []
    for comp in np.unique(label[used]).tolist():
        members = np.flatnonzero((label == comp) & used)
        components.append((members[members < m], members[members >= m] - m))
    if _work(edge, units, components) > MAX_WORK:
        return None
    for types, targets in components:
        solved = _component(values, q, edge, units, types, targets, margin)
        if solved is None:
            return None
        x[np.ix_(types, targets)] = solved
    return x


def _work(edge: NDArray[np.bool_], units: NDArray[np.int64],
          components: list[tuple[NDArray[np.intp], NDArray[np.intp]]]) -> float:
    """The dynamic programme's total entries (`MAX_WORK`), in floats so that huge instances cannot overflow; inf
    when a component has more than `MAX_STATES` states."""
    radix = np.asarray(units, dtype=np.float64) + 1.0
    total = 0.0
    for types, targets in components:
        states = float(np.prod(radix[types]))
        if states > MAX_STATES:
            return float("inf")
        patterns = np.prod(np.where(edge[np.ix_(types, targets)], radix[types][:, None], 1.0), axis=0)
        total += states * float(patterns.sum())
    return total


def _component(values: NDArray[np.float64], q: NDArray[np.float64], edge: NDArray[np.bool_],
               units: NDArray[np.int64], types: NDArray[np.intp], targets: NDArray[np.intp], margin: float,
               ) -> NDArray[np.int64] | None:
    """Counts (len(types), len(targets)) of one component's unique optimum, or None (near tie)."""
    cap = np.asarray(units, dtype=np.int64)[types]
    radix = cap + 1
    stride = np.concatenate([[1], np.cumprod(radix)[:-1]]).astype(np.int64)
    n_states = int(np.prod(radix))
    digits = (np.arange(n_states)[:, None] // stride[None, :]) % radix[None, :]  # (S, k) units used per type
    best = np.full(n_states, np.inf)
    second = np.full(n_states, np.inf)
    best[0] = 0.0
    steps: list[tuple[NDArray[np.intp], NDArray[np.intp], NDArray[np.int64], NDArray[np.intp]]] = []
    for j in targets.tolist():
        act = np.flatnonzero(edge[types, j])  # positions in `types`
        pats = np.indices(tuple(radix[act].tolist())).reshape(act.size, -1).T  # the MIP's patterns, its order
        cost = values[j] * np.prod(q[types[act], j][None, :] ** pats, axis=1)
        fits = np.all(digits[None, :, act] + pats[:, None, :] <= cap[act], axis=-1)  # (P, S)
        p_idx, s_idx = np.nonzero(fits & np.isfinite(best)[None, :])
        dst = s_idx + pats[p_idx] @ stride[act]
        from_best = best[s_idx] + cost[p_idx]
        from_second = second[s_idx] + cost[p_idx]
        vals = np.concatenate([from_best, from_second])
        where = np.concatenate([dst, dst])
        order = np.lexsort((vals, where))
        where, vals = where[order], vals[order]
        head = np.flatnonzero(np.r_[True, where[1:] != where[:-1]])  # first (least) candidate of each state
        nxt = head + 1
        has_two = (nxt < where.size) & (where[np.minimum(nxt, where.size - 1)] == where[head])
        best = np.full(n_states, np.inf)
        second = np.full(n_states, np.inf)
        best[where[head]] = vals[head]
        second[where[head[has_two]]] = vals[nxt[has_two]]
        pick = order[head] % from_best.size  # the candidate behind each state's best: (source state, pattern)
        steps.append((where[head], s_idx[pick], pats[p_idx[pick]], act))
    finite = np.isfinite(best)
    ranked = np.sort(np.concatenate([best[finite], second[np.isfinite(second)]]))
    if ranked.size > 1 and not ranked[1] - ranked[0] > margin:
        return None
    state = int(np.flatnonzero(finite)[np.argmin(best[finite])])
    out = np.zeros((types.size, targets.size), dtype=np.int64)
    for col in range(targets.size - 1, -1, -1):
        dst, src, pat, act = steps[col]
        k = int(np.searchsorted(dst, state))
        out[act, col] = pat[k]
        state = int(src[k])
    return out
