"""Where a Kepler free flight meets the Earth model's surface (impact), solved in the inertial frame.

The Earth model is an ellipsoid of revolution about z, so the geodetic altitude of an ECI point equals that of
its ECEF image at any time: the crossing of the surface "altitude = h" is a root of h(r_eci(t)) − h, found
without converting frames. Its derivative is exact and cheap: dh/dt = n̂ · v_eci, n̂ the ellipsoid normal.
The whole solve is one compiled kernel (`_crossing_times`), for one orbit or thousands.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

from amdx.flight.kepler import KeplerOrbits
from amdx.flight.kepler_kernels import descending_crossing_one, state_at
from amdx.geo import EarthModel, geodetic_point
from amdx.jit import kernel

_Array = NDArray[np.float64]

FEW_ORBITS = 0
"""(No longer used: the kernel serves every batch size; kept only because tests/c2/test_intercept_few.py patches
it. Remove with c2.intercept's float path.)"""


def ellipsoid_radius_m(r_m: ArrayLike, earth: EarthModel) -> _Array:
    """Distance from the centre to the ellipsoid surface along the direction of the points r (..., 3), m."""
    r = np.asarray(r_m, dtype=np.float64)
    rho = np.hypot(r[..., 0], r[..., 1])
    a, b = earth.a_m, earth.b_m
    return a * b * np.hypot(rho, r[..., 2]) / np.hypot(b * rho, a * r[..., 2])


@kernel
def _ellipsoid_radius(x: float, y: float, z: float, a: float, b: float) -> float:
    rho = np.hypot(x, y)
    return a * b * np.hypot(rho, z) / np.hypot(b * rho, a * z)


def surface_crossing_time(orbits: KeplerOrbits, alt_m: ArrayLike, earth: EarthModel,
                          index: ArrayLike | None = None, t_guess_s: ArrayLike | None = None,
                          tol_m: float = 1e-6, max_iter: int = 30) -> _Array:
    """Time (s) at which each orbit comes down through geodetic altitude `alt_m` (the impact), after its epoch.

    Starting point: the exact descending crossing of a sphere through the local surface radius (refined once
    with the radius at that first estimate), or `t_guess_s`. On a sphere that crossing is the answer; on an
    ellipsoid Newton's method on the geodetic altitude follows, all orbits in lockstep, until every |Δh| is
    below tol_m. NaN where an orbit never comes down to that altitude.
    """
    idx = np.arange(orbits.n_orbits) if index is None else np.asarray(index, dtype=np.intp)
    h = np.broadcast_to(np.asarray(alt_m, dtype=np.float64), idx.shape)
    t = np.empty(idx.shape)
    if t_guess_s is None:
        guess = t
    else:
        guess = np.ascontiguousarray(np.broadcast_to(np.asarray(t_guess_s, dtype=np.float64), idx.shape)).ravel()
    _crossing_times(orbits.consts, orbits.a_m, orbits.t0_s, orbits.m0, np.ascontiguousarray(idx).ravel(),
                    np.ascontiguousarray(h).ravel(), guess.reshape(-1), t_guess_s is not None, earth.a_m, earth.b_m,
                    earth.a_m**2, earth.e2, earth.is_sphere, float(tol_m), int(max_iter), t.reshape(-1))
    return t


@kernel
def _crossing_times(consts: _Array, a_m: _Array, t0_s: _Array, m0: _Array, idx: NDArray[np.intp], h: _Array,
                    guess: _Array, has_guess: bool, a: float, b: float, a2: float, e2: float, sphere: bool,
                    tol: float, max_iter: int, t: _Array) -> None:
    """`surface_crossing_time` for the flat orbits idx and altitudes h, written to t."""
    n = idx.size
    if has_guess:
        for k in range(n):
            t[k] = guess[k]
    else:
        for k in range(n):
            i = idx[k]
            x, y, z, _, _, _ = state_at(consts, i, t0_s[i], 0.0)
            t[k] = descending_crossing_one(consts, a_m[i], t0_s[i], m0[i], i, _ellipsoid_radius(x, y, z, a, b) + h[k])
        if sphere:
            return
        for k in range(n):
            if not math.isnan(t[k]):
                i = idx[k]
                x, y, z, _, _, _ = state_at(consts, i, t[k], 0.0)
                t[k] = descending_crossing_one(consts, a_m[i], t0_s[i], m0[i], i,
                                               _ellipsoid_radius(x, y, z, a, b) + h[k])
    live = np.empty(n, dtype=np.bool_)
    for k in range(n):
        live[k] = not math.isnan(t[k])
    for _ in range(max_iter):
        converged = True
        for k in range(n):
            if not live[k]:
                continue
            x, y, z, vx, vy, vz = state_at(consts, idx[k], t[k], 0.0)
            lat, lon, alt = geodetic_point(x, y, z, a, a2, e2, sphere)
            lat_r, lon_r = np.radians(lat), np.radians(lon)
            cl = math.cos(lat_r)
            ux, uy, uz = cl * math.cos(lon_r), cl * math.sin(lon_r), math.sin(lat_r)
            dh = alt - h[k]
            t[k] = t[k] - dh / ((ux * vx + uz * vz) + uy * vy)  # n̂ · v in the order einsum sums three terms
            converged = converged and abs(dh) < tol
        if converged:
            break
