"""Compiled kernels of threat evaluation (`threat_evaluation`): the (impact, asset) pairs near enough to look at,
and the share of the fixed quasi-random points that fall inside each undecided disc.

Why: threat evaluation asks this of a few hundred to a few thousand (track, asset) pairs per picture, each
against 1,024 points; numpy's blocked version spent its time in per-block temporaries. The loop does the same
arithmetic in the same order per point (dx = L00 z0 − o0, dy = (L10 z0 + L11 z1) − o1, dx² + dy² ≤ r²), so the
counts are the numpy code's, bit for bit. The pair test likewise does the numpy chord test's arithmetic (squares
summed in axis order, then the root) without its (impacts, assets, 3) temporaries.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from amdx.jit import kernel


@kernel
def count_inside(chol: NDArray[np.float64], offset: NDArray[np.float64], radius: NDArray[np.float64],
                 rows: NDArray[np.intp], z0: NDArray[np.float64], z1: NDArray[np.float64]) -> NDArray[np.int64]:
    """For each index in `rows`: how many samples L z (lower-triangular `chol` (N, 2, 2), points `z0`, `z1`
    (P,)) fall within `radius` (N,) of `offset` (N, 2); (len(rows),) counts."""
    out = np.zeros(rows.size, dtype=np.int64)
    for k in range(rows.size):
        i = rows[k]
        l00, l10, l11 = chol[i, 0, 0], chol[i, 1, 0], chol[i, 1, 1]
        o0, o1 = offset[i, 0], offset[i, 1]
        r2 = radius[i] * radius[i]
        n = 0
        for q in range(z0.size):
            dx = l00 * z0[q] - o0
            dy = (l10 * z0[q] + l11 * z1[q]) - o1
            if dx * dx + dy * dy <= r2:
                n += 1
        out[k] = n
    return out


@kernel
def near_pairs(p_impact: NDArray[np.float64], p_asset: NDArray[np.float64], reach: NDArray[np.float64],
               ) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """The pairs (i, j), in row-major order, whose chord |p_impact[i] − p_asset[j]| (points (r, 3) and (a, 3), m)
    is at most reach[i, j] (1 + 1e-9) + 1 m: `np.nonzero` of that test."""
    r, a = reach.shape
    rows = np.empty(r * a, dtype=np.intp)
    cols = np.empty(r * a, dtype=np.intp)
    k = 0
    for i in range(r):
        for j in range(a):
            dx = p_impact[i, 0] - p_asset[j, 0]
            dy = p_impact[i, 1] - p_asset[j, 1]
            dz = p_impact[i, 2] - p_asset[j, 2]
            if np.sqrt(dx * dx + dy * dy + dz * dz) <= reach[i, j] * (1.0 + 1e-9) + 1.0:
                rows[k], cols[k] = i, j
                k += 1
    return rows[:k].copy(), cols[:k].copy()
