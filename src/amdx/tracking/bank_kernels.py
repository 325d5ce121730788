"""Compiled kernels of a tracker bank's track management (`amdx.tracking.bank`): the look of every stepping
track (hit history, counts, confirmation, deletion) in one pass, and the ids of new tracks.

Why: a bank steps at each of the 901 scan instants of a 15-minute raid; in numpy its bookkeeping after the
association (history shift, counts, M-of-N confirmation, the hopeless, stale and too-uncertain tests, the
per-sensor id ranks of new tracks) was some forty small array operations a step, whose fixed cost dominated
the arithmetic on a few hundred tracks. The rules are those of the bank's module docstring, steps 4 and 6.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from amdx.jit import kernel

_Array = NDArray[np.float64]
_Index = NDArray[np.intp]
_Ids = NDArray[np.int64]

TENTATIVE = 0
"""`TrackStatus.TENTATIVE` (the kernels take plain integers)."""
CONFIRMED = 1
"""`TrackStatus.CONFIRMED`."""


@kernel
def look_kernel(t: float, rows: _Index, mot: _Index, hist: NDArray[np.uint16], looks: NDArray[np.int32],
                hits: NDArray[np.int32], last_t: _Array, status: NDArray[np.int8], sensor: _Ids, P: _Array,
                window: NDArray[np.uint16], confirm_m: _Ids, confirm_n: _Ids, max_coast_s: _Array,
                max_position_var_m2: _Array) -> tuple[_Index, _Index]:
    """Count one look of each track rows[k] (a hit when mot[k] >= 0) at t (s): shift its hit history (kept to
    its sensor's N looks), count the look and the hit, stamp a hit's time; confirm the tentative tracks with at
    least M hits in the history. Returns (rows confirmed now, rows to delete: tentative tracks that can no longer
    reach M hits in N looks, tracks not updated for more than max_coast_s, confirmed tracks whose position
    variance tr(Pₚ) exceeds max_position_var_m2), both in the order of `rows`. The per-track arrays are
    updated in place."""
    k = rows.shape[0]
    newly = np.empty(k, np.intp)
    dead = np.empty(k, np.intp)
    n_new = 0
    n_dead = 0
    for q in range(k):
        r = rows[q]
        s = sensor[r]
        hit = mot[q] >= 0
        h = ((np.int64(hist[r]) << 1) | (1 if hit else 0)) & np.int64(window[s])
        hist[r] = h
        looks[r] += 1
        if hit:
            hits[r] += 1
            last_t[r] = t
        tentative = status[r] == TENTATIVE
        if tentative:
            bits = 0
            while h:
                bits += h & 1
                h >>= 1
            if bits >= confirm_m[s]:
                status[r] = CONFIRMED
                tentative = False
                newly[n_new] = r
                n_new += 1
        hopeless = tentative and hits[r] + max(confirm_n[s] - looks[r], 0) < confirm_m[s]
        stale = (t - last_t[r]) > max_coast_s[s]
        vague = not tentative and (P[r, 0, 0] + P[r, 1, 1] + P[r, 2, 2]) > max_position_var_m2[s]
        if hopeless or stale or vague:
            dead[n_dead] = r
            n_dead += 1
    return newly[:n_new].copy(), dead[:n_dead].copy()


@kernel
def new_ids_kernel(sensor: _Ids, next_id: _Ids) -> _Ids:
    """Ids of new tracks of `sensor` (m,): each sensor's next ids in order of appearance (next_id, per sensor,
    advanced in place)."""
    ids = np.empty(sensor.shape[0], np.int64)
    for k in range(sensor.shape[0]):
        s = sensor[k]
        ids[k] = next_id[s]
        next_id[s] += 1
    return ids
