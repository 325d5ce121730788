"""Compiled kernel of global nearest neighbour's graph work (`association.gnn_assign`): lone pairs, the
components of the gate graph, the star components, and the layout of the other components, in one pass; only
those others go on to `scipy.optimize.linear_sum_assignment`.

Why: nearly every component of a scan's gate graph is a single pair or a star (one track or one measurement);
numpy found them with a dozen array operations (bincounts, hooking and pointer jumping, a lexsort) whose fixed
cost dominated on a few hundred pairs. A union-find over the pairs does the same in one loop.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from amdx.jit import kernel

_Array = NDArray[np.float64]
_Index = NDArray[np.intp]


@kernel
def forest_root(parent: _Index, x: int) -> int:
    """Root of x in the union-find forest `parent` (path halving)."""
    while parent[x] != x:
        parent[x] = parent[parent[x]]
        x = parent[x]
    return x


@kernel
def forest_join(parent: _Index, x: int, y: int) -> None:
    """Join the trees of x and y in the union-find forest `parent`, the larger root under the smaller: every root
    stays its tree's least node, whatever the order of the joins."""
    a, b = forest_root(parent, x), forest_root(parent, y)
    if a != b:
        parent[max(a, b)] = min(a, b)


@kernel
def gnn_easy_kernel(n_tracks: int, n_meas: int, ti: _Index, mj: _Index, cost: _Array,
                    missed_cost: float) -> tuple[_Index, _Index, _Index, _Index, _Index, _Index, _Index, _Index,
                                                 _Index, _Array]:
    """Pairs (ti, mj) with costs; those dearer than missed_cost are never chosen. A pair alone on its track and
    its measurement is assigned; in a star component (one track or one measurement) the cheapest pair, ties to
    the earlier pair. Returns (measurement of each track, track of each measurement, -1 where not assigned
    yet) and the other components laid out for the solver, in order of their label (smallest node; tracks
    0..n_tracks−1, then measurements): their pairs by (component, track, measurement) with bounds (c + 1,);
    their tracks (rows) and measurements (columns) in increasing index, with bounds (c + 1,) each; per pair its
    row and column within its component, and its cost."""
    n_pairs = ti.shape[0]
    n_nodes = n_tracks + n_meas
    meas_of_track = np.full(n_tracks, -1, np.intp)
    track_of_meas = np.full(n_meas, -1, np.intp)
    ok = np.empty(n_pairs, np.bool_)
    deg_t = np.zeros(n_tracks, np.intp)
    deg_m = np.zeros(n_meas, np.intp)
    for s in range(n_pairs):
        ok[s] = cost[s] <= missed_cost
        if ok[s]:
            deg_t[ti[s]] += 1
            deg_m[mj[s]] += 1
    parent = np.arange(n_nodes)
    for s in range(n_pairs):
        if not ok[s]:
            continue
        if deg_t[ti[s]] == 1 and deg_m[mj[s]] == 1:
            meas_of_track[ti[s]] = mj[s]
            track_of_meas[mj[s]] = ti[s]
            ok[s] = False  # done
        else:
            forest_join(parent, ti[s], n_tracks + mj[s])  # every root is its component's smallest node
    tracks_in = np.zeros(n_nodes, np.intp)
    meas_in = np.zeros(n_nodes, np.intp)
    for t in range(n_tracks):
        if deg_t[t] > 0:
            tracks_in[forest_root(parent, t)] += 1
    for j in range(n_meas):
        if deg_m[j] > 0:
            meas_in[forest_root(parent, n_tracks + j)] += 1
    comp = np.full(n_pairs, -1, np.intp)
    best = np.full(n_nodes, -1, np.intp)
    n_hard = 0
    for s in range(n_pairs):
        if not ok[s]:
            continue
        c = forest_root(parent, ti[s])
        comp[s] = c
        if tracks_in[c] == 1 or meas_in[c] == 1:
            if best[c] < 0 or cost[s] < cost[best[c]]:
                best[c] = s
        else:
            n_hard += 1
    for c in range(n_nodes):
        if best[c] >= 0:
            meas_of_track[ti[best[c]]] = mj[best[c]]
            track_of_meas[mj[best[c]]] = ti[best[c]]
    # the other components: pairs by (component, track, measurement), stable
    hard = np.empty(n_hard, np.intp)
    h = 0
    for s in range(n_pairs):
        if ok[s] and best[comp[s]] < 0:
            hard[h] = s
            h += 1
    o = hard[np.argsort(mj[hard], kind="mergesort")]
    o = o[np.argsort(ti[o], kind="mergesort")]
    o = o[np.argsort(comp[o], kind="mergesort")]
    pair_bounds = np.empty(n_hard + 1, np.intp)
    row_bounds = np.empty(n_hard + 1, np.intp)
    rows = np.empty(n_hard, np.intp)
    row_of = np.empty(n_hard, np.intp)
    n_comp = 0
    n_rows = 0
    for q in range(n_hard):
        new_comp = q == 0 or comp[o[q]] != comp[o[q - 1]]
        if new_comp:
            pair_bounds[n_comp] = q
            row_bounds[n_comp] = n_rows
            n_comp += 1
        if new_comp or ti[o[q]] != ti[o[q - 1]]:
            rows[n_rows] = ti[o[q]]
            n_rows += 1
        row_of[q] = n_rows - 1 - row_bounds[n_comp - 1]
    pair_bounds[n_comp] = n_hard
    row_bounds[n_comp] = n_rows
    # columns: the same pairs by (component, measurement), stable
    by_col = np.argsort(mj[o], kind="mergesort")
    by_col = by_col[np.argsort(comp[o[by_col]], kind="mergesort")]
    col_bounds = np.empty(n_comp + 1, np.intp)
    cols = np.empty(n_hard, np.intp)
    col_of = np.empty(n_hard, np.intp)
    n_cols = 0
    c_index = -1
    for q in range(n_hard):
        e = o[by_col[q]]
        new_comp = q == 0 or comp[e] != comp[o[by_col[q - 1]]]
        if new_comp:
            c_index += 1
            col_bounds[c_index] = n_cols
        if new_comp or mj[e] != mj[o[by_col[q - 1]]]:
            cols[n_cols] = mj[e]
            n_cols += 1
        col_of[by_col[q]] = n_cols - 1 - col_bounds[c_index]
    col_bounds[n_comp] = n_cols
    return (meas_of_track, track_of_meas, pair_bounds[:n_comp + 1].copy(), rows[:n_rows].copy(),
            row_bounds[:n_comp + 1].copy(), cols[:n_cols].copy(), col_bounds, row_of, col_of, cost[o])
