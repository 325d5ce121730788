"""Compiled kernels of impact prediction (`amdx.tracking.impact`): one pass per track from its state and covariance
to the impact point, time and ellipse.

Why: `predict_impact` runs on every ballistic track of every picture (a few hundred to a thousand tracks); numpy
would spend more time in frame conversions, temporaries and per-call overhead than in the compiled crossing solve.
The uncertainty is first order (the Kepler state-transition matrix to the impact, `impact_jacobian_one`): one
crossing solve per track, where the unscented transform this replaced flew 12 sigma points to impact (on the
500-threat benchmark's 102,821 track predictions: 14 us a track then, 1.8 us now).

A shortcut of the solve, within the crossing solver's own convergence: the impact point is taken at the crossing's
eccentric anomaly (solving Kepler's equation again at the crossing time returns that anomaly to 1e-14).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from amdx.flight.kepler_kernels import (
    CONST_E,
    CONST_E0,
    CONST_N,
    N_CONSTS,
    N_ELEMENTS,
    TWO_PI,
    element_row,
    position_at_anomaly,
)
from amdx.flight.surface import crossing_one
from amdx.geo import altitude_and_normal, geodetic_point
from amdx.jit import kernel

_Array = NDArray[np.float64]


@kernel
def impact_one(s: _Array, t: float, cos_t: float, sin_t: float, h: float, near_r: float, a: float, b: float,
               a2: float, e2: float, sphere: bool, omega: float, mu: float, tol: float, max_iter: int, el: _Array,
               consts: _Array) -> tuple[float, float, float, float, float]:
    """(impact time s, ECEF impact point x, y, z m, the orbit's eccentric anomaly there) of the ECEF state s (6,)
    at time t (cos_t, sin_t: cosine and sine of the Earth's turn ω t, computed once per time by the caller), vacuum
    two-body flight to geodetic altitude h (`impact.impact_points`); NaN where there is none. Only points within
    radius near_r can be below h (the ellipsoid lies within the sphere of radius a). Row 0 of the scratch arrays
    el (1, N_ELEMENTS) and consts (1, N_CONSTS) receives the orbit."""
    nan = (np.nan, np.nan, np.nan, np.nan, np.nan)
    rx, ry, rz, vx, vy, vz = s[0], s[1], s[2], s[3], s[4], s[5]
    co, si = cos_t, sin_t  # ECEF -> ECI (geo.ecef_to_eci, geo.ecef_velocity_to_eci)
    wx, wy, wz = vx + -omega * ry, vy + omega * rx, vz + 0.0
    good, energy, rmag = element_row(co * rx - si * ry, si * rx + co * ry, rz, co * wx - si * wy, si * wx + co * wy,
                                     wz, t, mu, el, consts, 0)
    if not (good and math.isfinite(energy)):
        return nan
    if not rmag > near_r:  # already down and descending?
        lat, lon, alt = geodetic_point(rx, ry, rz, a, a2, e2, sphere)
        lat, lon = np.radians(lat), np.radians(lon)
        cl = math.cos(lat)
        if alt < h and (cl * math.cos(lon) * vx + math.sin(lat) * vz) + cl * math.sin(lon) * vy < 0.0:
            return nan
    ti, big_e = crossing_one(consts, el[0, 0], t, el[0, 4], 0, h, 0.0, False, np.nan, a, b, a2, e2, sphere, tol,
                             max_iter)
    if not math.isfinite(ti):
        return nan
    x, y, z, _, _, _ = position_at_anomaly(consts, 0, big_e)  # the crossing's own anomaly: no Kepler solve
    theta = -omega * ti  # ECI -> ECEF (geo.eci_to_ecef)
    co, si = math.cos(theta), math.sin(theta)
    return ti, co * x - si * y, si * x + co * y, z, big_e


@kernel
def above_many(x: _Array, h: float, near_r: float, a: float, a2: float, e2: float,
               sphere: bool) -> NDArray[np.bool_]:
    """Which of the ECEF points x (k, 3 or more columns: a position first) are above geodetic altitude h: a point
    outside the sphere of radius near_r (at least a + max(h, 0)) is, without a geodetic conversion; the others by
    their altitude (`geo.geodetic_point`, as `geo.ecef_to_geodetic`). NaN positions are not above."""
    out = np.empty(x.shape[0], np.bool_)
    near_r2 = near_r * near_r
    for k in range(x.shape[0]):
        px, py, pz = x[k, 0], x[k, 1], x[k, 2]
        out[k] = px * px + py * py + pz * pz >= near_r2 or geodetic_point(px, py, pz, a, a2, e2, sphere)[2] > h
    return out


@kernel
def impact_many(x: _Array, t: _Array, h: float, near_r: float, a: float, b: float, a2: float, e2: float, sphere: bool,
                omega: float, mu: float, tol: float, max_iter: int, t_out: _Array, p_out: _Array) -> None:
    """`impact_one` of the states x (m, 6) at times t (m,), into t_out (m,) and p_out (m, 3)."""
    el, consts = np.empty((1, N_ELEMENTS)), np.empty((1, N_CONSTS))
    for k in range(x.shape[0]):
        theta = omega * t[k]
        t_out[k], p_out[k, 0], p_out[k, 1], p_out[k, 2], _ = impact_one(
            x[k], t[k], math.cos(theta), math.sin(theta), h, near_r, a, b, a2, e2, sphere, omega, mu, tol, max_iter,
            el, consts)


@kernel
def impact_jacobian_one(s: _Array, t: float, cos_t: float, sin_t: float, h: float, near_r: float, a: float,
                        b: float, a2: float, e2: float, sphere: bool, omega: float, mu: float, tol: float,
                        max_iter: int, el: _Array, consts: _Array, phi: _Array, jac: _Array
                        ) -> tuple[float, float, float, float, float, float]:
    """`impact_one` of the ECEF state s (6,) at time t, and the derivatives of the impact with respect to s:
    jac (4, 6) receives those of the ECEF impact point (rows 0-2, on the surface: the impact time moves with the
    state) and of the impact time (row 3); phi (3, 6) is scratch. Returns (impact time s, ECEF impact point x, y,
    z m, sine and cosine of its geodetic latitude), NaN (and jac untouched) where there is none.

    The Kepler state-transition matrix from t to the impact time, position rows (Battin 1999 §9.7, eqs. 9.74 and
    9.84-9.87, in universal variables, here from the eccentric anomaly's change ΔE: χ = √a ΔE), composed with
    the ECEF -> ECI state transform at t (r_i = R r, v_i = R (v + ω × r)); the crossing condition n̂ · dr = 0
    (n̂ the ellipsoid normal at the impact, the same in ECI as in ECEF since the ellipsoid is symmetric about z)
    gives the time's row dt = -n̂ · dr / (n̂ · v) (v the inertial velocity there; n̂ · (ω ẑ × r) = 0) and the
    ECEF point's R(−ω tᵢ)(dr + (v − ω ẑ × r) dt)."""
    ti, px, py, pz, big_e = impact_one(s, t, cos_t, sin_t, h, near_r, a, b, a2, e2, sphere, omega, mu, tol,
                                       max_iter, el, consts)
    if not math.isfinite(ti):
        return ti, px, py, pz, np.nan, np.nan
    rx, ry, rz, vx, vy, vz = s[0], s[1], s[2], s[3], s[4], s[5]
    co, si = cos_t, sin_t
    wx, wy = vx + -omega * ry, vy + omega * rx
    r0 = (co * rx - si * ry, si * rx + co * ry, rz)
    v0 = (co * wx - si * wy, si * wx + co * wy, vz)
    x, y, z, dx, dy, dz = position_at_anomaly(consts, 0, big_e)
    e, mm, sma = consts[0, CONST_E], consts[0, CONST_N], el[0, 0]
    rate = mm / (1.0 - e * math.cos(big_e))  # dE/dt
    r1, v1 = (x, y, z), (dx * rate, dy * rate, dz * rate)
    dt = ti - t
    d_e = big_e - consts[0, CONST_E0]
    d_e -= TWO_PI * np.round((d_e - mm * dt) / TWO_PI)  # |ΔE − ΔM| ≤ 2e < 2π: the same revolution as dt
    sq_mu, sq_a = math.sqrt(mu), math.sqrt(sma)
    sn, cs = math.sin(d_e), math.cos(d_e)
    u1, u2 = sq_a * sn, sma * (1.0 - cs)
    c_big = sma * sma * sq_a * (3.0 * sn - d_e * cs - 2.0 * d_e) / sq_mu - dt * u2  # (3 U5 − χ U4)/√μ − Δt U2
    n0 = math.sqrt(r0[0] * r0[0] + r0[1] * r0[1] + r0[2] * r0[2])
    n1 = math.sqrt(x * x + y * y + z * z)
    sigma0 = (r0[0] * v0[0] + r0[1] * v0[1] + r0[2] * v0[2]) / sq_mu
    f = 1.0 - u2 / n0
    g = (n0 * u1 + sigma0 * u2) / sq_mu
    # phi: ∂r1/∂r0 | ∂r1/∂v0, inertial
    for i in range(3):
        dvi = v1[i] - v0[i]
        for j in range(3):
            dvj = v1[j] - v0[j]
            phi[i, j] = n1 / mu * dvi * dvj + (n0 * (1.0 - f) * r1[i] * r0[j] + c_big * v1[i] * r0[j]) / n0**3
            phi[i, 3 + j] = (n0 / mu * (1.0 - f) * ((r1[i] - r0[i]) * v0[j] - dvi * r0[j])
                             + c_big / mu * v1[i] * v0[j])
        phi[i, i] += f
        phi[i, 3 + i] += g
    # ∂(r0, v0)/∂s = [[R, 0], [R W, R]], R the turn by ω t, W = [ω ẑ ×]
    for i in range(3):
        pr0, pr1, pr2 = phi[i, 0], phi[i, 1], phi[i, 2]
        pv0, pv1, pv2 = phi[i, 3], phi[i, 4], phi[i, 5]
        qv0, qv1 = pv0 * co + pv1 * si, -pv0 * si + pv1 * co  # row · R, velocity part
        phi[i, 0] = pr0 * co + pr1 * si + omega * qv1
        phi[i, 1] = -pr0 * si + pr1 * co - omega * qv0
        phi[i, 2] = pr2
        phi[i, 3], phi[i, 4], phi[i, 5] = qv0, qv1, pv2
    _, nx, ny, nz = altitude_and_normal(x, y, z, a, a2, e2, sphere)
    nv = nx * v1[0] + ny * v1[1] + nz * v1[2]
    ux, uy = v1[0] + omega * y, v1[1] - omega * x  # the velocity relative to the turning Earth, v − ω ẑ × r
    ce, se = math.cos(omega * ti), math.sin(omega * ti)  # ECI -> ECEF at the impact: the turn by −ω tᵢ
    for j in range(6):
        jt = -(nx * phi[0, j] + ny * phi[1, j] + nz * phi[2, j]) / nv
        qx, qy = phi[0, j] + ux * jt, phi[1, j] + uy * jt
        jac[0, j], jac[1, j] = ce * qx + se * qy, -se * qx + ce * qy
        jac[2, j] = phi[2, j] + v1[2] * jt
        jac[3, j] = jt
    return ti, px, py, pz, nz, math.hypot(nx, ny)  # the normal: (cos φ cos λ, cos φ sin λ, sin φ)


@kernel
def jacobian_many(x: _Array, t: _Array, h: float, near_r: float, a: float, b: float, a2: float, e2: float,
                  sphere: bool, omega: float, mu: float, tol: float, max_iter: int, t_out: _Array, p_out: _Array,
                  jac: _Array) -> None:
    """`impact_jacobian_one` of the states x (m, 6) at times t (m,), into t_out (m,), p_out (m, 3) and jac (m, 4, 6)
    (NaN where there is no impact)."""
    el, consts, phi = np.empty((1, N_ELEMENTS)), np.empty((1, N_CONSTS)), np.empty((3, 6))
    for k in range(x.shape[0]):
        theta = omega * t[k]
        t_out[k], p_out[k, 0], p_out[k, 1], p_out[k, 2], _, _ = impact_jacobian_one(
            x[k], t[k], math.cos(theta), math.sin(theta), h, near_r, a, b, a2, e2, sphere, omega, mu, tol, max_iter,
            el, consts, phi, jac[k])
        if not math.isfinite(t_out[k]):
            jac[k] = np.nan


@kernel
def predict_linear_many(x: _Array, cov_x: _Array, t: float, h: float, near_r: float, a: float, b: float, a2: float,
                        e2: float, sphere: bool, omega: float, mu: float, tol: float, max_iter: int, k_scale: float,
                        valid: NDArray[np.bool_], t_mean: _Array, t_sigma: _Array, p_mean: _Array, lat_out: _Array,
                        lon_out: _Array, cov: _Array, major: _Array, minor: _Array, azimuth: _Array) -> None:
    """`impact.predict_impact` of the states x (k, 6) with covariances cov_x (k, 6, 6) at time t, linearised: the
    impact of each state and its Jacobian (`impact_jacobian_one`); the east/north covariance E J P Jᵀ Eᵀ at the
    impact point's geodetic position, the time's standard deviation √(jₜ P jₜᵀ) and the ellipse at scale
    k_scale. A track is valid when its state comes down and its propagated covariance is finite; every other
    output of an invalid track is NaN."""
    el, consts = np.empty((1, N_ELEMENTS)), np.empty((1, N_CONSTS))
    phi, jac, g = np.empty((3, 6)), np.empty((4, 6)), np.empty((3, 6))
    cos_t, sin_t = math.cos(omega * t), math.sin(omega * t)
    for k in range(x.shape[0]):
        ti, px, py, pz, sl, cl = impact_jacobian_one(x[k], t, cos_t, sin_t, h, near_r, a, b, a2, e2, sphere, omega,
                                                     mu, tol, max_iter, el, consts, phi, jac)
        c00 = c01 = c11 = c22 = np.nan
        if math.isfinite(ti):
            rho = math.hypot(px, py)
            so, co = (py / rho, px / rho) if rho > 0.0 else (0.0, 1.0)
            for j in range(6):  # rows: east (−sin λ, cos λ, 0), north (−sin φ cos λ, −sin φ sin λ, cos φ), time
                g[0, j] = -so * jac[0, j] + co * jac[1, j]
                g[1, j] = -sl * (co * jac[0, j] + so * jac[1, j]) + cl * jac[2, j]
                g[2, j] = jac[3, j]
            c00 = c01 = c11 = c22 = 0.0
            for i in range(6):  # G P Gᵀ, P symmetric: row i of P G
                q0 = q1 = q2 = 0.0
                for j in range(6):
                    p = cov_x[k, i, j]
                    q0 += p * g[0, j]
                    q1 += p * g[1, j]
                    q2 += p * g[2, j]
                c00 += g[0, i] * q0
                c01 += g[0, i] * q1
                c11 += g[1, i] * q1
                c22 += g[2, i] * q2
        # valid: the state comes down and its covariance is finite (a NaN or infinite P gives no ellipse)
        valid[k] = math.isfinite(c00) and math.isfinite(c01) and math.isfinite(c11) and math.isfinite(c22)
        if not valid[k]:
            t_mean[k] = t_sigma[k] = lat_out[k] = lon_out[k] = major[k] = minor[k] = azimuth[k] = np.nan
            p_mean[k, :] = np.nan
            cov[k, :, :] = np.nan
            continue
        t_mean[k], p_mean[k, 0], p_mean[k, 1], p_mean[k, 2] = ti, px, py, pz
        lat_out[k], lon_out[k] = np.degrees(math.atan2(sl, cl)), np.degrees(math.atan2(py, px))
        t_sigma[k] = math.sqrt(max(c22, 0.0))
        cov[k, 0, 0], cov[k, 0, 1], cov[k, 1, 0], cov[k, 1, 1] = c00, c01, c01, c11
        mid = 0.5 * (c00 + c11)  # the ellipse (impact.error_ellipse)
        rad = np.hypot(0.5 * (c00 - c11), c01)
        major[k] = k_scale * math.sqrt(max(mid + rad, 0.0))
        minor[k] = k_scale * math.sqrt(max(mid - rad, 0.0))
        azimuth[k] = (90.0 - 0.5 * np.degrees(math.atan2(2.0 * c01, c00 - c11))) % 180.0
