"""Maximum-marginal-return greedy for the static weapon-target assignment problem.

Survival factors q = 1 - p; the expected surviving value of target j is v_j * prod over its units of q.
The greedy gives, one unit at a time, the unit whose addition lowers the expected surviving value most.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray


def mmr_greedy(values: NDArray[np.float64], pk: NDArray[np.float64], units: NDArray[np.int64],
               ) -> NDArray[np.int64]:
    """Greedy counts x (m, n): x[i, j] units of type i on target j.

    values (n,), pk (m, n) kill probabilities in [0, 1], units (m,) units available per type. A unit whose
    every marginal return is zero (all its kill probabilities are zero against the remaining value) stays
    unassigned. Inputs are not modified. Ties break to the lowest type, then the lowest target index.
    """
    m, n = pk.shape
    x = np.zeros((m, n), dtype=np.int64)
    left = np.asarray(units, dtype=np.int64).copy()
    surv = np.asarray(values, dtype=float).copy()  # v_j * S_j, the expected surviving value per target
    gain = pk * surv[None, :]
    best_j = np.argmax(gain, axis=1)
    best_g = gain[np.arange(m), best_j]
    best_g[left <= 0] = -1.0
    while True:
        i = int(np.argmax(best_g))
        if best_g[i] <= 0.0:
            break
        j = int(best_j[i])
        x[i, j] += 1
        left[i] -= 1
        surv[j] *= 1.0 - pk[i, j]
        gain[:, j] = pk[:, j] * surv[j]
        # column j only went down: only the types whose best target was j need a new row maximum
        stale = np.flatnonzero((best_j == j) & (left > 0))
        if stale.size:
            best_j[stale] = np.argmax(gain[stale], axis=1)
            best_g[stale] = gain[stale, best_j[stale]]
        if left[i] <= 0:
            best_g[i] = -1.0
    return x
