"""Compiled kernel of the association's coarse gate (`association.coarse_candidates`): a sweep along one axis,
grouped, in one pass over the tracks.

Why: the coarse gate runs once or twice per scan instant on a few hundred tracks and measurements; in numpy its
grid took some thirty array operations (sort keys, strips, searches, repeats, gathers) whose fixed cost dominated.
Compiled, a plain sweep does the same work in one loop: the measurements are sorted by (group, coordinate along
the axis of their largest extent); each track binary-searches its group's measurements within its radius
ρᵢ = √(γ (‖Pₚᵢ‖ + maxⱼ ‖Rⱼ‖)) along that axis (the maximum over its group, plus a millimetre for rounding) and
tests each of them against the exact bound |zⱼ − pᵢ|² ≤ γ (‖Pₚᵢ‖ + ‖Rⱼ‖) (projections only shorten distances, so
the sweep loses no pair).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from amdx.jit import kernel

_Array = NDArray[np.float64]
_Index = NDArray[np.intp]
_Ids = NDArray[np.int64]


@kernel
def coarse_pairs_kernel(p: _Array, size_p: _Array, z: _Array, size_r: _Array, gate_d2: float, margin: float,
                        slack_m: float, tg: _Ids, mg: _Ids) -> tuple[_Index, _Index]:
    """Pairs (i, j) of one group (tg[i] == mg[j]) with |z_j − p_i|² ≤ γ (size_p[i] + size_r[j]) (1 + margin),
    γ = gate_d2, sorted by track, then measurement; slack_m widens the sweep's window, m."""
    k, n = p.shape[0], z.shape[0]
    ax = 0
    extent = -1.0
    for c in range(3):
        e = np.max(z[:, c]) - np.min(z[:, c])
        if e > extent:
            ax, extent = c, e
    a_z = z[:, ax].copy()
    by_a = np.argsort(a_z, kind="mergesort")
    order = by_a[np.argsort(mg[by_a], kind="mergesort")]  # by group, then coordinate (stable)
    g_sorted = mg[order]
    a_sorted = a_z[order]
    # the largest ‖R‖ of each measurement's group, at each sorted position
    top = np.empty(n)
    lo = 0
    while lo < n:
        hi = lo
        largest = 0.0
        while hi < n and g_sorted[hi] == g_sorted[lo]:
            largest = max(largest, size_r[order[hi]])
            hi += 1
        top[lo:hi] = largest
        lo = hi
    ti = np.empty(max(16, 4 * k), np.intp)
    mj = np.empty(max(16, 4 * k), np.intp)
    found = np.empty(n, np.intp)
    count = 0
    for i in range(k):
        g_lo = np.searchsorted(g_sorted, tg[i], side="left")
        g_hi = np.searchsorted(g_sorted, tg[i], side="right")
        if g_lo == g_hi:
            continue
        rho = np.sqrt(gate_d2 * (size_p[i] + top[g_lo])) * (1.0 + margin) + slack_m
        a_i = p[i, ax]
        j = g_lo + np.searchsorted(a_sorted[g_lo:g_hi], a_i - rho, side="left")
        m = 0
        while j < g_hi and a_sorted[j] <= a_i + rho:
            jj = order[j]
            d0, d1, d2 = p[i, 0] - z[jj, 0], p[i, 1] - z[jj, 1], p[i, 2] - z[jj, 2]
            if d0 * d0 + d1 * d1 + d2 * d2 <= gate_d2 * (size_p[i] + size_r[jj]) * (1.0 + margin):
                found[m] = jj
                m += 1
            j += 1
        if count + m > ti.shape[0]:
            grow = max(2 * ti.shape[0], count + m)
            ti2, mj2 = np.empty(grow, np.intp), np.empty(grow, np.intp)
            ti2[:count], mj2[:count] = ti[:count], mj[:count]
            ti, mj = ti2, mj2
        mj[count:count + m] = np.sort(found[:m])
        ti[count:count + m] = i
        count += m
    return ti[:count].copy(), mj[:count].copy()
