"""Compiled kernels of a tracker bank's track management (`amdx.tracking.bank`): the look of every stepping
track (hit history, counts, confirmation, deletion) in one pass, the classification, the initiation of new
tracks, and the removal and addition of rows of the bank's columns.

Why: a bank steps at each of the 901 scan instants of a 15-minute raid; in numpy its bookkeeping around the
association (history shift, counts, M-of-N confirmation, the hopeless, stale and too-uncertain tests, the
classification's screening, the new tracks' states and models, twelve columns closed up and appended to) was
some hundred small array operations a step, whose fixed cost dominated the arithmetic on a few hundred tracks.
The rules are those of the bank's module docstring, steps 4 to 7.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from amdx.geo import geodetic_point
from amdx.jit import kernel

_Array = NDArray[np.float64]
_Index = NDArray[np.intp]
_Ids = NDArray[np.int64]

TENTATIVE = 0
"""`TrackStatus.TENTATIVE` (the kernels take plain integers)."""
CONFIRMED = 1
"""`TrackStatus.CONFIRMED`."""
CONSTANT_VELOCITY = 0
"""`MotionModel.CONSTANT_VELOCITY`."""
BALLISTIC = 1
"""`MotionModel.BALLISTIC`."""
UNKNOWN_CLASS = 0
"""`Classification.UNKNOWN`."""
AIR_BREATHING_CLASS = 1
"""`Classification.AIR_BREATHING`."""
BALLISTIC_CLASS = 2
"""`Classification.BALLISTIC`."""


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


@kernel
def initial_rows_kernel(z: _Array, R: _Array, sensor: _Ids, init_velocity_var: _Array, confirm_m: _Ids,
                        ballistic_altitude_m: _Array, a: float, b: float, a2: float, e2: float,
                        sphere: bool) -> tuple[_Array, _Array, NDArray[np.int8], NDArray[np.int8]]:
    """Single-point initiation of tracks from measurements z (m, 3), R (m, 3, 3) of `sensor` (m,): (x (m, 6) =
    [z, 0], P (m, 6, 6) = [[R, 0], [0, σᵥ² I]], model (m,), status (m,)). The model is ballistic above the
    sensor's ballistic altitude (geodetic altitude h ∈ [|r| − a, |r| − b]: most points are decided by those
    bounds, with 1 m to spare, the others by the exact conversion `geo.geodetic_point`), constant velocity
    below; a sensor with M = 1 confirms at once."""
    m = z.shape[0]
    x = np.zeros((m, 6))
    P = np.zeros((m, 6, 6))
    model = np.empty(m, np.int8)
    status = np.empty(m, np.int8)
    for k in range(m):
        s = sensor[k]
        for i in range(3):
            x[k, i] = z[k, i]
            for j in range(3):
                P[k, i, j] = R[k, i, j]
            P[k, i + 3, i + 3] = init_velocity_var[s]
        status[k] = CONFIRMED if confirm_m[s] == 1 else TENTATIVE
        limit = ballistic_altitude_m[s]
        radius = np.sqrt(z[k, 0] * z[k, 0] + z[k, 1] * z[k, 1] + z[k, 2] * z[k, 2])
        high = radius - a > limit + 1.0
        if not high and radius - b >= limit - 1.0:
            high = geodetic_point(z[k, 0], z[k, 1], z[k, 2], a, a2, e2, sphere)[2] > limit
        model[k] = BALLISTIC if high else CONSTANT_VELOCITY
    return x, P, model, status


@kernel
def remove_rows_kernel(n: int, dead: _Index, ids: _Ids, sensor: _Ids, x: _Array, P: _Array,
                       model: NDArray[np.int8], status: NDArray[np.int8], cls: NDArray[np.int8],
                       hist: NDArray[np.uint16], hits: NDArray[np.int32], looks: NDArray[np.int32],
                       first_t: _Array, last_t: _Array) -> int:
    """Remove the `dead` rows from the first n rows of every column, in place, keeping the order of the others
    (only the rows after the first dead one move up). Returns the number of rows left."""
    gone = np.zeros(n, np.bool_)
    first = n
    for q in range(dead.shape[0]):
        gone[dead[q]] = True
        first = min(first, dead[q])
    w = first
    for r in range(first, n):
        if gone[r]:
            continue
        ids[w], sensor[w], model[w], status[w], cls[w] = ids[r], sensor[r], model[r], status[r], cls[r]
        hist[w], hits[w], looks[w], first_t[w], last_t[w] = hist[r], hits[r], looks[r], first_t[r], last_t[r]
        for i in range(6):
            x[w, i] = x[r, i]
            for j in range(6):
                P[w, i, j] = P[r, i, j]
        w += 1
    return w


@kernel
def append_rows_kernel(n: int, t: float, new_x: _Array, new_P: _Array, new_model: NDArray[np.int8],
                       new_status: NDArray[np.int8], new_hist: NDArray[np.uint16], new_sensor: _Ids, next_id: _Ids,
                       ids: _Ids, sensor: _Ids, x: _Array, P: _Array, model: NDArray[np.int8],
                       status: NDArray[np.int8], cls: NDArray[np.int8], hist: NDArray[np.uint16],
                       hits: NDArray[np.int32], looks: NDArray[np.int32], first_t: _Array, last_t: _Array) -> _Ids:
    """Write new tracks into rows n.. of every column (the buffers have room): ids from each sensor's next id
    (`new_ids_kernel`), one hit in one look at t (s), classified ballistic when confirmed on the ballistic model
    (else unknown). Returns the new ids."""
    new_ids = new_ids_kernel(new_sensor, next_id)
    for k in range(new_ids.shape[0]):
        r = n + k
        ids[r], sensor[r], model[r], status[r], hist[r] = new_ids[k], new_sensor[k], new_model[k], new_status[k], \
            new_hist[k]
        cls[r] = BALLISTIC_CLASS if new_model[k] == BALLISTIC and new_status[k] == CONFIRMED else UNKNOWN_CLASS
        hits[r], looks[r], first_t[r], last_t[r] = 1, 1, t, t
        for i in range(6):
            x[r, i] = new_x[k, i]
            for j in range(6):
                P[r, i, j] = new_P[k, i, j]
    return new_ids


@kernel
def classify_kernel(rows: _Index, status: NDArray[np.int8], cls: NDArray[np.int8], sensor: _Ids, x: _Array,
                    P: _Array, max_velocity_var: _Array, ballistic_speed_mps: _Array, ballistic_altitude_m: _Array,
                    ballistic_vertical_speed_mps: _Array, b: float) -> tuple[_Index, NDArray[np.bool_], _Index]:
    """The tracks among `rows` to classify (confirmed, not ballistic yet, with velocity variance per axis
    tr(Pᵥ)/3 at most max_velocity_var): (their rows (c,), ballistic by speed (c,), the positions among them
    (o,) that the speed leaves open and the bounds h ≤ |r| − b, |v_up| ≤ |v| do not settle (with 1 m and 1 ppb
    to spare): those need the exact geodetic altitude and vertical speed)."""
    k = rows.shape[0]
    cand = np.empty(k, np.intp)
    ballistic = np.empty(k, np.bool_)
    open_ = np.empty(k, np.intp)
    c = 0
    o = 0
    for q in range(k):
        r = rows[q]
        if status[r] != CONFIRMED or cls[r] == BALLISTIC_CLASS:
            continue
        s = sensor[r]
        if not (P[r, 3, 3] + P[r, 4, 4] + P[r, 5, 5]) / 3.0 <= max_velocity_var[s]:
            continue
        speed = np.sqrt(x[r, 3] * x[r, 3] + x[r, 4] * x[r, 4] + x[r, 5] * x[r, 5])
        radius = np.sqrt(x[r, 0] * x[r, 0] + x[r, 1] * x[r, 1] + x[r, 2] * x[r, 2])
        cand[c] = r
        ballistic[c] = speed > ballistic_speed_mps[s]
        if not ballistic[c] and (radius - b >= ballistic_altitude_m[s] - 1.0
                                 or speed * (1.0 + 1.0e-9) > ballistic_vertical_speed_mps[s]):
            open_[o] = c
            o += 1
        c += 1
    return cand[:c].copy(), ballistic[:c].copy(), open_[:o].copy()


@kernel
def set_classes_kernel(cand: _Index, ballistic: NDArray[np.bool_], cls: NDArray[np.int8], model: NDArray[np.int8],
                       P: _Array, sensor: _Ids, switch_velocity_var: _Array) -> _Index:
    """Classify the tracks `cand` (ballistic or air-breathing); switch the ballistic ones to the ballistic model
    with switch_velocity_var (per sensor) added to each velocity variance. Returns the switched rows."""
    switched = np.empty(cand.shape[0], np.intp)
    w = 0
    for q in range(cand.shape[0]):
        r = cand[q]
        if ballistic[q]:
            cls[r] = BALLISTIC_CLASS
            model[r] = BALLISTIC
            for i in range(3, 6):
                P[r, i, i] += switch_velocity_var[sensor[r]]
            switched[w] = r
            w += 1
        else:
            cls[r] = AIR_BREATHING_CLASS
    return switched[:w].copy()


@kernel
def positions_kernel(x: _Array, P: _Array, rows: _Index) -> tuple[_Array, _Array]:
    """The positions (k, 3) and their covariance blocks Pₚ (k, 3, 3) of the tracks `rows`, gathered in one pass
    (contiguous, as the association takes them)."""
    k = rows.shape[0]
    p = np.empty((k, 3))
    pc = np.empty((k, 3, 3))
    for q in range(k):
        r = rows[q]
        for i in range(3):
            p[q, i] = x[r, i]
            for j in range(3):
                pc[q, i, j] = P[r, i, j]
    return p, pc


@kernel
def merge_passes_kernel(k: int, conf: _Index, tent: _Index, free: _Index, mot1: _Index, tom1: _Index, d2_1: _Array,
                        near1: _Index, mot2: _Index, tom2: _Index, d2_2: _Array,
                        near2: _Index) -> tuple[_Index, _Index, _Array, _Index]:
    """The two passes of a confirmed-first association as one: pass 1 paired the tracks `conf` (local indices among
    k) with every measurement, pass 2 the tracks `tent` with the measurements `free` pass 1 left. Returns
    (measurement of each of the k tracks, track of each measurement, d² of each measurement, nearest track of each
    measurement in the exclusion gate: pass 1's, else pass 2's), local indices, −1 where none."""
    n = tom1.shape[0]
    mot = np.full(k, -1, np.intp)
    for q in range(conf.shape[0]):
        mot[conf[q]] = mot1[q]
    for q in range(tent.shape[0]):
        if mot2[q] >= 0:
            mot[tent[q]] = free[mot2[q]]
    tom = np.full(n, -1, np.intp)
    d2 = d2_1.copy()
    near = np.full(n, -1, np.intp)
    for j in range(n):
        if tom1[j] >= 0:
            tom[j] = conf[tom1[j]]
        if near1[j] >= 0:
            near[j] = conf[near1[j]]
    for q in range(free.shape[0]):
        j = free[q]
        tom[j] = tent[tom2[q]] if tom2[q] >= 0 else -1
        d2[j] = d2_2[q]
        if near[j] < 0 and near2[q] >= 0:
            near[j] = tent[near2[q]]
    return mot, tom, d2, near


@kernel
def outcomes_kernel(rows: _Index, mot: _Index, tom: _Index, d2: _Array, near: _Index, ids: _Ids,
                    hist: NDArray[np.uint16]) -> tuple[_Index, _Index, _Ids, _Array, _Index]:
    """What an association means for the tracks `rows` (local indices: mot, tom, near) and the measurements:
    (rows to update (u,) and their measurements (u,), in track order; the id of each measurement's track, −1 if
    none, and its d² (NIS), NaN if none; the measurements that start a track: unassigned and not in the exclusion
    gate of a track hit on its previous look (the lowest bit of its history, read before this look is counted))."""
    k, n = rows.shape[0], tom.shape[0]
    upd_rows = np.empty(k, np.intp)
    upd_meas = np.empty(k, np.intp)
    u = 0
    for q in range(k):
        if mot[q] >= 0:
            upd_rows[u] = rows[q]
            upd_meas[u] = mot[q]
            u += 1
    track_of_meas = np.full(n, -1, np.int64)
    nis = np.full(n, np.nan)
    new_meas = np.empty(n, np.intp)
    w = 0
    for j in range(n):
        if tom[j] >= 0:
            track_of_meas[j] = ids[rows[tom[j]]]
            nis[j] = d2[j]
        elif not (near[j] >= 0 and hist[rows[near[j]]] & 1):
            new_meas[w] = j
            w += 1
    return upd_rows[:u].copy(), upd_meas[:u].copy(), track_of_meas, nis, new_meas[:w].copy()


@kernel
def association_fault(k: int, n: int, mot: _Index, tom: _Index, near: _Index, d2: _Array) -> bool:
    """Whether an associator's answer for k tracks and n measurements is malformed: arrays of other lengths
    (measurement of each track (k,), track of each measurement (n,), nearest track (n,), d² (n,)) or an index
    outside [-1, n) or [-1, k). The bank's compiled passes index by these without bounds checks, so an
    associator of another make (`track_types.Associator`) is checked before they run."""
    if mot.shape[0] != k or tom.shape[0] != n or near.shape[0] != n or d2.shape[0] != n:
        return True
    for i in range(k):
        if not -1 <= mot[i] < n:
            return True
    for j in range(n):  # noqa: SIM110 (a loop: compiled code takes no generator)
        if not (-1 <= tom[j] < k and -1 <= near[j] < k):
            return True
    return False
