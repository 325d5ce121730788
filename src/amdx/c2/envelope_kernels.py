"""Compiled kernels of `envelope`'s launch windows: flyout and launch time per path sample with the envelope's
altitude and timing constraints, and the earliest and latest feasible launch of each pair.

Why: battle planning asks for the window of every (battery, track) pair over about a hundred path samples each
cycle, and fire control over 900 samples per fire order; numpy spent that time in a dozen full-size
temporaries and arg-reductions per call. The loops do the numpy code's arithmetic in its order (the slant
range as √((dx² + dy²) + dz²), as `np.linalg.norm` sums three squares), so the windows are the same to the bit.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from amdx.jit import kernel


@kernel
def flyout_samples(site: NDArray[np.float64], now: NDArray[np.float64], pos: NDArray[np.float64],
                   alt: NDArray[np.float64], t: NDArray[np.float64], path_row: NDArray[np.intp],
                   t_row: NDArray[np.intp], min_alt_m: float, max_alt_m: float, speed_mps: float,
                   reaction_s: float) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.bool_]]:
    """For N pairs (sites (N, 3), decision times (N,)) against paths (positions pos[path_row] (K, 3), geodetic
    altitudes alt[path_row] (K,), times t[t_row] (K,)): flyout (N, K) s, launch time (N, K) s, and whether the
    sample meets every constraint but the range (altitude band, launch at least `reaction_s` after the decision,
    a finite launch time)."""
    n, k = path_row.size, pos.shape[1]
    flyout = np.empty((n, k))
    launch = np.empty((n, k))
    ok = np.empty((n, k), dtype=np.bool_)
    for i in range(n):
        p, r = path_row[i], t_row[i]
        sx, sy, sz = site[i, 0], site[i, 1], site[i, 2]
        ready = now[i] + reaction_s
        for j in range(k):
            dx, dy, dz = pos[p, j, 0] - sx, pos[p, j, 1] - sy, pos[p, j, 2] - sz
            f = np.sqrt((dx * dx + dy * dy) + dz * dz) / speed_mps
            lt = t[r, j] - f
            a = alt[p, j]
            flyout[i, j] = f
            launch[i, j] = lt
            ok[i, j] = a >= min_alt_m and a <= max_alt_m and lt >= ready and np.isfinite(lt)
    return flyout, launch, ok


@kernel
def window_ends(feasible: NDArray[np.bool_], launch: NDArray[np.float64], t: NDArray[np.float64],
                t_row: NDArray[np.intp], pos: NDArray[np.float64], path_row: NDArray[np.intp],
                ) -> tuple[NDArray[np.intp], NDArray[np.intp], NDArray[np.float64], NDArray[np.float64]]:
    """Per row of (N, K): the sample of the earliest and of the latest feasible launch (the first of equals, as
    `np.argmin` / `np.argmax`), −1 where no sample is feasible; and at those two samples the launch times and
    intercept times (N, 2, 2): [i, 0] earliest, [i, 1] latest, then (launch, intercept)), and the intercept
    points pos[path_row[i]] (N, 2, 3) (times t[t_row[i]]); NaN where there is no window."""
    n, k = feasible.shape
    lo = np.full(n, -1, dtype=np.intp)
    hi = np.full(n, -1, dtype=np.intp)
    times = np.full((n, 2, 2), np.nan)
    pips = np.full((n, 2, 3), np.nan)
    for i in range(n):
        for j in range(k):
            if feasible[i, j]:
                if lo[i] < 0 or launch[i, j] < launch[i, lo[i]]:
                    lo[i] = j
                if hi[i] < 0 or launch[i, j] > launch[i, hi[i]]:
                    hi[i] = j
        if lo[i] >= 0:
            for e in range(2):
                j = lo[i] if e == 0 else hi[i]
                times[i, e, 0] = launch[i, j]
                times[i, e, 1] = t[t_row[i], j]
                for c in range(3):
                    pips[i, e, c] = pos[path_row[i], j, c]
    return lo, hi, times, pips


@kernel
def reach_bound(sites: NDArray[np.float64], reach_m: NDArray[np.float64], states: NDArray[np.float64],
                rows: NDArray[np.intp], horizon_s: float) -> NDArray[np.bool_]:
    """(B, R) whether track state states[rows[k]] ([r v], ECEF m, m/s) is within reach_m[i] plus `horizon_s` at its
    speed of site i (B, 3): |r − site| ≤ reach + horizon |v|; False where rows[k] is −1. The norms are summed as
    `np.linalg.norm` sums three squares, so the bound is that of the array expression to the bit."""
    b, n = sites.shape[0], rows.size
    out = np.zeros((b, n), dtype=np.bool_)
    for k in range(n):
        r = rows[k]
        if r < 0:
            continue
        vx, vy, vz = states[r, 3], states[r, 4], states[r, 5]
        extra = horizon_s * np.sqrt((vx * vx + vy * vy) + vz * vz)
        for i in range(b):
            dx, dy, dz = states[r, 0] - sites[i, 0], states[r, 1] - sites[i, 1], states[r, 2] - sites[i, 2]
            out[i, k] = np.sqrt((dx * dx + dy * dy) + dz * dz) <= reach_m[i] + extra
    return out
