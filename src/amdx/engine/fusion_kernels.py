"""Compiled kernels of the fusion centre (`amdx.engine.fusion`): covariance intersection, the position χ² gate
and the folds of its three steps, one pass over the tracks each instead of numpy calls on small batches.

The arithmetic is the numpy code's, in its order where that is cheap: traces summed left to right, the trace
weight ω = tr P_b / (tr P_a + tr P_b), the information sum ω P_a⁻¹ + (1 − ω) P_b⁻¹, its inverse symmetrised, the
state P (ω P_a⁻¹ x_a + (1 − ω) P_b⁻¹ x_b); the gate's d² = νᵀ S⁻¹ ν with S the symmetrised sum of the two
position covariances inverted by the adjugate formula (as `association.pair_mahalanobis2`). The 6×6 inverses
are an LU factorisation with partial pivoting (LAPACK's method; numpy's batched `inv` calls LAPACK), so results
differ from numpy's in the last bits only.
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
def _inverse(a: _Array, lu: _Array, out: _Array) -> None:
    """out = a⁻¹ (6×6) by LU with partial pivoting (lu: 6×6 scratch)."""
    n = _N
    for i in range(n):
        for j in range(n):
            lu[i, j] = a[i, j]
            out[i, j] = 1.0 if i == j else 0.0
    for k in range(n):
        p = k
        big = abs(lu[k, k])
        for i in range(k + 1, n):
            if abs(lu[i, k]) > big:
                big = abs(lu[i, k])
                p = i
        if p != k:
            for j in range(n):
                lu[k, j], lu[p, j] = lu[p, j], lu[k, j]
                out[k, j], out[p, j] = out[p, j], out[k, j]
        r = 1.0 / lu[k, k]
        for i in range(k + 1, n):
            lu[i, k] *= r
            f = lu[i, k]
            for j in range(k + 1, n):
                lu[i, j] -= f * lu[k, j]
    # L Y = P I, then U X = Y: all six columns at once (the innermost loop runs along a row, so it is
    # vectorised), each element's terms subtracted in the same order as column by column (the same bits)
    for i in range(1, n):
        for j in range(i):
            f = lu[i, j]
            for c in range(n):
                out[i, c] -= f * out[j, c]
    for i in range(n - 1, -1, -1):
        for j in range(i + 1, n):
            f = lu[i, j]
            for c in range(n):
                out[i, c] -= f * out[j, c]
        d = lu[i, i]
        for c in range(n):
            out[i, c] /= d


@kernel
def _trace(a: _Array) -> float:
    s = a[0, 0]
    for i in range(1, _N):
        s += a[i, i]
    return s


@kernel
def _intersect(xa: _Array, Pa: _Array, xb: _Array, Pb: _Array, ia: _Array, ib: _Array, lu: _Array, v: _Array,
               out_x: _Array, out_P: _Array) -> None:
    """Covariance intersection of (xa, Pa) and (xb, Pb) with the fast trace weight into (out_x, out_P), which
    may be xa and Pa themselves (ia, ib, lu: 6×6 scratch, v: 6)."""
    n = _N
    tra, trb = _trace(Pa), _trace(Pb)
    w = trb / (tra + trb)
    wb = 1.0 - w
    _inverse(Pa, lu, ia)
    _inverse(Pb, lu, ib)
    for i in range(n):
        for j in range(n):
            ia[i, j] *= w
            ib[i, j] *= wb
    for i in range(n):
        sa = ia[i, 0] * xa[0]
        sb = ib[i, 0] * xb[0]
        for j in range(1, n):
            sa += ia[i, j] * xa[j]
            sb += ib[i, j] * xb[j]
        v[i] = sa + sb
    for i in range(n):
        for j in range(n):
            ia[i, j] = ia[i, j] + ib[i, j]  # the information sum
    _inverse(ia, lu, ib)
    for i in range(n):
        for j in range(n):
            out_P[i, j] = 0.5 * (ib[i, j] + ib[j, i])
    for i in range(n):
        s = out_P[i, 0] * v[0]
        for j in range(1, n):
            s += out_P[i, j] * v[j]
        out_x[i] = s


@kernel
def fold_pairs(x: _Array, P: _Array, into: NDArray[np.intp], sx: _Array, sP: _Array,
               rows: NDArray[np.intp]) -> None:
    """Fold (sx, sP)[rows[m]] into (x, P)[into[m]] by covariance intersection, in place (`into` distinct and
    disjoint from `rows` when sx is x)."""
    ia, ib, lu, v = np.empty((_N, _N)), np.empty((_N, _N)), np.empty((_N, _N)), np.empty(_N)
    for m in range(into.size):
        f, r = into[m], rows[m]
        _intersect(x[f], P[f], sx[r], sP[r], ia, ib, lu, v, x[f], P[f])


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
              src_of: NDArray[np.intp], rows: NDArray[np.intp], starts: NDArray[np.intp], first: int,
              gamma: float) -> None:
    """Step 1's fold: group g is rows[starts[g]:starts[g + 1]] (source order); its first row starts fused row
    first + g, and each further row of a source the group does not hold yet and inside the gate (d² ≤ γ) of the
    group's estimate so far is folded in, the others are left (member −1)."""
    ia, ib, lu, v = np.empty((_N, _N)), np.empty((_N, _N)), np.empty((_N, _N)), np.empty(_N)
    for g in range(starts.size - 1):
        f = first + g
        _start_row(x, P, has, member, f, rx, rP, rows[starts[g]], src_of[rows[starts[g]]])
        for m in range(starts[g] + 1, starts[g + 1]):
            r = rows[m]
            s = src_of[r]
            if has[f, s]:
                continue
            if gate_d2(x[f], P[f], rx[r], rP[r]) <= gamma:
                _intersect(x[f], P[f], rx[r], rP[r], ia, ib, lu, v, x[f], P[f])
                has[f, s] = True
                member[r] = f


