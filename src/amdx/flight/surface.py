"""Where a Kepler free flight meets the Earth model's surface (impact), solved in the inertial frame.

The Earth model is an ellipsoid of revolution about z, so the geodetic altitude of an ECI point equals that of
its ECEF image at any time: the crossing of the surface "altitude = h" is a root of h(r_eci(t)) − h, found
without converting frames. Its derivative is exact and cheap: dh/dt = n̂ · v_eci, n̂ the ellipsoid normal.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from amdx.flight.kepler import KeplerOrbits
from amdx.geo import EarthModel, ecef_to_geodetic, enu_basis

_Array = NDArray[np.float64]


def ellipsoid_radius_m(r_m: ArrayLike, earth: EarthModel) -> _Array:
    """Distance from the centre to the ellipsoid surface along the direction of the points r (..., 3), m."""
    r = np.asarray(r_m, dtype=np.float64)
    rho = np.hypot(r[..., 0], r[..., 1])
    z = r[..., 2]
    a, b = earth.a_m, earth.b_m
    return a * b * np.hypot(rho, z) / np.hypot(b * rho, a * z)


def surface_crossing_time(orbits: KeplerOrbits, alt_m: ArrayLike, earth: EarthModel,
                          index: ArrayLike | None = None, t_guess_s: ArrayLike | None = None,
                          tol_m: float = 1e-6, max_iter: int = 30) -> _Array:
    """Time (s) at which each orbit comes down through geodetic altitude `alt_m` (the impact), after its epoch.

    Starting point: the exact descending crossing of a sphere through the local surface radius (refined once
    with the radius at that first estimate), or `t_guess_s`. On a sphere that crossing is the answer; on an
    ellipsoid Newton's method on the geodetic altitude follows until |Δh| < tol_m. NaN where an orbit never
    comes down to that altitude.
    """
    idx = np.arange(orbits.n_orbits) if index is None else np.asarray(index, dtype=np.intp)
    h = np.broadcast_to(np.asarray(alt_m, dtype=np.float64), idx.shape)
    if t_guess_s is None:
        r0, _ = orbits.states_at(idx, orbits.t0_s[idx])
        t = orbits.descending_crossing_time(ellipsoid_radius_m(r0, earth) + h, idx)
        if earth.is_sphere:
            return t
        r, _ = orbits.states_at(idx, np.nan_to_num(t, nan=0.0))
        t = np.where(np.isnan(t), np.nan, orbits.descending_crossing_time(ellipsoid_radius_m(r, earth) + h, idx))
    else:
        t = np.array(np.broadcast_to(np.asarray(t_guess_s, dtype=np.float64), idx.shape))
    ok = ~np.isnan(t)
    for _ in range(max_iter):
        r, v = orbits.states_at(idx[ok], t[ok])
        lat, lon, alt = ecef_to_geodetic(r, earth)
        up = enu_basis(lat, lon)[2]
        dh = np.asarray(alt) - h[ok]
        t[ok] = t[ok] - dh / np.einsum("...i,...i->...", up, v)
        if not dh.size or np.max(np.abs(dh)) < tol_m:
            break
    return t
