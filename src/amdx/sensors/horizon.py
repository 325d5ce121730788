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

SI units (m, rad). Pure and vectorised; inputs never mutated.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from amdx.geo import MEAN_EARTH_RADIUS_M, WGS84, EarthModel, ecef_to_geodetic, enu_basis

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
    kr = k_factor * earth_radius_m
    a = kr + np.maximum(_f64(h_radar_m), 0.0)
    b = kr + np.maximum(_f64(h_target_m), 0.0)
    theta = _f64(ground_angle_rad) / k_factor
    cos_t = np.cos(theta)
    # the segment's closest point to the centre lies strictly inside it only when both end angles are acute
    interior = (a > b * cos_t) & (b > a * cos_t)
    chord2 = (a - b) ** 2 + 4.0 * a * b * np.sin(0.5 * theta) ** 2
    with np.errstate(divide="ignore", invalid="ignore"):
        dist2 = (a * b * np.sin(theta)) ** 2 / chord2
    return _out(~interior | (dist2 >= kr * kr))


def line_of_sight(site_ecef_m: ArrayLike, targets_ecef_m: ArrayLike, k_factor: float = K_FACTOR,
                  earth_radius_m: float = MEAN_EARTH_RADIUS_M, earth: EarthModel = WGS84) -> NDArray:
    """True for each target (..., 3) in ECEF, m, that a radar at `site_ecef_m` (3,) sees over the effective
    Earth (bool array of shape targets.shape[:-1]). See the module docstring for the geometry."""
    site_lat, site_lon, site_alt = ecef_to_geodetic(_f64(site_ecef_m), earth)
    lat, lon, alt = ecef_to_geodetic(_f64(targets_ecef_m), earth)
    up_site = enu_basis(site_lat, site_lon)[2]
    up = enu_basis(lat, lon)[2]
    # angle between unit vectors from their chord: accurate at small and large angles alike
    chord = np.linalg.norm(up - up_site, axis=-1)
    angle = 2.0 * np.arcsin(np.minimum(0.5 * chord, 1.0))
    return clears_effective_earth(site_alt, alt, angle, k_factor, earth_radius_m)
