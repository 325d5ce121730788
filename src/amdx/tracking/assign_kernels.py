"""Compiled kernel of the easy part of global nearest neighbour (`association.gnn_assign`): lone pairs, the
components of the gate graph, and the star components, in one pass; only the other components go on to
`scipy.optimize.linear_sum_assignment`.

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
def _root(parent: _Index, x: int) -> int:
    """Root of x in the union-find forest (path halving)."""
    while parent[x] != x:
        parent[x] = parent[parent[x]]
        x = parent[x]
    return x


@kernel
def gnn_easy_kernel(n_tracks: int, n_meas: int, ti: _Index, mj: _Index,
                    cost: _Array) -> tuple[_Index, _Index, _Index, NDArray[np.bool_]]:
    """Pairs (ti, mj) with costs (all allowed): (measurement of each track, track of each measurement, -1 where
    not assigned yet; the component label of each pair (its smallest node, tracks 0..n_tracks−1 then
    measurements); True for the pairs of components left to the solver). A pair alone on its track and its
    measurement is assigned; in a star component (one track or one measurement) the cheapest pair, ties to the
    earlier pair."""
    n_nodes = n_tracks + n_meas
    meas_of_track = np.full(n_tracks, -1, np.intp)
    track_of_meas = np.full(n_meas, -1, np.intp)
    deg_t = np.zeros(n_tracks, np.intp)
    deg_m = np.zeros(n_meas, np.intp)
    for s in range(ti.shape[0]):
        deg_t[ti[s]] += 1
        deg_m[mj[s]] += 1
    parent = np.arange(n_nodes)
    for s in range(ti.shape[0]):
        if deg_t[ti[s]] == 1 and deg_m[mj[s]] == 1:
            meas_of_track[ti[s]] = mj[s]
            track_of_meas[mj[s]] = ti[s]
        else:
            a, b = _root(parent, ti[s]), _root(parent, n_tracks + mj[s])
            if a != b:  # the larger root under the smaller: every root is its component's smallest node
                parent[max(a, b)] = min(a, b)
    tracks_in = np.zeros(n_nodes, np.intp)
    meas_in = np.zeros(n_nodes, np.intp)
    for t in range(n_tracks):
        if deg_t[t] > 0:
            tracks_in[_root(parent, t)] += 1
    for j in range(n_meas):
        if deg_m[j] > 0:
            meas_in[_root(parent, n_tracks + j)] += 1
    comp = np.full(ti.shape[0], -1, np.intp)
    hard = np.zeros(ti.shape[0], np.bool_)
    best = np.full(n_nodes, -1, np.intp)
    for s in range(ti.shape[0]):
        if deg_t[ti[s]] == 1 and deg_m[mj[s]] == 1:
            continue
        c = _root(parent, ti[s])
        comp[s] = c
        if tracks_in[c] == 1 or meas_in[c] == 1:
            if best[c] < 0 or cost[s] < cost[best[c]]:
                best[c] = s
        else:
            hard[s] = True
    for c in range(n_nodes):
        if best[c] >= 0:
            meas_of_track[ti[best[c]]] = mj[best[c]]
            track_of_meas[mj[best[c]]] = ti[best[c]]
    return meas_of_track, track_of_meas, comp, hard
