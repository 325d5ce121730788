"""Compiled kernel of `threat_evaluation.probability_inside_disc`: the share of the fixed quasi-random points
that fall inside each undecided disc.

Why: threat evaluation asks this of a few hundred to a few thousand (track, asset) pairs per picture, each
against 1,024 points; numpy's blocked version spent its time in per-block temporaries. The loop does the same
arithmetic in the same order per point (dx = L00 z0 − o0, dy = (L10 z0 + L11 z1) − o1, dx² + dy² ≤ r²), so the
counts are the numpy code's, bit for bit.
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
