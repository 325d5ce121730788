"""Compiled kernels of the association's gates (in `associate_kernels.gated_pairs_kernel`, and behind the public
`association.coarse_candidates` and `association.nearest_track`): the coarse gate's grid and the nearest track of
each measurement, each one pass over the tracks or pairs.

Why: the coarse gate runs once or twice per scan instant on a few hundred to a few thousand tracks and
measurements; in numpy its grid took some thirty array operations (sort keys, strips, searches, repeats, gathers)
whose fixed cost dominated. Compiled, the same grid is a loop: the measurements are put in cells (group, strip
along the axis of their largest extent) by a counting sort, each cell's by its coordinate along the second largest;
each track takes the strips its radius ρᵢ = √(γ (‖Pₚᵢ‖ + maxⱼ ‖Rⱼ‖)) (the maximum over its group, plus a millimetre
for rounding) reaches and, in each, walks the cell's measurements within ρᵢ along the second axis (a cell
usually holds a few measurements: a walk, no search; a cluster in a wide extent crowds one cell, and the walk is
then longer than a search would be), then tests each against the exact bound |zⱼ − pᵢ|² ≤ γ (‖Pₚᵢ‖ + ‖Rⱼ‖)
(projections only shorten distances, so the grid loses no pair: the pairs found do not depend on the grid). The
strips are about as wide as the median radius (and at most about 8 cells per measurement); a track reaching more
than a few strips takes them whole. (The former grid sorted one key per measurement and binary-searched it once per
track and strip: the searches were half the gate's time in the 500-threat raid.)
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from amdx.jit import kernel

_Array = NDArray[np.float64]
_Index = NDArray[np.intp]
_Ids = NDArray[np.int64]


@kernel
def _frobenius_norms(C: _Array) -> _Array:
    """Frobenius norms (k,) of the 3×3 matrices C (k, 3, 3): an upper bound of their largest eigenvalue."""
    out = np.empty(C.shape[0])
    for i in range(C.shape[0]):
        acc = 0.0
        for a in range(3):
            for b in range(3):
                acc += C[i, a, b] * C[i, a, b]
        out[i] = np.sqrt(acc)
    return out


@kernel
def _group_ranks(mg: _Ids, tg: _Ids) -> tuple[int, _Index, _Index]:
    """The measurements' groups as dense ranks 0..G−1 in increasing label (G distinct labels of mg), and each
    track's rank of its label, −1 when no measurement has it. A presence table over the labels' range when it is
    short (the usual case: sensor indices), else np.unique and a search."""
    n = mg.shape[0]
    lo, hi = np.min(mg), np.max(mg)
    g_meas = np.empty(n, np.intp)
    g_track = np.full(tg.shape[0], -1, np.intp)
    if 0 <= hi - lo <= 4 * n + 64:  # (a negative difference wrapped around: labels 2⁶³ or more apart)
        rank = np.full(hi - lo + 1, -1, np.intp)
        for j in range(n):
            rank[mg[j] - lo] = 0
        n_groups = 0
        for v in range(rank.shape[0]):
            if rank[v] == 0:
                rank[v] = n_groups
                n_groups += 1
        for j in range(n):
            g_meas[j] = rank[mg[j] - lo]
        for i in range(tg.shape[0]):
            if lo <= tg[i] <= hi:
                g_track[i] = rank[tg[i] - lo]
        return n_groups, g_meas, g_track
    groups = np.unique(mg)
    g_meas[:] = np.searchsorted(groups, mg)
    for i in range(tg.shape[0]):
        g = np.searchsorted(groups, tg[i])
        if g < groups.shape[0] and groups[g] == tg[i]:
            g_track[i] = g
    return groups.shape[0], g_meas, g_track


@kernel
def _order_by_cell(cell: _Index, coord: _Array, n_cells: int) -> tuple[_Index, _Index]:
    """The measurements ordered by cell (a counting sort), each cell's by coordinate (insertion sort, np.argsort
    for a crowded cell; equal coordinates in any order): (order (n,), start (n_cells + 1,): cell c's measurements
    are order[start[c]:start[c + 1]])."""
    n = cell.shape[0]
    start = np.zeros(n_cells + 1, np.intp)
    for j in range(n):
        start[cell[j] + 1] += 1
    for c in range(n_cells):
        start[c + 1] += start[c]
    order = np.empty(n, np.intp)
    fill = start[:n_cells].copy()
    for j in range(n):
        order[fill[cell[j]]] = j
        fill[cell[j]] += 1
    for c in range(n_cells):
        a, b = start[c], start[c + 1]
        if b - a > 32:
            sub = order[a:b].copy()
            order[a:b] = sub[np.argsort(coord[sub])]
        else:
            for u in range(a + 1, b):
                v = order[u]
                w = u
                while w > a and coord[order[w - 1]] > coord[v]:
                    order[w] = order[w - 1]
                    w -= 1
                order[w] = v
    return order, start


@kernel
def coarse_pairs_kernel(p: _Array, cov_p: _Array, z: _Array, cov_r: _Array, gate_d2: float, margin: float,
                        slack_m: float, max_strips: int, max_track_cells: int, tg: _Ids,
                        mg: _Ids) -> tuple[_Index, _Index]:
    """Pairs (i, j) of one group (tg[i] == mg[j]) with |z_j − p_i|² ≤ γ (‖cov_p[i]‖ + ‖cov_r[j]‖) (1 + margin)
    (Frobenius norms), γ = gate_d2, sorted by track, then measurement; slack_m widens the grid's windows, m; at
    most max_strips strips per group (and about 8 cells per measurement), and a track reaching more than
    max_track_cells strips takes them whole. A track or measurement whose position or covariance is not finite
    pairs with nothing (it is left out of the grid, which indexes by coordinate)."""
    k, n = p.shape[0], z.shape[0]
    if k == 0 or n == 0:
        return np.empty(0, np.intp), np.empty(0, np.intp)
    size_p, size_r = _frobenius_norms(cov_p), _frobenius_norms(cov_r)
    usable = np.empty(n, np.bool_)
    low_c, high_c = np.full(3, np.inf), np.full(3, -np.inf)
    for j in range(n):
        usable[j] = (math.isfinite(z[j, 0]) and math.isfinite(z[j, 1]) and math.isfinite(z[j, 2])
                     and math.isfinite(size_r[j]))
        if usable[j]:
            for c in range(3):
                low_c[c], high_c[c] = min(low_c[c], z[j, c]), max(high_c[c], z[j, c])
    if not usable.any():
        return np.empty(0, np.intp), np.empty(0, np.intp)
    ax_a, ax_b = 0, 1
    ext_a, ext_b = -1.0, -1.0
    for c in range(3):  # the axes of largest and second largest extent (first of equals)
        e = high_c[c] - low_c[c]
        if e > ext_a:
            ax_b, ext_b = ax_a, ext_a
            ax_a, ext_a = c, e
        elif e > ext_b:
            ax_b, ext_b = c, e
    a0, b0 = low_c[ax_a], low_c[ax_b]
    n_groups, g_meas, g_track = _group_ranks(mg, tg)
    top = np.zeros(n_groups)  # the largest ‖R‖ of each group
    for j in range(n):
        if usable[j]:
            top[g_meas[j]] = max(top[g_meas[j]], size_r[j])
    rho = np.empty(k)
    for i in range(k):
        own = g_track[i] >= 0
        rho[i] = np.sqrt(gate_d2 * (size_p[i] + top[g_track[i]])) * (1.0 + margin) + slack_m if own else -1.0
        if not (math.isfinite(rho[i]) and math.isfinite(p[i, 0]) and math.isfinite(p[i, 1])
                and math.isfinite(p[i, 2])):
            rho[i] = -1.0
    # at most about 8 cells per measurement (the strips of each group): the cell table stays short
    strips_cap = min(max_strips, max(1, (8 * n + 64) // n_groups))
    width = max(np.median(rho), ext_a / strips_cap, 1.0)
    n_strips = int(ext_a // width) + 1
    cell = np.empty(n, np.intp)
    coord = np.zeros(n)
    for j in range(n):  # (the measurements left out go to one more cell, after all groups' strips: never walked)
        cell[j] = g_meas[j] * n_strips + min(int((z[j, ax_a] - a0) // width), n_strips - 1) if usable[j] \
            else n_groups * n_strips
        coord[j] = z[j, ax_b] - b0 if usable[j] else 0.0
    order, start = _order_by_cell(cell, coord, n_groups * n_strips + 1)
    ti = np.empty(max(16, 4 * k), np.intp)
    mj = np.empty(max(16, 4 * k), np.intp)
    found = np.empty(n, np.intp)
    count = 0
    for i in range(k):
        r = rho[i]
        if r < 0.0:
            continue
        a_i, b_i = p[i, ax_a] - a0, p[i, ax_b] - b0
        lo_a, hi_a = (a_i - r) // width, (a_i + r) // width
        if hi_a < 0.0 or lo_a > n_strips - 1.0:
            continue  # beyond the measurements' extent
        first, last = int(max(lo_a, 0.0)), int(min(hi_a, n_strips - 1.0))
        wide = last - first + 1 > max_track_cells  # its strips taken whole: one range, not one per strip
        low, high = b_i - r - slack_m, b_i + r + slack_m
        cell0 = g_track[i] * n_strips
        m = 0
        for st in range(first, first + 1 if wide else last + 1):
            q, end = start[cell0 + st], start[cell0 + (last if wide else st) + 1]
            if not wide:  # the cell's measurements by coordinate: those from low to high
                while q < end and coord[order[q]] < low:
                    q += 1
            while q < end:
                jj = order[q]
                if not wide and coord[jj] > high:
                    break
                d0, d1, d2 = p[i, 0] - z[jj, 0], p[i, 1] - z[jj, 1], p[i, 2] - z[jj, 2]
                if d0 * d0 + d1 * d1 + d2 * d2 <= gate_d2 * (size_p[i] + size_r[jj]) * (1.0 + margin):
                    found[m] = jj
                    m += 1
                q += 1
        if count + m > ti.shape[0]:
            grow = max(2 * ti.shape[0], count + m)
            ti2, mj2 = np.empty(grow, np.intp), np.empty(grow, np.intp)
            ti2[:count], mj2[:count] = ti[:count], mj[:count]
            ti, mj = ti2, mj2
        for u in range(m):  # in measurement order (insertion sort: a handful each)
            v = found[u]
            w = count + u
            while w > count and mj[w - 1] > v:
                mj[w] = mj[w - 1]
                w -= 1
            mj[w] = v
            ti[count + u] = i
        count += m
    return ti[:count].copy(), mj[:count].copy()


@kernel
def nearest_track_kernel(n_meas: int, ti: _Index, mj: _Index, d2: _Array, limit_d2: float) -> _Index:
    """(n_meas,) track of least d² (≤ limit_d2) among the pairs (ti, mj) of each measurement, -1 if none; ties
    go to the lower track index."""
    out = np.full(n_meas, -1, np.intp)
    best = np.empty(n_meas)
    for m in range(ti.shape[0]):
        d, j, i = d2[m], mj[m], ti[m]
        if d <= limit_d2 and (out[j] < 0 or d < best[j] or (d == best[j] and i < out[j])):
            out[j] = i
            best[j] = d
    return out
