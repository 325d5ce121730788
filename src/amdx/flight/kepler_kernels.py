"""Compiled kernels of the two-body propagator: Kepler's equation, orbital elements, state evaluation.

One loop per orbit (or per (orbit, time) pair) does the whole arithmetic: Cardano starter, Halley and Newton
steps, sin and cos, then position and velocity (and, for flights, the turn to ECEF). The numpy forms these
replace spent most of their time in per-call overhead and temporaries on a few hundred elements; the kernels
serve one orbit and ten thousand alike. The operations are those of the numpy code they replace, in the same
order (IEEE, no fastmath), with libm's sin, cos, cbrt, atan2, pow: the same bits on this machine.

Orbit constants travel as one array `consts` (n, 10) per batch, a row per orbit:
M(0) (mean anomaly at t = 0, rad), n (mean motion, rad/s), e, a P̂ (3, m), b Q̂ (3, m), E at the epoch, so that
M(t) = M(0) + n t,  r = a P̂ (cos E − e) + b Q̂ sin E,  v = n/(1 − e cos E) (b Q̂ cos E − a P̂ sin E).
"""

from __future__ import annotations

import math

import numpy as np

from amdx.jit import kernel

TWO_PI = 2.0 * math.pi
KEPLER_HALLEY_STEPS = 2
KEPLER_NEWTON_STEPS = 1
"""Fixed steps always taken (Halley, then Newton); more Newton steps only where the residual is above tol."""
KEPLER_TOL = 1e-14
"""Residual of Kepler's equation accepted, per radian of reduced mean anomaly (at least 1)."""
CONST_M0, CONST_N, CONST_E, CONST_AP, CONST_BQ, CONST_E0 = 0, 1, 2, 3, 6, 9
"""Columns of a batch's constants array (a P̂ and b Q̂ take three each)."""


@kernel
def _clip(x: float, lo: float, hi: float) -> float:
    return hi if x > hi else lo if x < lo else x


@kernel
def cubic_starter(m: float, e: float) -> float:
    """Root of (1 − e)E + e E³/6 = M (Cardano): a lower bound of E, since sin E ≥ E − E³/6."""
    p = 6.0 * (1.0 - e) / e
    q = 6.0 * m / e
    d = math.sqrt(q * q / 4.0 + p * p * p / 27.0)
    return np.cbrt(q / 2.0 + d) + np.cbrt(q / 2.0 - d)


@kernel
def _turn(s: float, c: float, d: float) -> tuple[float, float]:
    """(sin, cos) of E + d from those of E, with sin d and cos d from their Taylor series (|d| ≤ 0.05:
    truncation below 1e-17)."""
    d2 = d * d
    sd = d * (1.0 - d2 / 6.0 * (1.0 - d2 / 20.0 * (1.0 - d2 / 42.0)))
    cd1 = d2 / 2.0 * (1.0 - d2 / 12.0 * (1.0 - d2 / 30.0 * (1.0 - d2 / 56.0)))  # 1 − cos d
    return s - s * cd1 + c * sd, c - c * cd1 - s * sd


@kernel
def solve_kepler_one(mean_anomaly: float, ecc: float, tol: float) -> tuple[float, float, float]:
    """(E, sin E, cos E) with E − e sin E = M (see `kepler.solve_kepler` for the method and its guarantee).

    M is reduced to [0, π]; the root lies in [M, min(M + e, π)] and every step is clipped to it. sin and cos
    are evaluated exactly at the start and after the first step; later steps are small, so they are carried by
    the angle-addition formula (`_turn`), and evaluated afresh wherever a later step exceeds 0.05 rad."""
    if not np.isfinite(mean_anomaly):
        return np.nan, np.nan, np.nan
    turns = np.floor(mean_anomaly / TWO_PI)
    mw = mean_anomaly - TWO_PI * turns
    upper = mw > math.pi
    mr = TWO_PI - mw if upper else mw
    hi = min(mr + ecc, math.pi)
    big_e = cubic_starter(mr, ecc) if ecc >= 0.3 else mr
    big_e = _clip(big_e, mr, hi)
    s, c = math.sin(big_e), math.cos(big_e)
    for step in range(KEPLER_HALLEY_STEPS + KEPLER_NEWTON_STEPS):
        f = big_e - ecc * s - mr
        fp = 1.0 - ecc * c
        if step < KEPLER_HALLEY_STEPS:
            fp = fp - 0.5 * f * ecc * s / fp
        new = _clip(big_e - f / fp, mr, hi)
        if step == 0:
            s, c = math.sin(new), math.cos(new)
        else:
            d = new - big_e
            s, c = _turn(s, c, d)
            if abs(d) > 0.05:
                s, c = math.sin(new), math.cos(new)
        big_e = new
    for _ in range(100):
        f = big_e - ecc * s - mr
        if not abs(f) > tol * max(1.0, mr):
            break
        big_e = _clip(big_e - f / (1.0 - ecc * c), mr, hi)
        s, c = math.sin(big_e), math.cos(big_e)
    if upper:
        big_e, s = TWO_PI - big_e, -s
    return big_e + TWO_PI * turns, s, c


