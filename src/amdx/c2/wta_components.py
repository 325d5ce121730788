"""Exact weapon-target assignment of sparse instances without a MIP solver.

Why: the engine's planning instances are sparse (of 50 batteries and up to 200 threats a few dozen pairs can
engage), and the MIP solver's setup alone (about 10 ms per SCIP model, 28 ms with its solve) dominated their solve.
The problem splits into the connected components of the bipartite graph of (type i, target j) with p_ij > 0 and
units_i > 0: the objective is a sum over targets and the unit limits are per type, so the components are
independent problems. Each is solved by dynamic programming over its targets, the state being the units used of
each of its types, keeping for every state its least cost. The per-target costs are those of the pattern MIP
(`wta_exact`): v_j prod_i q_ij^c_i, so the optimum is the MIP's optimum.

Ties: when several assignments share the least cost (two equal threats and one round, two identical batteries),
the programme's own order decides, the same for the same input: of the candidates for a state, the one reached
from the highest source state (its units used read as one mixed-radix number), then by the lowest pattern (the
MIP's pattern order), so that earlier targets take the units; of the final states, the lowest. Only a component
whose state space exceeds `MAX_STATES`, or an instance whose whole dynamic programme exceeds `MAX_WORK` (checked
before any of it runs), is left to the MIP (`solve_components` gives None). The budget keeps this path to
milliseconds.
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


def solve_components(values: NDArray[np.float64], pk: NDArray[np.float64], units: NDArray[np.int64],
                     ) -> NDArray[np.int64] | None:
    """Optimal counts x (m, n), ties decided by the programme's order; None when the instance is too big for it
    (module docstring).

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
        x[np.ix_(types, targets)] = _component(values, q, edge, units, types, targets)
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
               units: NDArray[np.int64], types: NDArray[np.intp], targets: NDArray[np.intp]) -> NDArray[np.int64]:
    """Counts (len(types), len(targets)) of one component's optimum, ties decided by the programme's order."""
    cap = np.asarray(units, dtype=np.int64)[types]
    radix = cap + 1
    stride = np.concatenate([[1], np.cumprod(radix)[:-1]]).astype(np.int64)
    n_states = int(np.prod(radix))
    digits = (np.arange(n_states)[:, None] // stride[None, :]) % radix[None, :]  # (S, k) units used per type
    best = np.full(n_states, np.inf)
    best[0] = 0.0
    steps: list[tuple[NDArray[np.intp], NDArray[np.intp], NDArray[np.int64], NDArray[np.intp]]] = []
    for j in targets.tolist():
        act = np.flatnonzero(edge[types, j])  # positions in `types`
        pats = np.indices(tuple(radix[act].tolist())).reshape(act.size, -1).T  # the MIP's patterns, its order
        cost = values[j] * np.prod(q[types[act], j][None, :] ** pats, axis=1)
        fits = np.all(digits[None, :, act] + pats[:, None, :] <= cap[act], axis=-1)  # (P, S)
        back, p_idx = np.nonzero((fits & np.isfinite(best)[None, :]).T[::-1])  # by source state, the highest
        s_idx = n_states - 1 - back                                               # first, then by pattern
        dst = s_idx + pats[p_idx] @ stride[act]
        vals = best[s_idx] + cost[p_idx]
        order = np.lexsort((vals, dst))  # by state reached, then cost; stable: the earliest of equal costs first
        where = dst[order]
        head = order[np.flatnonzero(np.r_[True, where[1:] != where[:-1]])]  # each reached state's best candidate
        best = np.full(n_states, np.inf)
        best[dst[head]] = vals[head]
        steps.append((dst[head], s_idx[head], pats[p_idx[head]], act))
    finite = np.flatnonzero(np.isfinite(best))
    state = int(finite[np.argmin(best[finite])])  # the first of equal least costs
    out = np.zeros((types.size, targets.size), dtype=np.int64)
    for col in range(targets.size - 1, -1, -1):
        reached, src, pat, act = steps[col]
        k = int(np.searchsorted(reached, state))
        out[act, col] = pat[k]
        state = int(src[k])
    return out
