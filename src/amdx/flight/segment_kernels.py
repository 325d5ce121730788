"""Compiled kernels of a ballistic flight's segments: the boost curve, the reentry-drag timing, and the whole
flight (boost, Kepler free flight, drag) evaluated per (missile, time) pair in one pass.

Every scan instant asks a batch of flights for all its missiles' states at one time; the numpy form built masks,
gathered, evaluated each segment and scattered back, a few dozen calls on a few hundred elements. Here one loop
picks each pair's segment and evaluates it. The operations are those of the numpy code they replaced, in the
same order (libm's pow, sin, cos; IEEE, no fastmath): the same bits.

A batch's per-missile data travel as one array `rows` (n, N_ROWS): launch, burnout, impact and end-of-free-flight
times (s), boost exponent, then the launch and burnout states (ECI, m and m/s): columns below.
"""

from __future__ import annotations

import numpy as np

from amdx.flight.kepler_kernels import state_at, to_frame
from amdx.jit import kernel

ROW_LAUNCH, ROW_BURNOUT, ROW_IMPACT, ROW_END_FREE, ROW_EXPONENT = 0, 1, 2, 3, 4
ROW_R_LAUNCH, ROW_V_LAUNCH, ROW_R_BO, ROW_V_BO = 5, 8, 11, 14
N_ROWS = 17


@kernel
def boost_point(s: float, r0: np.ndarray, v0: np.ndarray, r1: np.ndarray, v1: np.ndarray, bt: float, m: float,
                pos: np.ndarray, vel: np.ndarray) -> None:
    """Position and velocity (written to pos, vel (3,)) on the boost curve at normalised time s (see
    `ballistic.boost_state`): vectors r0, v0, r1, v1 (3,), burn time bt, exponent m."""
    sm1 = s ** (m - 1.0)
    sm = sm1 * s
    phi1 = (m + 1.0) * sm - m * sm * s
    phi2 = sm * s - sm
    dphi1 = m * (m + 1.0) * (sm1 - sm)
    dphi2 = (m + 1.0) * sm - m * sm1
    for j in range(3):
        lead = r1[j] - r0[j] - bt * v0[j]
        pos[j] = r0[j] + bt * v0[j] * s + lead * phi1 + bt * (v1[j] - v0[j]) * phi2
        vel[j] = v0[j] + lead / bt * dphi1 + (v1[j] - v0[j]) * dphi2


@kernel
def boost_many(s: np.ndarray, r0: np.ndarray, v0: np.ndarray, r1: np.ndarray, v1: np.ndarray, bt: np.ndarray,
               m: np.ndarray, pos: np.ndarray, vel: np.ndarray) -> None:
    """`boost_point` for flat s, bt, m (k,) and vectors (k, 3), written to pos, vel (k, 3)."""
    for k in range(s.size):
        boost_point(s[k], r0[k], v0[k], r1[k], v1[k], bt[k], m[k], pos[k], vel[k])


@kernel
def vacuum_time_one(t_nodes: np.ndarray, tau_nodes: np.ndarray, factor: np.ndarray, start: np.ndarray,
                    span: np.ndarray, keys: np.ndarray, i: int, t: float) -> tuple[float, float]:
    """(vacuum time τ, speed factor f) of missile i at real time t in its drag segment (see
    `reentry.DragTiming.vacuum_time`): the node interval by a binary search of the missile's own block of the
    search keys (the same keys and key of t as a search of all keys, so the same interval), then the cubic
    Hermite in t with slopes f at the nodes."""
    n_nodes = t_nodes.shape[1]
    q = 2.0 * i + min(max((t - start[i]) / span[i], 0.0), 1.0)
    lo, hi = i * n_nodes, i * n_nodes + n_nodes  # first key > q (searchsorted "right") within the block
    while lo < hi:
        mid = (lo + hi) // 2
        if keys[mid] <= q:
            lo = mid + 1
        else:
            hi = mid
    j = min(max(lo - 1 - i * n_nodes, 0), n_nodes - 2)
    t0, t1 = t_nodes[i, j], t_nodes[i, j + 1]
    y0, y1 = tau_nodes[i, j], tau_nodes[i, j + 1]
    f0, f1 = factor[i, j], factor[i, j + 1]
    h = t1 - t0 if t1 > t0 else 1.0
    s = min(max((t - t0) / h, 0.0), 1.0)
    s2, s3 = s * s, s * s * s
    tau = (2 * s3 - 3 * s2 + 1) * y0 + (s3 - 2 * s2 + s) * h * f0 + (3 * s2 - 2 * s3) * y1 + (s3 - s2) * h * f1
    dtau = ((6 * s2 - 6 * s) * y0 + (3 * s2 - 4 * s + 1) * h * f0 + (6 * s - 6 * s2) * y1
            + (3 * s2 - 2 * s) * h * f1) / h
    return tau, min(max(dtau, 0.0), 1.0)


