"""Radar horizon and line of sight over a 4/3 effective Earth (refs/physics.md §3.3).

Standard atmospheric refraction bends radar rays down; the textbook model replaces the Earth of radius R by a
sphere of radius k·R (k = 4/3) over which rays are straight. Ground distances are kept, so a ground (central)
angle θ on the real Earth becomes θ/k on the effective one.

- `horizon_distance_m`: d = √(2kR·h_r) + √(2kR·h_t), the usual tangent approximation (radar at height h_r,
  target at h_t; both above the surface).
- `clears_effective_earth`: the exact straight-line test in the effective geometry: the segment from the
  radar (at kR + h_r) to the target (at kR + h_t, ground angle θ away) must stay at or above the sphere kR. A
  target is masked when the segment dips below it, i.e. when the target is beyond the horizon for its height.
  Heights below the surface are taken as on the surface (a target on low ground is not masked by its own
  negative altitude).
- `line_of_sight`: the same for a radar site and targets given in ECEF. Heights are geodetic altitudes above
  the ellipsoid and θ is the angle between the ellipsoid normals at the two points; the effective sphere has
  radius k·`earth_radius_m` (6371 km mean radius by default). Terrain is not modelled.

SI units (m, rad). Pure and vectorised (compiled loops of `polar_kernels`, one per pair: the radars' batched
scans test their low pairs with the same per-pair kernel); inputs never mutated.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from amdx.geo import MEAN_EARTH_RADIUS_M, WGS84, EarthModel
from amdx.sensors.polar_kernels import clears_many, sees_many, sight_terms

_Array = NDArray[np.float64]

K_FACTOR = 4.0 / 3.0
"""Effective-Earth-radius factor of the standard atmosphere."""

__all__ = ["K_FACTOR", "clears_effective_earth", "horizon_distance_m", "line_of_sight"]


def _f64(x: ArrayLike) -> _Array:
    return np.asarray(x, dtype=np.float64)


def _out(x: NDArray) -> NDArray:
    return x[()] if np.ndim(x) == 0 else x


def horizon_distance_m(h_radar_m: ArrayLike, h_target_m: ArrayLike = 0.0, k_factor: float = K_FACTOR,
                       earth_radius_m: float = MEAN_EARTH_RADIUS_M) -> _Array:
    """Radar-to-target horizon distance, m: √(2kR·h_r) + √(2kR·h_t) (heights in m above the surface, ≥ 0)."""
    two_kr = 2.0 * k_factor * earth_radius_m
    return _out(np.sqrt(two_kr * _f64(h_radar_m)) + np.sqrt(two_kr * _f64(h_target_m)))


def clears_effective_earth(h_radar_m: ArrayLike, h_target_m: ArrayLike, ground_angle_rad: ArrayLike,
                           k_factor: float = K_FACTOR,
                           earth_radius_m: float = MEAN_EARTH_RADIUS_M) -> NDArray:
    """True where the straight line from the radar to the target clears the effective Earth (bool array).

    Args:
        h_radar_m: radar height above the surface, m.
        h_target_m: target height above the surface, m (negative heights count as 0).
        ground_angle_rad: angle at the Earth's centre between radar and target on the real Earth, rad,
            in [0, π].
        k_factor: effective-Earth-radius factor (4/3 standard).
        earth_radius_m: real Earth radius R, m.
    """
    h_r, h_t, angle, k, radius = np.broadcast_arrays(_f64(h_radar_m), _f64(h_target_m), _f64(ground_angle_rad),
                                                     _f64(k_factor), _f64(earth_radius_m))
    flat = (np.ascontiguousarray(a).reshape(-1) for a in (h_r, h_t, angle, k, radius))
    return _out(clears_many(*flat).reshape(h_r.shape))


def line_of_sight(site_ecef_m: ArrayLike, targets_ecef_m: ArrayLike, k_factor: float = K_FACTOR,
                  earth_radius_m: float = MEAN_EARTH_RADIUS_M, earth: EarthModel = WGS84) -> NDArray:
    """True for each target (..., 3) in ECEF, m, that a radar at `site_ecef_m` (3,) sees over the effective
    Earth (bool array of shape targets.shape[:-1]). See the module docstring for the geometry."""
    p = _f64(targets_ecef_m)
    sight = sight_terms(np.ascontiguousarray(site_ecef_m, dtype=np.float64).reshape(3), float(k_factor),
                        float(earth_radius_m), earth.a_m, earth.a_m**2, earth.e2, earth.is_sphere)
    return _out(sees_many(sight, np.ascontiguousarray(p).reshape(-1, 3)).reshape(p.shape[:-1]))