@kernel
def solve_kepler_many(mean_anomaly: np.ndarray, ecc: np.ndarray, tol: float) -> np.ndarray:
    """E of Kepler's equation for flat arrays of M and e (one length)."""
    out = np.empty(mean_anomaly.size)
    for k in range(mean_anomaly.size):
        out[k] = solve_kepler_one(mean_anomaly[k], ecc[k], tol)[0]
    return out


@kernel
def to_frame(x: float, y: float, z: float, vx: float, vy: float, vz: float, t: float, omega: float
             ) -> tuple[float, float, float, float, float, float]:
    """An inertial state seen from the frame turning at omega about z (coinciding at t = 0): ECEF for the Earth's
    rate, with the Earth-relative velocity (turned by −ω t, then v − ω ẑ × r, as `geo.eci_state_to_ecef`)."""
    theta = -omega * t
    co, si = math.cos(theta), math.sin(theta)
    xe, ye = co * x - si * y, si * x + co * y
    vxe, vye = co * vx - si * vy, si * vx + co * vy
    return xe, ye, z, vxe - -omega * ye, vye - omega * xe, vz


@kernel
def state_at(consts: np.ndarray, i: int, t: float, omega: float
             ) -> tuple[float, float, float, float, float, float]:
    """(x, y, z, vx, vy, vz) of orbit i at time t: inertial when omega is 0, else seen from the frame turning at
    omega (`to_frame`)."""
    mm, e = consts[i, CONST_N], consts[i, CONST_E]
    _, s, c = solve_kepler_one(consts[i, CONST_M0] + mm * t, e, KEPLER_TOL)
    ce = c - e
    ap0, ap1, ap2 = consts[i, CONST_AP], consts[i, CONST_AP + 1], consts[i, CONST_AP + 2]
    bq0, bq1, bq2 = consts[i, CONST_BQ], consts[i, CONST_BQ + 1], consts[i, CONST_BQ + 2]
    x, y, z = ap0 * ce + bq0 * s, ap1 * ce + bq1 * s, ap2 * ce + bq2 * s
    k = mm / (1.0 - e * c)
    kc, ks = k * c, k * s
    vx, vy, vz = bq0 * kc - ap0 * ks, bq1 * kc - ap1 * ks, bq2 * kc - ap2 * ks
    if omega == 0.0:
        return x, y, z, vx, vy, vz
    return to_frame(x, y, z, vx, vy, vz, t, omega)


@kernel
def states_many(consts: np.ndarray, index: np.ndarray, t: np.ndarray, omega: float, pos: np.ndarray,
                vel: np.ndarray, velocity: bool) -> None:
    """`state_at` for the flat pairs (index[k], t[k]), written to pos (m, 3) and, when `velocity`, vel (m, 3)."""
    for k in range(t.size):
        x, y, z, vx, vy, vz = state_at(consts, index[k], t[k], omega)
        pos[k, 0], pos[k, 1], pos[k, 2] = x, y, z
        if velocity:
            vel[k, 0], vel[k, 1], vel[k, 2] = vx, vy, vz


N_ELEMENTS = 11
N_CONSTS = 10


