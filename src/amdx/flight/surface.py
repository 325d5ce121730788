"""Where a Kepler free flight meets the Earth model's surface (impact), solved in the inertial frame.

The Earth model is an ellipsoid of revolution about z, so the geodetic altitude of an ECI point equals that of
its ECEF image at any time: the crossing of the surface "altitude = h" is a root of h(r_eci(t)) − h, found
without converting frames. Its derivative is exact and cheap: dh/dt = n̂ · v_eci, n̂ the ellipsoid normal.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

from amdx.flight.kepler import FLOATS_MATCH_NUMPY, KeplerOrbits
from amdx.geo import EarthModel, ecef_components_to_geodetic, ecef_to_geodetic_one, up_components, up_one

_Array = NDArray[np.float64]

FEW_ORBITS = 8 if FLOATS_MATCH_NUMPY else 0
"""`surface_crossing_time` runs on Python floats (same operations, same bits) for at most this many orbits."""


def ellipsoid_radius_m(r_m: ArrayLike, earth: EarthModel) -> _Array:
    """Distance from the centre to the ellipsoid surface along the direction of the points r (..., 3), m."""
    r = np.asarray(r_m, dtype=np.float64)
    return _ellipsoid_radius_xyz(r[..., 0], r[..., 1], r[..., 2], earth)


def _ellipsoid_radius_xyz(x: _Array, y: _Array, z: _Array, earth: EarthModel) -> _Array:
    """`ellipsoid_radius_m` of points given by their components."""
    rho = np.hypot(x, y)
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
    if idx.ndim == 1 and idx.size <= FEW_ORBITS:
        guess = None if t_guess_s is None else np.broadcast_to(np.asarray(t_guess_s, dtype=np.float64), idx.shape)
        return np.array(_crossing_few(orbits, idx.tolist(), h.tolist(), earth,
                                      None if guess is None else guess.tolist(), tol_m, max_iter), dtype=np.float64)
    if t_guess_s is None:
        r0, _ = orbits.components_at(idx, orbits.t0_s[idx], velocity=False)
        t = orbits.descending_crossing_time(_ellipsoid_radius_xyz(*r0, earth) + h, idx)
        if earth.is_sphere:
            return t
        r, _ = orbits.components_at(idx, np.nan_to_num(t, nan=0.0), velocity=False)
        t = np.where(np.isnan(t), np.nan, orbits.descending_crossing_time(_ellipsoid_radius_xyz(*r, earth) + h, idx))
    else:
        t = np.array(np.broadcast_to(np.asarray(t_guess_s, dtype=np.float64), idx.shape))
    ok = ~np.isnan(t)
    idx_ok, h_ok = idx[ok], h[ok]
    for _ in range(max_iter):
        t_ok = t[ok]
        r, v = orbits.components_at(idx_ok, t_ok)
        assert v is not None
        lat, lon, alt = ecef_components_to_geodetic(*r, earth)
        ux, uy, uz = up_components(lat, lon)
        dh = np.asarray(alt) - h_ok
        # n̂ · v summed in the order einsum("...i,...i->...") sums three terms, so results match that form's
        t[ok] = t_ok - dh / ((ux * v[0] + uz * v[2]) + uy * v[1])
        if not dh.size or np.max(np.abs(dh)) < tol_m:
            break
    return t


def _crossing_few(orbits: KeplerOrbits, idx: list[int], h: list[float], earth: EarthModel,
                  guess: list[float] | None, tol_m: float, max_iter: int) -> list[float]:
    """`surface_crossing_time` for a few orbits on Python floats: the same operations in the same order as the
    array path (the Newton steps of all orbits in lockstep, until the largest |Δh| is below tol_m), so the
    same bits, without numpy's per-call overhead on one-element arrays."""
    if guess is None:
        t = []
        for i, hi in zip(idx, h, strict=True):
            x, y, z, *_ = orbits.state_one(i, float(orbits.t0_s[i]))
            t.append(orbits.descending_crossing_time_one(i, float(_ellipsoid_radius_xyz(x, y, z, earth)) + hi))
        if earth.is_sphere:
            return t
        for j, (i, hi) in enumerate(zip(idx, h, strict=True)):
            x, y, z, *_ = orbits.state_one(i, 0.0 if math.isnan(t[j]) else t[j])
            if not math.isnan(t[j]):
                t[j] = orbits.descending_crossing_time_one(i, float(_ellipsoid_radius_xyz(x, y, z, earth)) + hi)
    else:
        t = list(guess)
    live = [j for j in range(len(idx)) if not math.isnan(t[j])]
    for _ in range(max_iter):
        converged = True
        for j in live:
            x, y, z, vx, vy, vz = orbits.state_one(idx[j], t[j])
            lat, lon, alt = ecef_to_geodetic_one(x, y, z, earth)
            ux, uy, uz = up_one(lat, lon)
            dh = alt - h[j]
            t[j] = t[j] - dh / ((ux * vx + uz * vz) + uy * vy)  # the order in which einsum sums n̂ · v
            converged = converged and abs(dh) < tol_m
        if converged:
            break
    return t
