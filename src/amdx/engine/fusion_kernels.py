"""Compiled kernels of the fusion centre (`amdx.engine.fusion`): covariance intersection, the position χ² gate,
the folds of its three steps and the bookkeeping of a picture (grouping, numbering, ordering), one pass over the
tracks each instead of numpy calls on small batches.

Covariance intersection with the trace weight ω = tr P_b / (tr P_a + tr P_b) takes one factorisation: with
M = ω P_b + (1 − ω) P_a, the information sum ω P_a⁻¹ + (1 − ω) P_b⁻¹ = P_a⁻¹ M P_b⁻¹, so its inverse is
P = P_b M⁻¹ P_a (symmetrised) and the state P (ω P_a⁻¹ x_a + (1 − ω) P_b⁻¹ x_b) = x_a + (1 − ω) P_a M⁻¹ (x_b − x_a).
M is symmetric positive definite: a Cholesky factor and two triangular solves, instead of three 6×6 inversions
by LU (0.43 instead of 1.06 us per intersection on recorded covariances; as close to a long double reference, in
x closer). When round-off has left the inputs slightly indefinite and the factorisation fails, M⁻¹ P_a comes from
Gaussian elimination with partial pivoting instead (finite, as the LU inversions were). The gate's d² = νᵀ S⁻¹ ν
with S the symmetrised sum of the two position covariances inverted by the adjugate formula (as
`association.pair_mahalanobis2`). The bookkeeping kernels keep the numpy code's arithmetic.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from amdx.geo import geodetic_point
from amdx.jit import kernel

_Array = NDArray[np.float64]

GATE_MARGIN = 1.0e-9
"""Relative margin on the χ² gate when a kernel only preselects pairs for `GnnAssociator` (which gates exactly):
covers the last-bit differences of two evaluations of one d²."""
_N = 6
"""State dimension: a compile-time constant, so the 6×6 loops are unrolled."""


@kernel
def _solve_pivoting(M: _Array, G: _Array) -> None:
    """G ← M⁻¹ G (6×6) in place, M overwritten: Gaussian elimination with partial pivoting (LAPACK's method), for
    the M whose Cholesky factorisation failed. Finite wherever M is not singular, as the three LU inversions of
    covariance intersection were for the same inputs."""
    n = _N
    for k in range(n):
        p = k
        big = abs(M[k, k])
        for i in range(k + 1, n):
            if abs(M[i, k]) > big:
                big = abs(M[i, k])
                p = i
        if p != k:
            for c in range(n):
                M[k, c], M[p, c] = M[p, c], M[k, c]
                G[k, c], G[p, c] = G[p, c], G[k, c]
        r = 1.0 / M[k, k]
        for i in range(k + 1, n):
            f = M[i, k] * r
            for c in range(k + 1, n):
                M[i, c] -= f * M[k, c]
            for c in range(n):
                G[i, c] -= f * G[k, c]
    for i in range(n - 1, -1, -1):
        for k in range(i + 1, n):
            f = M[i, k]
            for c in range(n):
                G[i, c] -= f * G[k, c]
        r = 1.0 / M[i, i]
        for c in range(n):
            G[i, c] *= r


@kernel
def _intersect(xa: _Array, Pa: _Array, xb: _Array, Pb: _Array, L: _Array, G: _Array, d: _Array, out_x: _Array,
               out_P: _Array) -> None:
    """Covariance intersection of (xa, Pa) and (xb, Pb) with the fast trace weight into (out_x, out_P), which
    may be xa and Pa themselves (L, G: 6×6 scratch, d: 6), through M = ω Pb + (1 − ω) Pa (module docstring)."""
    n = _N
    tra, trb = Pa[0, 0], Pb[0, 0]
    for i in range(1, n):
        tra += Pa[i, i]
        trb += Pb[i, i]
    w = trb / (tra + trb)
    wb = 1.0 - w
    definite = True
    for j in range(n):  # M = L Lᵀ, row by row of the lower triangle
        t = w * Pb[j, j] + wb * Pa[j, j]
        for k in range(j):
            t -= L[j, k] * L[j, k]
        if not t > 0.0:  # M not positive definite (round-off in the inputs), or NaN: no Cholesky factor
            definite = False
            break
        L[j, j] = np.sqrt(t)
        r = 1.0 / L[j, j]
        for i in range(j + 1, n):
            t = w * Pb[i, j] + wb * Pa[i, j]
            for k in range(j):
                t -= L[i, k] * L[j, k]
            L[i, j] = t * r
    if definite:
        # G = M⁻¹ Pa: L Y = Pa, then Lᵀ G = Y, all six columns at once (the innermost loop runs along a row)
        for i in range(n):
            for c in range(n):
                G[i, c] = Pa[i, c]
            for k in range(i):
                f = L[i, k]
                for c in range(n):
                    G[i, c] -= f * G[k, c]
            r = 1.0 / L[i, i]
            for c in range(n):
                G[i, c] *= r
        for i in range(n - 1, -1, -1):
            for k in range(i + 1, n):
                f = L[k, i]
                for c in range(n):
                    G[i, c] -= f * G[k, c]
            r = 1.0 / L[i, i]
            for c in range(n):
                G[i, c] *= r
    else:
        for i in range(n):
            for c in range(n):
                L[i, c] = w * Pb[i, c] + wb * Pa[i, c]
                G[i, c] = Pa[i, c]
        _solve_pivoting(L, G)
    for i in range(n):
        d[i] = xb[i] - xa[i]
    for c in range(n):  # x = xa + (1 − ω) Gᵀ d, with Gᵀ = Pa M⁻¹
        t = G[0, c] * d[0]
        for i in range(1, n):
            t += G[i, c] * d[i]
        out_x[c] = xa[c] + wb * t
    for i in range(n):  # Pb G into L (the factor is no longer needed), then symmetrised into out_P
        for j in range(n):
            t = Pb[i, 0] * G[0, j]
            for k in range(1, n):
                t += Pb[i, k] * G[k, j]
            L[i, j] = t
    for i in range(n):
        for j in range(n):
            out_P[i, j] = 0.5 * (L[i, j] + L[j, i])


@kernel
def fold_pairs(x: _Array, P: _Array, into: NDArray[np.intp], sx: _Array, sP: _Array,
               rows: NDArray[np.intp]) -> None:
    """Fold (sx, sP)[rows[m]] into (x, P)[into[m]] by covariance intersection, in place (`into` distinct and
    disjoint from `rows` when sx is x)."""
    L, G, d = np.empty((_N, _N)), np.empty((_N, _N)), np.empty(_N)
    for m in range(into.size):
        f, r = into[m], rows[m]
        _intersect(x[f], P[f], sx[r], sP[r], L, G, d, x[f], P[f])


@kernel
def merge_pairs(x: _Array, P: _Array, has: NDArray[np.bool_], member: NDArray[np.intp], n: int,
                keep: NDArray[np.intp], gone: NDArray[np.intp]) -> int:
    """Step 3's merge of fused rows: gone[m] is folded into keep[m] (`fold_pairs`; each row in one pair at most)
    and takes its sources; the rows left close up in order (x, P, has rows 0..n−1 in place) and `member` follows
    them. Returns the rows' new count."""
    fold_pairs(x, P, keep, x, P, gone)
    target = np.arange(n)
    alive = np.ones(n, np.bool_)
    for m in range(keep.size):
        for s in range(has.shape[1]):
            has[keep[m], s] |= has[gone[m], s]
        target[gone[m]] = keep[m]
        alive[gone[m]] = False
    new_index = np.empty(n, np.intp)
    k = 0
    for f in range(n):
        new_index[f] = k
        if alive[f]:
            if k != f:
                x[k] = x[f]
                P[k] = P[f]
                has[k] = has[f]
            k += 1
    for r in range(member.size):
        member[r] = new_index[target[member[r]]]
    return k


@kernel
def gate_d2(pa: _Array, Pa: _Array, pb: _Array, Pb: _Array) -> float:
    """d² = νᵀ S⁻¹ ν of two positions (the first 3 components of pa, pb) with ν = pb − pa and S the symmetrised
    sum of their position covariances."""
    s00 = 0.5 * ((Pa[0, 0] + Pb[0, 0]) + (Pa[0, 0] + Pb[0, 0]))
    s01 = 0.5 * ((Pa[0, 1] + Pb[0, 1]) + (Pa[1, 0] + Pb[1, 0]))
    s02 = 0.5 * ((Pa[0, 2] + Pb[0, 2]) + (Pa[2, 0] + Pb[2, 0]))
    s11 = 0.5 * ((Pa[1, 1] + Pb[1, 1]) + (Pa[1, 1] + Pb[1, 1]))
    s12 = 0.5 * ((Pa[1, 2] + Pb[1, 2]) + (Pa[2, 1] + Pb[2, 1]))
    s22 = 0.5 * ((Pa[2, 2] + Pb[2, 2]) + (Pa[2, 2] + Pb[2, 2]))
    c00 = s11 * s22 - s12 * s12
    c01 = s02 * s12 - s01 * s22
    c02 = s01 * s12 - s02 * s11
    inv_det = 1.0 / (s00 * c00 + s01 * c01 + s02 * c02)
    i00, i01, i02 = c00 * inv_det, c01 * inv_det, c02 * inv_det
    i11 = (s00 * s22 - s02 * s02) * inv_det
    i12 = (s01 * s02 - s00 * s12) * inv_det
    i22 = (s00 * s11 - s01 * s01) * inv_det
    n0, n1, n2 = pb[0] - pa[0], pb[1] - pa[1], pb[2] - pa[2]
    return (n0 * (i00 * n0 + i01 * n1 + i02 * n2) + n1 * (i01 * n0 + i11 * n1 + i12 * n2)
            + n2 * (i02 * n0 + i12 * n1 + i22 * n2))


@kernel
def _start_row(x: _Array, P: _Array, has: NDArray[np.bool_], member: NDArray[np.intp], f: int, rx: _Array,
               rP: _Array, r: int, s: int) -> None:
    """Source row r (of source s) starts fused row f."""
    for i in range(_N):
        x[f, i] = rx[r, i]
        for j in range(_N):
            P[f, i, j] = rP[r, i, j]
    has[f, s] = True
    member[r] = f


@kernel
def keep_fold(x: _Array, P: _Array, has: NDArray[np.bool_], member: NDArray[np.intp], rx: _Array, rP: _Array,
              src_of: NDArray[np.intp], prev: NDArray[np.int64], first: int, gamma: float) -> int:
    """Step 1's fold: the source rows whose key had fused number prev[r] ≥ 0 last time, grouped by that number
    (ascending, each group in row order, i.e. source order); group g's first row starts fused row first + g, and
    each further row of a source the group does not hold yet and inside the gate (d² ≤ γ) of the group's estimate
    so far is folded in, the others are left (member −1). Returns the number of groups."""
    count = 0
    for r in range(prev.size):
        if prev[r] >= 0:
            count += 1
    rows = np.empty(count, np.intp)
    count = 0
    for r in range(prev.size):
        if prev[r] >= 0:
            rows[count] = r
            count += 1
    rows = rows[np.argsort(prev[rows], kind="mergesort")]  # by number, then source order (a stable sort)
    L, G, d = np.empty((_N, _N)), np.empty((_N, _N)), np.empty(_N)
    f = first - 1
    for m in range(rows.size):
        r = rows[m]
        if m == 0 or prev[r] != prev[rows[m - 1]]:
            f += 1
            _start_row(x, P, has, member, f, rx, rP, r, src_of[r])
            continue
        s = src_of[r]
        if has[f, s]:
            continue
        if gate_d2(x[f], P[f], rx[r], rP[r]) <= gamma:
            _intersect(x[f], P[f], rx[r], rP[r], L, G, d, x[f], P[f])
            has[f, s] = True
            member[r] = f
    return f + 1 - first


@kernel
def fold_or_start(x: _Array, P: _Array, has: NDArray[np.bool_], member: NDArray[np.intp], n: int, rx: _Array,
                  rP: _Array, rows: NDArray[np.intp], fused_of: NDArray[np.intp], s: int) -> int:
    """Step 2's outcome for the rows `rows` of source s: a row with fused_of ≥ 0 is folded into that fused row
    (distinct rows) by covariance intersection, each other row starts a new fused row (n, n + 1, ... in row
    order). Returns the fused rows' new count."""
    L, G, d = np.empty((_N, _N)), np.empty((_N, _N)), np.empty(_N)
    for m in range(rows.size):
        r, f = rows[m], fused_of[m]
        if f >= 0:
            _intersect(x[f], P[f], rx[r], rP[r], L, G, d, x[f], P[f])
            has[f, s] = True
            member[r] = f
        else:
            _start_row(x, P, has, member, n, rx, rP, r, s)
            n += 1
    return n


@kernel
def _keep_least_two(d2: float, i: int, who: int, best: NDArray[np.intp], d2_best: _Array, d2_next: _Array) -> None:
    """Keep the two least d² seen for i (d2_best[i] ≤ d2_next[i]) and who gave the least (best[i])."""
    if d2 < d2_best[i]:
        d2_next[i] = d2_best[i]
        d2_best[i] = d2
        best[i] = who
    elif d2 < d2_next[i]:
        d2_next[i] = d2


@kernel
def _clear(lone: NDArray[np.bool_], d2_best: _Array, d2_next: _Array, gamma: float) -> NDArray[np.bool_]:
    """Lone pairs that are clear: well inside the gate, and well nearer than the runner-up (margins of
    GATE_MARGIN against rounding)."""
    return lone & (d2_best <= gamma * (1.0 - GATE_MARGIN)) & (d2_next > d2_best * (1.0 + GATE_MARGIN))


SORT_ROWS = 32
"""`lone_nearest` sorts the candidates along x for more rows than this; for fewer (most steps), looking at every
pair costs less than the sort (the recorded step-2 passes of a 500-threat run: 0.075 s, 0.092 s sorting always)."""
SIZE_CLASS_RATIO = 4.0
"""Ratio of the largest to the smallest size (covariance trace or norm) within one size class of `x_classes`."""


@kernel
def x_classes(x0: _Array, size: _Array) -> tuple[NDArray[np.intp], NDArray[np.intp], _Array, NDArray[np.intp]]:
    """Items grouped by size class (sizes within a factor `SIZE_CLASS_RATIO` of each other, from the smallest up),
    each class sorted by x0: a sweep along x0 with a window for each class's largest size (not the largest size of
    all, which a few poorly known tracks make wide) finds the same pairs and looks at far fewer. Returns the
    items (k,), the classes' starts in it (c + 1,), each class's largest size (c,) and each item's class (k,)."""
    k = size.size
    cls = np.zeros(k, np.intp)
    if k:
        low = size.min()
        step = np.log(SIZE_CLASS_RATIO)
        # an infinite ratio goes to the last class; a NaN size makes `low` NaN and every item class 0 (one window
        # for all, as without classes)
        for i in range(k):
            v = np.log(size[i] / low) / step if size[i] > low else 0.0
            cls[i] = int(v) if v < 31.0 else 31
    n_cls = cls.max() + 1 if k else 0
    starts = np.zeros(n_cls + 1, np.intp)
    for i in range(k):
        starts[cls[i] + 1] += 1
    for c in range(n_cls):
        starts[c + 1] += starts[c]
    fill = starts[:-1].copy()
    items = np.empty(k, np.intp)
    for i in np.argsort(x0):  # a stable counting sort by class of the x0 order
        c = cls[i]
        items[fill[c]] = i
        fill[c] += 1
    top = np.zeros(n_cls)
    for i in range(k):
        top[cls[i]] = max(top[cls[i]], size[i])
    return items, starts, top, cls


@kernel
def lone_nearest(x: _Array, P: _Array, cand: NDArray[np.intp], rx: _Array, rP: _Array, rows: NDArray[np.intp],
                 gamma: float) -> tuple[NDArray[np.intp], NDArray[np.bool_], NDArray[np.bool_]]:
    """The part of the association of source rows `rows` to fused rows `cand` (d² ≤ γ, global nearest neighbour)
    that needs no solver. Pairs near the gate (d² ≤ γ (1 + `GATE_MARGIN`)) are every pair the associator can
    assign and a few more at most. A row whose near candidates are near no other row forms a component of the
    gate graph alone, whose optimum is its nearest candidate; a candidate whose near rows are near no other
    candidate likewise takes its nearest row (the others stay unassigned). Either is settled here when that
    nearest pair is inside the gate and clearly nearer than the others (by `GATE_MARGIN`, relative: last-bit
    differences of d² cannot change the answer). Returns per row the fused row it is settled into (−1: none, or
    not settled here), per row whether it goes to the associator (near a candidate, not settled), per candidate
    whether it goes with those rows."""
    limit = gamma * (1.0 + GATE_MARGIN)
    coarse = limit * (1.0 + GATE_MARGIN)
    pr, pc, d2_of = [], [], []
    n_r = np.zeros(rows.size, np.intp)
    n_c = np.zeros(cand.size, np.intp)
    best = np.full(rows.size, -1, np.intp)
    d2_best = np.full(rows.size, np.inf)
    d2_next = np.full(rows.size, np.inf)
    # d² ≤ limit implies |ν|² ≤ limit λmax(S) ≤ limit tr S: a cheap exact test first, on the candidates' positions
    # and traces gathered once, contiguous; for a few rows (most steps) on every candidate, for more rows only on
    # those in a window along x (candidates sorted by x, the window widened by the largest trace) that holds every
    # candidate passing it
    by_x = np.argsort(x[cand, 0]) if rows.size > SORT_ROWS else np.arange(cand.size)
    cpos = np.empty((cand.size, 4))
    for q in range(cand.size):
        c = cand[by_x[q]]
        cpos[q, 0], cpos[q, 1], cpos[q, 2] = x[c, 0], x[c, 1], x[c, 2]
        cpos[q, 3] = P[c, 0, 0] + P[c, 1, 1] + P[c, 2, 2]
    tr_max = cpos[:, 3].max() if cand.size else 0.0
    lo, hi = 0, cand.size
    for j in range(rows.size):
        r = rows[j]
        tr_r = rP[r, 0, 0] + rP[r, 1, 1] + rP[r, 2, 2]
        if rows.size > SORT_ROWS:
            reach = np.sqrt(coarse * (tr_r + tr_max)) * (1.0 + GATE_MARGIN) + 1.0
            lo = np.searchsorted(cpos[:, 0], rx[r, 0] - reach)
            hi = np.searchsorted(cpos[:, 0], rx[r, 0] + reach, side="right")
        for q in range(lo, hi):
            dx, dy, dz = rx[r, 0] - cpos[q, 0], rx[r, 1] - cpos[q, 1], rx[r, 2] - cpos[q, 2]
            if dx * dx + dy * dy + dz * dz > coarse * (tr_r + cpos[q, 3]):
                continue
            i = by_x[q]
            c = cand[i]
            d2 = gate_d2(x[c], P[c], rx[r], rP[r])
            if d2 <= limit:
                pr.append(j)
                pc.append(i)
                d2_of.append(d2)
                n_r[j] += 1
                n_c[i] += 1
                _keep_least_two(d2, j, i, best, d2_best, d2_next)
    lone = best >= 0
    for m in range(len(pr)):
        if n_c[pc[m]] > 1:
            lone[pr[m]] = False
    settled = _clear(lone, d2_best, d2_next, gamma)
    # the mirror image: a candidate near several rows that are near no other candidate takes its nearest row
    # when that one is clear (the others stay unassigned)
    c_lone = n_c > 1
    c_best = np.full(cand.size, -1, np.intp)
    c_d2_best = np.full(cand.size, np.inf)
    c_d2_next = np.full(cand.size, np.inf)
    for m in range(len(pr)):
        j, i = pr[m], pc[m]
        if n_r[j] > 1:
            c_lone[i] = False
        _keep_least_two(d2_of[m], i, j, c_best, c_d2_best, c_d2_next)
    c_settled = _clear(c_lone, c_d2_best, c_d2_next, gamma)
    to_solver = (best >= 0) & ~settled
    for m in range(len(pr)):
        if c_settled[pc[m]]:
            to_solver[pr[m]] = False
    cand_to_solver = np.zeros(cand.size, np.bool_)
    for m in range(len(pr)):
        if to_solver[pr[m]]:
            cand_to_solver[pc[m]] = True
    fused = np.full(rows.size, -1, np.intp)
    for j in range(rows.size):
        if settled[j]:
            fused[j] = cand[best[j]]
    for i in range(cand.size):
        if c_settled[i]:
            fused[c_best[i]] = cand[i]
    return fused, to_solver, cand_to_solver


@kernel
def correlate_from(x: _Array, P: _Array, has: NDArray[np.bool_], member: NDArray[np.intp], n: int, rx: _Array,
                   rP: _Array, src_of: NDArray[np.intp], s0: int,
                   gamma: float) -> tuple[int, int, NDArray[np.intp], NDArray[np.intp], NDArray[np.bool_],
                                          NDArray[np.intp], NDArray[np.bool_]]:
    """Step 2 from source s0 on, in one pass for as long as no source needs the associator: source by source, its
    rows not folded yet (member −1) are associated to the fused rows 0..n−1 holding no track of it (`lone_nearest`)
    and folded in or started (`fold_or_start`). Returns (n, s, rows, fused_of, solve, cand, solve_c): s = −1 when
    every source is done (n the fused rows' count); else source s has rows (`rows`) that `lone_nearest` left to the
    associator (`solve`, with the candidates cand[solve_c]; `fused_of` the rows it settled), not yet folded."""
    # the rows not folded yet by source, in row order (a counting sort; a source's step folds only its own rows)
    n_src = has.shape[1]
    bounds = np.zeros(n_src + 1, np.intp)
    for r in range(src_of.size):
        if member[r] < 0:
            bounds[src_of[r] + 1] += 1
    for s in range(n_src):
        bounds[s + 1] += bounds[s]
    fill = bounds[:-1].copy()
    open_rows = np.empty(bounds[n_src], np.intp)
    for r in range(src_of.size):
        if member[r] < 0:
            open_rows[fill[src_of[r]]] = r
            fill[src_of[r]] += 1
    for s in range(s0, n_src):
        rows = open_rows[bounds[s]:bounds[s + 1]]
        if rows.size == 0:
            continue
        n_cand = 0
        for f in range(n):
            if not has[f, s]:
                n_cand += 1
        cand = np.empty(n_cand, np.intp)
        n_cand = 0
        for f in range(n):
            if not has[f, s]:
                cand[n_cand] = f
                n_cand += 1
        fused_of, solve, solve_c = lone_nearest(x, P, cand, rx, rP, rows, gamma)
        if solve.any():
            return n, s, rows, fused_of, solve, cand, solve_c
        n = fold_or_start(x, P, has, member, n, rx, rP, rows, fused_of, s)
    none = np.zeros(0, np.intp)
    return n, -1, none, none, np.zeros(0, np.bool_), none, np.zeros(0, np.bool_)


@kernel
def _nearest_first(a: NDArray[np.intp], b: NDArray[np.intp], dist: _Array, tie: NDArray[np.int64],
                   used_a: NDArray[np.bool_], used_b: NDArray[np.bool_]) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """Greedy matching: the pairs (a[m], b[m]) in the order of (dist, a, tie) (stable sorts, last key first),
    each taken when neither side is used yet (`used_a`, `used_b`, which may be one array: they are updated)."""
    idx = np.argsort(tie, kind="mergesort")
    idx = idx[np.argsort(a[idx], kind="mergesort")]
    idx = idx[np.argsort(dist[idx], kind="mergesort")]
    ta, tb = [], []
    for m in idx:
        i, j = a[m], b[m]
        if not used_a[i] and not used_b[j]:
            used_a[i] = True
            used_b[j] = True
            ta.append(i)
            tb.append(j)
    return np.array(ta, dtype=np.intp), np.array(tb, dtype=np.intp)


@kernel
def duplicate_pairs(x: _Array, P: _Array, has: NDArray[np.bool_],
                    gamma: float) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """Step 3's pairs: fused rows (a, b), a < b, with no source in common and d² ≤ γ, nearest first (ties by a,
    then b), each row in one pair at most (greedy). Candidates by sweep along the axis of the positions' largest
    extent, in a window per size class (`x_classes`), with the exact bound |Δ|² ≤ γ (‖P_a‖ + ‖P_b‖) (Frobenius
    norms of the position blocks, ≥ their largest eigenvalues); the order in which pairs are found does not
    matter (they are sorted)."""
    k = x.shape[0]
    size = np.empty(k)
    for i in range(k):
        s = 0.0
        for u in range(3):
            for v in range(3):
                s += P[i, u, v] * P[i, u, v]
        size[i] = np.sqrt(s)
    axis, extent = 0, -1.0
    for c in range(3):
        if k and x[:, c].max() - x[:, c].min() > extent:
            axis, extent = c, x[:, c].max() - x[:, c].min()
    sweep = x[:, axis].copy()
    items, starts, top, cls = x_classes(sweep, size)
    pos = np.empty((k, 5))  # the items' sweep coordinate, position and size in sweep order, contiguous
    for q in range(k):
        i = items[q]
        pos[q, 0], pos[q, 1], pos[q, 2], pos[q, 3], pos[q, 4] = sweep[i], x[i, 0], x[i, 1], x[i, 2], size[i]
    ca, cb, cd = [], [], []
    # each pair once: from its row of the lower size class, or within a class from the row first along the axis
    for qi in range(k):
        i = items[qi]
        for g in range(cls[i], starts.size - 1):
            reach = np.sqrt(gamma * (size[i] + top[g]) * (1.0 + GATE_MARGIN) + 1.0) * (1.0 + GATE_MARGIN) + 1.0
            if g == cls[i]:
                lo = qi + 1
            else:
                lo = starts[g] + np.searchsorted(pos[starts[g]:starts[g + 1], 0], pos[qi, 0] - reach)
            for q in range(lo, starts[g + 1]):
                if pos[q, 0] - pos[qi, 0] > reach:
                    break
                dx, dy, dz = pos[q, 1] - pos[qi, 1], pos[q, 2] - pos[qi, 2], pos[q, 3] - pos[qi, 3]
                if dx * dx + dy * dy + dz * dz > gamma * (pos[qi, 4] + pos[q, 4]) * (1.0 + GATE_MARGIN) + 1.0:
                    continue
                j = items[q]
                shared = False
                for s in range(has.shape[1]):
                    if has[i, s] and has[j, s]:
                        shared = True
                        break
                if shared:
                    continue
                a, b = min(i, j), max(i, j)
                d2 = gate_d2(x[a], P[a], x[b], P[b])
                if d2 <= gamma:
                    ca.append(a)
                    cb.append(b)
                    cd.append(d2)
    a_ = np.array(ca, dtype=np.intp)
    b_ = np.array(cb, dtype=np.intp)
    d_ = np.array(cd, dtype=np.float64)
    used = np.zeros(k, np.bool_)
    return _nearest_first(a_, b_, d_, b_, used, used)


@kernel
def renumber_matches(x: _Array, sigma: _Array, cls: NDArray[np.int8], r: _Array, sigma0: _Array,
                     c0: NDArray[np.int8], lost: NDArray[np.int64],
                     gate_m: float) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """New fused tracks (positions x[:, :3], σ, classes) matched to lost tracks (predicted positions r, σ₀,
    classes, numbers `lost`): of the pairs (i, k) of compatible classes (equal, or either unknown) with gap =
    |x_i − r_k| ≤ gate_m + 4 (σ_i + σ₀_k), nearest first (ties by i, then by the lost number), each track of
    either side in one pair at most (greedy). Brute force: a handful of new tracks per picture."""
    ci, ck, cg = [], [], []
    for i in range(x.shape[0]):
        for k in range(r.shape[0]):
            if cls[i] != 0 and c0[k] != 0 and cls[i] != c0[k]:
                continue
            dx, dy, dz = x[i, 0] - r[k, 0], x[i, 1] - r[k, 1], x[i, 2] - r[k, 2]
            gap = np.sqrt(dx * dx + dy * dy + dz * dz)
            if gap <= gate_m + 4.0 * (sigma[i] + sigma0[k]):
                ci.append(i)
                ck.append(k)
                cg.append(gap)
    i_ = np.array(ci, dtype=np.intp)
    k_ = np.array(ck, dtype=np.intp)
    g_ = np.array(cg, dtype=np.float64)
    return _nearest_first(i_, k_, g_, lost[k_], np.zeros(x.shape[0], np.bool_), np.zeros(r.shape[0], np.bool_))


@kernel
def group_rows(member: NDArray[np.intp], n: int, prev: NDArray[np.int64], row_cls: NDArray[np.int8],
               P: _Array) -> tuple[NDArray[np.intp], NDArray[np.intp], NDArray[np.int8], _Array, NDArray[np.int64]]:
    """A picture's fused rows 0..n−1 from their source rows (member[r] in [0, n), every fused row with a row):
    the source rows by fused row, each group's in row order (`order`, group f at order[starts[f]:starts[f + 1]]),
    each fused row's classification (the largest of its rows' `row_cls`), position σ (√ of P₀₀ + P₁₁, then
    + P₂₂) and the number it keeps (−1: none): the first of its rows' last numbers (`prev`, −1 for none) that no
    fused row before it kept. Returns (order, starts (n + 1,), classification, σ, kept numbers)."""
    starts = np.zeros(n + 1, np.intp)
    for r in range(member.size):
        starts[member[r] + 1] += 1
    for f in range(n):
        starts[f + 1] += starts[f]
    fill = starts[:-1].copy()
    order = np.empty(member.size, np.intp)
    for r in range(member.size):  # a counting sort: rows in order within each fused row
        order[fill[member[r]]] = r
        fill[member[r]] += 1
    cls = np.empty(n, np.int8)
    sigma = np.empty(n)
    kept = np.full(n, -1, np.int64)
    taken = np.zeros(max(prev.max() + 1, 0) if prev.size else 0, np.bool_)
    for f in range(n):
        c = row_cls[order[starts[f]]]
        for m in range(starts[f] + 1, starts[f + 1]):
            c = max(c, row_cls[order[m]])
        cls[f] = c
        sigma[f] = np.sqrt(P[f, 0, 0] + P[f, 1, 1] + P[f, 2, 2])
        for m in range(starts[f], starts[f + 1]):
            number = prev[order[m]]
            if number >= 0 and not taken[number]:
                taken[number] = True
                kept[f] = number
                break
    return order, starts, cls, sigma, kept


@kernel
def picture_rows(number: NDArray[np.int64], order: NDArray[np.intp], starts: NDArray[np.intp],
                 has: NDArray[np.bool_]) -> tuple[NDArray[np.intp], NDArray[np.intp], NDArray[np.intp],
                                                  NDArray[np.intp], NDArray[np.intp]]:
    """The picture's layout by track number (`number` distinct; rows grouped as `group_rows` gives them): the
    fused rows by number (`by_number`), the source rows of each in that order (`rows`, track g's at
    rows[bounds[g]:bounds[g + 1]], in row order), and the distinct sets of sources held (rows of `has`): each
    track's set (`set_of`, sets numbered in order of first appearance) and the first track of each set (`first`).
    Returns (by_number, rows, bounds, set_of, first)."""
    n = number.size
    by_number = np.argsort(number)
    rows = np.empty(order.size, np.intp)
    bounds = np.zeros(n + 1, np.intp)
    k = 0
    for g in range(n):
        f = by_number[g]
        for m in range(starts[f], starts[f + 1]):
            rows[k] = order[m]
            k += 1
        bounds[g + 1] = k
    n_src = has.shape[1]
    set_of = np.empty(n, np.intp)
    first = np.empty(n, np.intp)
    code = np.empty(n, np.int64)  # a digest of each set's sources (equal sets, equal codes)
    n_sets = 0
    for g in range(n):
        f = by_number[g]
        c = 0
        for s in range(n_src):
            if has[f, s]:
                c |= 1 << (s % 62)
        found = -1
        for j in range(n_sets):
            if code[j] == c:
                same = True
                for s in range(n_src):
                    if has[by_number[first[j]], s] != has[f, s]:
                        same = False
                        break
                if same:
                    found = j
                    break
        if found < 0:
            found = n_sets
            code[found] = c
            first[found] = g
            n_sets += 1
        set_of[g] = found
    return by_number, rows, bounds, set_of, first[:n_sets].copy()


@kernel
def renew_numbers(t_s: float, x: _Array, sigma: _Array, cls: NDArray[np.int8], number: NDArray[np.int64],
                  r_number: NDArray[np.int64], r_t: _Array, r_x: _Array, r_sigma: _Array, r_cls: NDArray[np.int8],
                  n_next: int, gate_m: float, gravity: float, falling_cls: int) -> None:
    """Fused tracks without a number (−1 in `number`, completed in place) take the number of a recent track not
    held now (`r_*`: its number (< n_next), time, state, σ and class) whose position predicted to t_s (straight
    line; a track of class `falling_cls` less ½ g Δt² along its radius) they are near (`renumber_matches`, gate
    `gate_m`). The prediction in numpy's arithmetic (the radius' norm summed as x² + y², then + z²)."""
    fresh = np.flatnonzero(number < 0)
    if not fresh.size:
        return
    kept = np.zeros(n_next, np.bool_)
    for i in range(number.size):
        if number[i] >= 0:
            kept[number[i]] = True
    gone = np.flatnonzero(~kept[r_number])
    if not gone.size:
        return
    r = np.empty((gone.size, 3))
    for m in range(gone.size):
        k = gone[m]
        dt = t_s - r_t[k]
        for i in range(3):
            r[m, i] = r_x[k, i] + r_x[k, 3 + i] * dt
        if r_cls[k] == falling_cls:
            norm = np.sqrt((r_x[k, 0] * r_x[k, 0] + r_x[k, 1] * r_x[k, 1]) + r_x[k, 2] * r_x[k, 2])
            for i in range(3):
                r[m, i] = r[m, i] - 0.5 * gravity * dt * dt * r_x[k, i] / norm
    lost = r_number[gone]
    a, b = renumber_matches(x[fresh], sigma[fresh], cls[fresh], r, r_sigma[gone], r_cls[gone], lost, gate_m)
    for m in range(a.size):
        number[fresh[a[m]]] = lost[b[m]]


@kernel
def recent_after(t_s: float, number: NDArray[np.int64], x: _Array, sigma: _Array, cls: NDArray[np.int8],
                 r_number: NDArray[np.int64], r_t: _Array, r_x: _Array, r_sigma: _Array, r_cls: NDArray[np.int8],
                 n_next: int, memory_s: float) -> tuple[NDArray[np.int64], _Array, _Array, _Array, NDArray[np.int8]]:
    """The recent tracks after a picture at t_s: the earlier ones (`r_*`) not older than memory_s and not in the
    picture, then the picture's (numbers < n_next, states, σ, classes), as (number, time, state, σ, class)."""
    present = np.zeros(n_next, np.bool_)
    for i in range(number.size):
        present[number[i]] = True
    keep = np.empty(r_number.size, np.intp)
    k = 0
    for m in range(r_number.size):
        if t_s - r_t[m] <= memory_s and not present[r_number[m]]:
            keep[k] = m
            k += 1
    size = k + number.size
    o_number, o_t, o_x = np.empty(size, np.int64), np.empty(size), np.empty((size, 6))
    o_sigma, o_cls = np.empty(size), np.empty(size, np.int8)
    for j in range(size):
        if j < k:
            m = keep[j]
            o_number[j], o_t[j], o_x[j], o_sigma[j], o_cls[j] = r_number[m], r_t[m], r_x[m], r_sigma[m], r_cls[m]
        else:
            i = j - k
            o_number[j], o_t[j], o_x[j], o_sigma[j], o_cls[j] = number[i], t_s, x[i], sigma[i], cls[i]
    return o_number, o_t, o_x, o_sigma, o_cls


@kernel
def entry_columns(x: _Array, P: _Array, a: float, a2: float, e2: float, sphere: bool) -> _Array:
    """The numeric columns (5, n) of a picture's entries (`airpicture.picture_entries`) in one pass: geodetic
    latitude and longitude (deg) and altitude (m) of the states' positions (`geo.geodetic_point`, as
    `geo.ecef_to_geodetic`), speed (m/s) and position σ (√ tr of the position covariance, m), each summed in
    numpy's order (x² + y², then + z²; P₀₀ + P₁₁, then + P₂₂)."""
    n = x.shape[0]
    out = np.empty((5, n))
    for k in range(n):
        out[0, k], out[1, k], out[2, k] = geodetic_point(x[k, 0], x[k, 1], x[k, 2], a, a2, e2, sphere)
        out[3, k] = np.sqrt(x[k, 3] * x[k, 3] + x[k, 4] * x[k, 4] + x[k, 5] * x[k, 5])
        out[4, k] = np.sqrt(P[k, 0, 0] + P[k, 1, 1] + P[k, 2, 2])
    return out