@kernel
def vacuum_time_many(t_nodes: np.ndarray, tau_nodes: np.ndarray, factor: np.ndarray, start: np.ndarray,
                     span: np.ndarray, keys: np.ndarray, index: np.ndarray, t: np.ndarray) -> np.ndarray:
    """`vacuum_time_one` for the flat pairs (index[k], t[k]): rows (τ, f), (2, k)."""
    out = np.empty((2, t.size))
    for k in range(t.size):
        out[0, k], out[1, k] = vacuum_time_one(t_nodes, tau_nodes, factor, start, span, keys, index[k], t[k])
    return out


@kernel
def flight_states(rows: np.ndarray, consts: np.ndarray, omega: float, has_drag: bool, t_nodes: np.ndarray,
                  tau_nodes: np.ndarray, factor: np.ndarray, start: np.ndarray, span: np.ndarray, keys: np.ndarray,
                  index: np.ndarray, t: np.ndarray, pos: np.ndarray, vel: np.ndarray) -> None:
    """ECEF position and Earth-relative velocity (pos, vel (k, 3)) of missiles index[k] at times t[k]: boost on
    [launch, burnout), Kepler free flight on [burnout, end of free flight], drag timing on (end of free flight,
    impact], NaN elsewhere (NaN times included)."""
    r = np.empty(3)
    v = np.empty(3)
    for k in range(t.size):
        i, tk = index[k], t[k]
        row = rows[i]
        if row[ROW_LAUNCH] <= tk < row[ROW_BURNOUT]:
            bt = row[ROW_BURNOUT] - row[ROW_LAUNCH]
            boost_point((tk - row[ROW_LAUNCH]) / bt, row[ROW_R_LAUNCH:ROW_R_LAUNCH + 3],
                        row[ROW_V_LAUNCH:ROW_V_LAUNCH + 3], row[ROW_R_BO:ROW_R_BO + 3], row[ROW_V_BO:ROW_V_BO + 3],
                        bt, row[ROW_EXPONENT], r, v)
            state = to_frame(r[0], r[1], r[2], v[0], v[1], v[2], tk, omega)
        elif row[ROW_BURNOUT] <= tk and tk <= row[ROW_END_FREE] and tk <= row[ROW_IMPACT]:
            state = state_at(consts, i, tk, omega)
        elif has_drag and row[ROW_END_FREE] < tk <= row[ROW_IMPACT]:
            tau, f = vacuum_time_one(t_nodes, tau_nodes, factor, start, span, keys, i, tk)
            x, y, z, vx, vy, vz = state_at(consts, i, tau, omega)  # the vacuum path's ECEF point of time τ
            state = (x, y, z, vx * f, vy * f, vz * f)
        else:
            state = (np.nan, np.nan, np.nan, np.nan, np.nan, np.nan)
        pos[k, 0], pos[k, 1], pos[k, 2] = state[0], state[1], state[2]
        vel[k, 0], vel[k, 1], vel[k, 2] = state[3], state[4], state[5]