@kernel
def fold_or_start(x: _Array, P: _Array, has: NDArray[np.bool_], member: NDArray[np.intp], n: int, rx: _Array,
                  rP: _Array, rows: NDArray[np.intp], fused_of: NDArray[np.intp], s: int) -> int:
    """Step 2's outcome for the rows `rows` of source s: a row with fused_of ≥ 0 is folded into that fused row
    (distinct rows) by covariance intersection, each other row starts a new fused row (n, n + 1, ... in row
    order). Returns the fused rows' new count."""
    ia, ib, lu, v = np.empty((_N, _N)), np.empty((_N, _N)), np.empty((_N, _N)), np.empty(_N)
    for m in range(rows.size):
        r, f = rows[m], fused_of[m]
        if f >= 0:
            _intersect(x[f], P[f], rx[r], rP[r], ia, ib, lu, v, x[f], P[f])
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


SIZE_CLASS_RATIO = 4.0
"""Ratio of the largest to the smallest size (covariance trace or norm) within one size class of `x_classes`."""


@kernel
def x_classes(x0: _Array, size: _Array) -> tuple[NDArray[np.intp], NDArray[np.intp], _Array, NDArray[np.intp],
                                                   NDArray[np.intp]]:
    """Items grouped by size class (sizes within a factor `SIZE_CLASS_RATIO` of each other, from the smallest up),
    each class sorted by x0: a sweep along x with a window for each class's largest size (not the largest size of
    all, which a few poorly known tracks make wide) finds the same pairs and looks at far fewer. Returns the
    items (k,), the classes' starts in it (c + 1,), each class's largest size (c,), each item's class and its
    place in the items (k,)."""
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
    place = np.empty(k, np.intp)
    for i in np.argsort(x0):  # a stable counting sort by class of the x order
        c = cls[i]
        items[fill[c]] = i
        place[i] = fill[c]
        fill[c] += 1
    top = np.zeros(n_cls)
    for i in range(k):
        top[cls[i]] = max(top[cls[i]], size[i])
    return items, starts, top, cls, place


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
    # d² ≤ limit implies |ν|² ≤ limit λmax(S) ≤ limit tr S: a cheap exact test first, and a window along x
    # (candidates sorted by x) that holds every candidate passing it
    tr_c = np.empty(cand.size)
    for i in range(cand.size):
        c = cand[i]
        tr_c[i] = P[c, 0, 0] + P[c, 1, 1] + P[c, 2, 2]
    by_x = np.argsort(x[cand, 0])
    x_sorted = x[cand, 0][by_x]
    tr_max = tr_c.max() if cand.size else 0.0
    for j in range(rows.size):
        r = rows[j]
        tr_r = rP[r, 0, 0] + rP[r, 1, 1] + rP[r, 2, 2]
        reach = np.sqrt(coarse * (tr_r + tr_max)) * (1.0 + GATE_MARGIN) + 1.0
        lo = np.searchsorted(x_sorted, rx[r, 0] - reach)
        hi = np.searchsorted(x_sorted, rx[r, 0] + reach, side="right")
        for q in range(lo, hi):
            i = by_x[q]
            c = cand[i]
            dx, dy, dz = rx[r, 0] - x[c, 0], rx[r, 1] - x[c, 1], rx[r, 2] - x[c, 2]
            if dx * dx + dy * dy + dz * dz > coarse * (tr_r + tr_c[i]):
                continue
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
    for s in range(s0, has.shape[1]):
        count = 0
        for r in range(src_of.size):
            if src_of[r] == s and member[r] < 0:
                count += 1
        if count == 0:
            continue
        rows = np.empty(count, np.intp)
        count = 0
        for r in range(src_of.size):
            if src_of[r] == s and member[r] < 0:
                rows[count] = r
                count += 1
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
    then b), each row in one pair at most (greedy). Candidates by sweep along x, in a window per size class
    (`x_classes`), with the exact bound |Δ|² ≤ γ (‖P_a‖ + ‖P_b‖) (Frobenius norms of the position blocks, ≥ their
    largest eigenvalues); the order in which pairs are found does not matter (they are sorted)."""
    k = x.shape[0]
    size = np.empty(k)
    for i in range(k):
        s = 0.0
        for u in range(3):
            for v in range(3):
                s += P[i, u, v] * P[i, u, v]
        size[i] = np.sqrt(s)
    items, starts, top, cls, place = x_classes(x[:, 0].copy(), size)
    x_sorted = x[items, 0]
    ca, cb, cd = [], [], []
    # each pair once: from its row of the lower size class, or within a class from the row first along x
    for i in range(k):
        for g in range(cls[i], starts.size - 1):
            reach = np.sqrt(gamma * (size[i] + top[g]) * (1.0 + GATE_MARGIN) + 1.0) * (1.0 + GATE_MARGIN) + 1.0
            if g == cls[i]:
                lo = place[i] + 1
            else:
                lo = starts[g] + np.searchsorted(x_sorted[starts[g]:starts[g + 1]], x[i, 0] - reach)
            for q in range(lo, starts[g + 1]):
                j = items[q]
                dx = x[j, 0] - x[i, 0]
                if dx > reach:
                    break
                dy, dz = x[j, 1] - x[i, 1], x[j, 2] - x[i, 2]
                if dx * dx + dy * dy + dz * dz > gamma * (size[i] + size[j]) * (1.0 + GATE_MARGIN) + 1.0:
                    continue
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
def kept_numbers(prev: NDArray[np.int64], starts: NDArray[np.intp]) -> NDArray[np.int64]:
    """The number each fused track keeps (−1: none): the first of its sources' last numbers (`prev`, grouped by
    `starts`, −1 for none) that no fused track before it kept."""
    taken = np.zeros(max(prev.max() + 1, 0) if prev.size else 0, np.bool_)
    out = np.full(starts.size, -1, np.int64)
    for g in range(starts.size):
        stop = starts[g + 1] if g + 1 < starts.size else prev.size
        for m in range(starts[g], stop):
            n = prev[m]
            if n >= 0 and not taken[n]:
                taken[n] = True
                out[g] = n
                break
    return out


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