@kernel
def element_row(x: float, y: float, z: float, vx: float, vy: float, vz: float, t0: float, mu: float,
                out: np.ndarray, consts: np.ndarray, i: int) -> tuple[bool, float, float]:
    """`elements` of one state (position x, y, z, velocity vx, vy, vz, epoch t0), written to row i of out and
    consts. Returns (good: False when the state is not elliptic (energy ≥ 0) or rectilinear (h ≤ 1e-9 r v),
    the specific energy ε, |r|).

    Sums of three products run as numpy's reductions do here (a norm left to right, a dot product
    (x0 + x2) + x1), so the elements are those of the numpy code this replaced, bit for bit."""
    rmag = math.sqrt((x * x + y * y) + z * z)
    v2 = (vx * vx + vz * vz) + vy * vy
    rv = (x * vx + z * vz) + y * vy
    energy = 0.5 * v2 - mu / rmag
    h0, h1, h2 = y * vz - z * vy, z * vx - x * vz, x * vy - y * vx
    hmag = math.sqrt((h0 * h0 + h1 * h1) + h2 * h2)
    good = not (energy >= 0.0 or hmag <= 1e-9 * rmag * math.sqrt(v2))
    a = -mu / (2.0 * energy)
    kr = v2 - mu / rmag
    e0, e1, e2 = (kr * x - rv * vx) / mu, (kr * y - rv * vy) / mu, (kr * z - rv * vz) / mu
    e = math.sqrt((e0 * e0 + e1 * e1) + e2 * e2)
    if e < 1e-13:
        p0, p1, p2 = x / rmag, y / rmag, z / rmag
    else:
        p0, p1, p2 = e0 / e, e1 / e, e2 / e
    w0, w1, w2 = h0 / hmag, h1 / hmag, h2 / hmag
    q0, q1, q2 = w1 * p2 - w2 * p1, w2 * p0 - w0 * p2, w0 * p1 - w1 * p0
    b = a * math.sqrt(1.0 - e * e)
    mm = math.sqrt(mu / a**3.0)
    px = (x * p0 + z * p2) + y * p1
    qy = (x * q0 + z * q2) + y * q1
    ea = math.atan2(qy / b, px / a + e)
    m = ea - e * math.sin(ea)
    out[i, 0], out[i, 1], out[i, 2], out[i, 3], out[i, 4] = a, e, b, mm, m
    out[i, 5], out[i, 6], out[i, 7] = p0, p1, p2
    out[i, 8], out[i, 9], out[i, 10] = q0, q1, q2
    consts[i, CONST_M0], consts[i, CONST_N], consts[i, CONST_E] = m - mm * t0, mm, e
    consts[i, CONST_AP], consts[i, CONST_AP + 1], consts[i, CONST_AP + 2] = a * p0, a * p1, a * p2
    consts[i, CONST_BQ], consts[i, CONST_BQ + 1], consts[i, CONST_BQ + 2] = b * q0, b * q1, b * q2
    consts[i, CONST_E0] = ea
    return good, energy, rmag


@kernel
def elements(r0: np.ndarray, v0: np.ndarray, t0: np.ndarray, mu: float, out: np.ndarray, consts: np.ndarray) -> int:
    """Elements of the orbits of states r0, v0 (n, 3) at epochs t0 (n,), written to out (n, N_ELEMENTS): a (m),
    e, b (m), n (rad/s), M0 (mean anomaly at t0, rad), P̂ (3), Q̂ (3); and the evaluation constants to consts
    (n, N_CONSTS). Returns the number of states that are not elliptic (energy ≥ 0) or rectilinear
    (h ≤ 1e-9 r v)."""
    bad = 0
    for i in range(r0.shape[0]):
        if not element_row(r0[i, 0], r0[i, 1], r0[i, 2], v0[i, 0], v0[i, 1], v0[i, 2], t0[i], mu, out, consts, i)[0]:
            bad += 1
    return bad


@kernel
def descending_crossing_anomaly(consts: np.ndarray, a: float, i: int, radius: float) -> float:
    """Eccentric anomaly in [0, 2π) at which orbit i (semi-major axis a) comes down through `radius` (true
    anomaly in (π, 2π)); NaN where it stays above or below that radius."""
    e = consts[i, CONST_E]
    c = (a * (1.0 - e * e) / radius - 1.0) / e
    if not abs(c) <= 1.0:
        return np.nan
    nu = TWO_PI - math.acos(c)
    return math.atan2(math.sqrt(1.0 - e * e) * math.sin(nu), e + math.cos(nu)) % TWO_PI


@kernel
def position_at_anomaly(consts: np.ndarray, i: int, big_e: float) -> tuple[float, float, float, float, float, float]:
    """Inertial position r(E) = a P̂ (cos E − e) + b Q̂ sin E of orbit i and its derivative dr/dE."""
    e = consts[i, CONST_E]
    s, c = math.sin(big_e), math.cos(big_e)
    ce = c - e
    ap0, ap1, ap2 = consts[i, CONST_AP], consts[i, CONST_AP + 1], consts[i, CONST_AP + 2]
    bq0, bq1, bq2 = consts[i, CONST_BQ], consts[i, CONST_BQ + 1], consts[i, CONST_BQ + 2]
    return (ap0 * ce + bq0 * s, ap1 * ce + bq1 * s, ap2 * ce + bq2 * s,
            bq0 * c - ap0 * s, bq1 * c - ap1 * s, bq2 * c - ap2 * s)
