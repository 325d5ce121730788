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

import math
import sys

import numpy as np

from amdx.flight.kepler_kernels import state_at, to_frame
from amdx.geo import geodetic_point
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


_FLOAT_MAX = sys.float_info.max


@kernel
def drag_tables(consts: np.ndarray, t_start: np.ndarray, t_end: np.ndarray, beta: np.ndarray, w: np.ndarray,
                omega: float, mu: float, a: float, a2: float, e2: float, sphere: bool, rho0: float,
                scale_height: float, tau: np.ndarray, t: np.ndarray, factor: np.ndarray) -> None:
    """`reentry.drag_timing`'s tables for every orbit i (constants `consts`, see `kepler_kernels`): vacuum times
    τ = start + (end − start) w (w (N,) the node spacing), the speed factor f at each node and real times t,
    written to tau, factor and t (n, N). Per node: the Earth-relative state (`kepler_kernels.state_at`, then
    `to_frame`), speed, geodetic altitude, sin γ against the ellipsoid normal, density, gravity μ/|r|² (inertial
    r); trapezoid sums in node order. The operations and their order are those of the numpy code this replaced
    (numpy's 3-term dot product (x0 + x2) + x1, its norm left to right, `nan_to_num`, `maximum`, `clip`): the
    same bits."""
    big = _FLOAT_MAX
    n_nodes = w.size
    for i in range(t_start.size):
        span = t_end[i] - t_start[i]
        path, t_sum, prev_integrand, prev_inv = 0.0, 0.0, 0.0, 0.0
        two_beta = 2.0 * beta[i]
        for j in range(n_nodes):
            tj = t_start[i] + span * w[j]
            tau[i, j] = tj
            xi, yi, zi, vxi, vyi, vzi = state_at(consts, i, tj, 0.0)
            x, y, z, vx, vy, vz = to_frame(xi, yi, zi, vxi, vyi, vzi, tj, omega)
            speed = np.sqrt((vx * vx + vy * vy) + vz * vz)
            lat, lon, alt = geodetic_point(x, y, z, a, a2, e2, sphere)
            la, lo = np.radians(lat), np.radians(lon)
            cl = math.cos(la)
            up_v = (vx * (cl * math.cos(lo)) + vz * math.sin(la)) + vy * (cl * math.sin(lo))
            sin_gamma = _clip01(-up_v / speed)
            rho = rho0 * np.exp(-alt / scale_height)
            integrand = rho * speed
            if j > 0:
                path += 0.5 * (integrand + prev_integrand) * (tj - tau[i, j - 1])
            f_ae = np.exp(-path / two_beta)
            g = mu / ((xi * xi + zi * zi) + yi * yi)
            v_term = np.sqrt(two_beta * g / rho) / sin_gamma
            ratio = v_term / speed
            ratio = 0.0 if np.isnan(ratio) else big if ratio == np.inf else -big if ratio == -np.inf else ratio
            f = f_ae if (f_ae >= ratio or np.isnan(f_ae)) else ratio
            f = _clip01(f)
            factor[i, j] = f
            inv = 1.0 / f
            if j > 0:
                t_sum += 0.5 * (inv + prev_inv) * (tj - tau[i, j - 1])
            t[i, j] = t_start[i] + t_sum
            prev_integrand, prev_inv = integrand, inv


@kernel
def _clip01(x: float) -> float:
    """np.clip(x, 0, 1) (NaN stays NaN)."""
    y = x if (x >= 0.0 or np.isnan(x)) else 0.0
    return y if (y <= 1.0 or np.isnan(y)) else 1.0
