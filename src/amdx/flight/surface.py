"""Where a Kepler free flight meets the Earth model's surface (impact), solved in the inertial frame.

The Earth model is an ellipsoid of revolution about z, so the geodetic altitude of an ECI point equals that of
its ECEF image at any time: the crossing of the surface "altitude = h" is a root of h(r_eci(t)) − h, found
without converting frames. Its derivative is exact and cheap: dh/dt = n̂ · v_eci, n̂ the ellipsoid normal.
The whole solve is one compiled loop over orbits (`_crossing_times`), for one orbit or thousands.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

from amdx.flight.kepler import KeplerOrbits
from amdx.flight.kepler_kernels import (
    CONST_E,
    CONST_E0,
    CONST_M0,
    CONST_N,
    KEPLER_TOL,
    TWO_PI,
    descending_crossing_anomaly,
    position_at_anomaly,
    solve_kepler_one,
)
from amdx.geo import EarthModel, altitude_and_normal
from amdx.jit import kernel

_Array = NDArray[np.float64]

CROSSING_TOL_M = 1e-6
"""Newton's method on the altitude stops once |Δh| < this (one more step is still taken), m."""
CROSSING_MAX_ITER = 30
"""At most this many Newton steps."""


def ellipsoid_radius_m(r_m: ArrayLike, earth: EarthModel) -> _Array:
    """Distance from the centre to the ellipsoid surface along the direction of the points r (..., 3), m."""
    r = np.asarray(r_m, dtype=np.float64)
    out = _ellipsoid_radius_many(r.reshape(-1, 3), earth.a_m, earth.b_m).reshape(r.shape[:-1])
    return out[()] if out.ndim == 0 else out


@kernel
def ellipsoid_radius_one(x: float, y: float, z: float, a: float, b: float) -> float:
    """`ellipsoid_radius_m` of one point (x, y, z) on the ellipsoid of radii a (equatorial) and b (polar)."""
    rho = np.hypot(x, y)
    return a * b * np.hypot(rho, z) / np.hypot(b * rho, a * z)


@kernel
def _ellipsoid_radius_many(r: _Array, a: float, b: float) -> _Array:
    out = np.empty(r.shape[0])
    for k in range(r.shape[0]):
        out[k] = ellipsoid_radius_one(r[k, 0], r[k, 1], r[k, 2], a, b)
    return out


def surface_crossing_time(orbits: KeplerOrbits, alt_m: ArrayLike, earth: EarthModel,
                          index: ArrayLike | None = None, t_guess_s: ArrayLike | None = None,
                          tol_m: float = CROSSING_TOL_M, max_iter: int = CROSSING_MAX_ITER) -> _Array:
    """Time (s) at which each orbit comes down through geodetic altitude `alt_m` (the impact), after its epoch.

    Starting point: the exact descending crossing of a sphere through the local surface radius (refined once
    with the radius at that first estimate), or `t_guess_s`. On a sphere that crossing is the answer; on an
    ellipsoid Newton's method on the geodetic altitude as a function of the eccentric anomaly E follows, until
    |Δh| < tol_m (dh/dE = n̂ · dr/dE, n̂ the ellipsoid normal, r(E) in closed form: no Kepler solve per step);
    Kepler's equation then gives the time. NaN where an orbit never comes down to that altitude.
    """
    idx = np.arange(orbits.n_orbits) if index is None else np.asarray(index, dtype=np.intp)
    alt = np.asarray(alt_m, dtype=np.float64)
    # one altitude for all (the usual call): filled, not broadcast (numpy's broadcast_to costs more than the solve
    # of a single orbit)
    h = np.full(idx.size, float(alt)) if alt.ndim == 0 else np.broadcast_to(alt, idx.shape).ravel()
    guess = h if t_guess_s is None else np.broadcast_to(np.asarray(t_guess_s, dtype=np.float64), idx.shape).ravel()
    t = _crossing_times(orbits.consts, orbits.a_m, orbits.t0_s, orbits.m0, idx.ravel(), h, guess,
                        t_guess_s is not None, earth.a_m, earth.b_m, earth.a_m**2, earth.e2, earth.is_sphere,
                        float(tol_m), int(max_iter))
    return t.reshape(idx.shape)


@kernel
def _crossing_times(consts: _Array, a_m: _Array, t0_s: _Array, m0: _Array, idx: NDArray[np.intp], h: _Array,
                    guess: _Array, has_guess: bool, a: float, b: float, a2: float, e2: float, sphere: bool,
                    tol: float, max_iter: int) -> _Array:
    """`surface_crossing_time` for the flat orbits idx, altitudes h and (with has_guess) first guesses."""
    t = np.empty(idx.size)
    for k in range(idx.size):
        i = idx[k]
        t[k] = crossing_one(consts, a_m[i], t0_s[i], m0[i], i, h[k], guess[k], has_guess, np.nan, a, b, a2, e2,
                            sphere, tol, max_iter)[0]
    return t


@kernel
def crossing_one(consts: _Array, a_i: float, t0_i: float, m0_i: float, i: int, h: float, guess: float,
                 has_guess: bool, radius_hint: float, a: float, b: float, a2: float, e2: float, sphere: bool,
                 tol: float, max_iter: int) -> tuple[float, float]:
    """(time s, eccentric anomaly) at which orbit i (semi-major axis a_i, mean anomaly m0_i at its epoch t0_i)
    comes down through altitude h: `surface_crossing_time` of one orbit (guess: a first time, with has_guess).

    radius_hint (m, NaN for none): the ellipsoid's radius near the expected crossing (e.g. at the crossing of a
    neighbouring orbit), for the first sphere crossing instead of the radius under the epoch's position. It only
    moves the start: Newton's method then converges to the same tolerance."""
    e, mm = consts[i, CONST_E], consts[i, CONST_N]
    if has_guess:
        t_start, m_start = guess, consts[i, CONST_M0] + mm * guess
        big_e = solve_kepler_one(m_start, e, KEPLER_TOL)[0]
    else:
        if math.isnan(radius_hint):
            x, y, z, _, _, _ = position_at_anomaly(consts, i, consts[i, CONST_E0])  # the epoch's position
            radius_hint = ellipsoid_radius_one(x, y, z, a, b)
        big_e = descending_crossing_anomaly(consts, a_i, i, radius_hint + h)
        if not sphere:
            x, y, z, _, _, _ = position_at_anomaly(consts, i, big_e)
            big_e = descending_crossing_anomaly(consts, a_i, i, ellipsoid_radius_one(x, y, z, a, b) + h)
        m_start = big_e - e * math.sin(big_e)
        t_start = t0_i + (m_start - m0_i) % TWO_PI / mm
        if sphere:
            return t_start, big_e
    for _ in range(max_iter):
        x, y, z, dx, dy, dz = position_at_anomaly(consts, i, big_e)
        alt, nx, ny, nz = altitude_and_normal(x, y, z, a, a2, e2, sphere)
        dh = alt - h
        big_e = big_e - dh / (nx * dx + ny * dy + nz * dz)
        if abs(dh) < tol:
            break
    return t_start + (big_e - e * math.sin(big_e) - m_start) / mm, big_e
