"""Maximum-marginal-return greedy for the static weapon-target assignment problem.

Survival factors q = 1 - p; the expected surviving value of target j is v_j * prod over its units of q.
The greedy gives, one unit at a time, the unit whose addition lowers the expected surviving value most.
The loop is compiled (`_greedy`): the engine solves one instance per planning cycle, and numpy's per-step calls
were most of the time; the arithmetic (products only) and the tie-breaking are those of the array version.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from amdx.jit import kernel


def mmr_greedy(values: NDArray[np.float64], pk: NDArray[np.float64], units: NDArray[np.int64],
               ) -> NDArray[np.int64]:
    """Greedy counts x (m, n): x[i, j] units of type i on target j.

    values (n,), pk (m, n) kill probabilities in [0, 1], units (m,) units available per type. A unit whose
    every marginal return is zero (all its kill probabilities are zero against the remaining value) stays
    unassigned. Inputs are not modified. Ties break to the lowest type, then the lowest target index.
    """
    p = np.ascontiguousarray(pk, dtype=np.float64)
    m, n = p.shape
    if m == 0 or n == 0:
        return np.zeros((m, n), dtype=np.int64)
    return _greedy(np.array(values, dtype=np.float64).reshape(n), p,
                   np.array(units, dtype=np.int64).reshape(m))


@kernel
def _greedy(surv: NDArray[np.float64], pk: NDArray[np.float64], left: NDArray[np.int64]) -> NDArray[np.int64]:
    """The greedy on its own copies: `surv` (n,) v_j S_j, the expected surviving value per target, and `left`
    (m,) units per type, both updated. Each type keeps its best target (first maximum of p_ij v_j S_j); a unit
    lowers only its target's column, so only the types whose best it was look again."""
    m, n = pk.shape
    x = np.zeros((m, n), dtype=np.int64)
    gain = np.empty((m, n))
    best_j = np.zeros(m, dtype=np.int64)
    best_g = np.empty(m)
    for i in range(m):
        for j in range(n):
            gain[i, j] = pk[i, j] * surv[j]
        best_j[i] = _row_argmax(gain, i)
        best_g[i] = gain[i, best_j[i]] if left[i] > 0 else -1.0
    while True:
        i = 0
        for k in range(1, m):  # first maximum
            if best_g[k] > best_g[i]:
                i = k
        if best_g[i] <= 0.0:
            break
        j = best_j[i]
        x[i, j] += 1
        left[i] -= 1
        surv[j] *= 1.0 - pk[i, j]
        for k in range(m):
            gain[k, j] = pk[k, j] * surv[j]
        for k in range(m):  # column j only went down: only the types whose best target was j look again
            if best_j[k] == j and left[k] > 0:
                best_j[k] = _row_argmax(gain, k)
                best_g[k] = gain[k, best_j[k]]
        if left[i] <= 0:
            best_g[i] = -1.0
    return x


@kernel
def _row_argmax(a: NDArray[np.float64], i: int) -> int:
    """The first maximum of row i (numpy's argmax for finite values)."""
    b = 0
    for j in range(1, a.shape[1]):
        if a[i, j] > a[i, b]:
            b = j
    return b


@kernel
def reinsert_units(pk: NDArray[np.float64], q: NDArray[np.float64], utype: NDArray[np.int64],
                   surv: NDArray[np.float64], tgt: NDArray[np.int64], free: NDArray[np.int64]) -> None:
    """Maximum marginal return over single units (the local search's recreate step): the units `free`, in that
    order, go back one at a time, each step the (unit, target) of the largest p v_j S_j (the first in the order of
    `free`, then the lowest target, on ties; numpy's argmax over the (units, targets) gains) until none is
    positive. Writes each placed unit's target to `tgt` and lowers `surv` (n,) (v_j S_j) by that unit's
    survival factor `q` (m, n); `utype` (units,) is each unit's type."""
    left = free.copy()
    nleft = left.size
    n = pk.shape[1]
    while nleft > 0:
        best, br, bj = -np.inf, 0, 0
        for r in range(nleft):
            ty = utype[left[r]]
            for j in range(n):
                g = pk[ty, j] * surv[j]
                if g > best:
                    best, br, bj = g, r, j
        if best <= 0.0:
            break
        u = left[br]
        for r in range(br, nleft - 1):  # take it out, keeping the others in order (list.pop)
            left[r] = left[r + 1]
        nleft -= 1
        tgt[u] = bj
        surv[bj] *= q[utype[u], bj]


@kernel
def move_deltas(pk: NDArray[np.float64], q: NDArray[np.float64], utype: NDArray[np.int64], surv: NDArray[np.float64],
                tgt: NDArray[np.int64]) -> tuple[NDArray[np.float64], NDArray[np.int64], NDArray[np.int64]]:
    """The local search's single-unit moves: for each unit (type `utype`, target `tgt`, −1: none) the change of the
    expected surviving value when it leaves its target for its type's best one (the first largest p_ij v_j S_j,
    `surv` (n,) being v_j S_j), 0 when that is its own; that target, and the one it leaves (n: none). The array
    code's arithmetic: v_a S_a (1/q − 1) lost at the old target, p v_b S_b gained at the new one."""
    m, n = pk.shape
    best_b = np.zeros(m, dtype=np.int64)
    best_g = np.empty(m)
    for i in range(m):
        g = pk[i, 0] * surv[0]
        for j in range(1, n):
            h = pk[i, j] * surv[j]
            if h > g:
                g, best_b[i] = h, j
        best_g[i] = g
    nu = tgt.size
    delta = np.empty(nu)
    ta = np.empty(nu, dtype=np.int64)
    tb = np.empty(nu, dtype=np.int64)
    for u in range(nu):
        a, ty = tgt[u], utype[u]
        b = best_b[ty]
        tb[u] = b
        if a >= 0:
            delta[u] = 0.0 if b == a else surv[a] * (1.0 / q[ty, a] - 1.0) - best_g[ty]
            ta[u] = a
        else:
            delta[u] = 0.0 - best_g[ty]
            ta[u] = n
    return delta, ta, tb
