"""Waypoint routes for cruise missiles, aircraft and drones: great-circle legs at constant speed.

A leg joins two waypoints (geodetic lat/lon in degrees, altitude in m) along the great circle through them on a
sphere of radius `radius_m` (default: the 6371 km mean radius; latitudes are used as they are, see `amdx.geo`),
flown at the leg's constant ground speed; the altitude varies linearly with distance along the leg. The leg's
length, and so its duration, is the great-circle distance on that sphere (altitude ignored). Positions are
reported in ECEF through the chosen Earth model. A route is immutable once built: `state_ecef` memoises its
results at single times (read-only), since the radars that scan at one instant all ask for the same state.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from amdx.flight.memo import TimeMemo
from amdx.geo import (
    MEAN_EARTH_RADIUS_M,
    WGS84,
    EarthModel,
    destination_one,
    geodetic_to_ecef_point,
    great_circle_distance_m,
    initial_azimuth_deg,
)
from amdx.jit import kernel

_Array = NDArray[np.float64]


def _ro(x: ArrayLike) -> _Array:
    y = np.array(x, dtype=np.float64)
    y.flags.writeable = False
    return y


class RouteFlight:
    """A flight along waypoints (W ≥ 2) starting at `t0_s`.

    Args:
        lat_deg, lon_deg, alt_m: waypoints (W,), degrees and m (geodetic).
        speed_mps: ground speed of each leg (W − 1,) or one speed for all, m/s, > 0.
        t0_s: time at the first waypoint, s.
        earth: Earth model for ECEF output.
        radius_m: radius of the sphere on which legs are great circles, m.
    """

    def __init__(self, lat_deg: ArrayLike, lon_deg: ArrayLike, alt_m: ArrayLike, speed_mps: ArrayLike,
                 t0_s: float = 0.0, earth: EarthModel = WGS84, radius_m: float = MEAN_EARTH_RADIUS_M):
        lat, lon, alt = (np.atleast_1d(np.asarray(x, dtype=np.float64)) for x in (lat_deg, lon_deg, alt_m))
        if not (lat.ndim == 1 and lat.shape == lon.shape == alt.shape and lat.size >= 2):
            raise ValueError("a route needs at least two waypoints, with as many latitudes, longitudes and "
                             "altitudes")
        if np.any(np.abs(lat) > 90.0):
            raise ValueError("waypoint latitudes must be in [-90, 90] degrees")
        speed = np.broadcast_to(np.asarray(speed_mps, dtype=np.float64), (lat.size - 1,))
        if not np.all(speed > 0.0):
            raise ValueError("every leg needs a speed > 0 m/s")
        self.earth = earth
        self.radius_m = float(radius_m)
        self.t0_s = float(t0_s)
        self.lat_deg, self.lon_deg, self.alt_m, self.speed_mps = _ro(lat), _ro(lon), _ro(alt), _ro(speed)
        self.leg_length_m = _ro(great_circle_distance_m(lat[:-1], lon[:-1], lat[1:], lon[1:], radius_m))
        self.leg_azimuth_deg = _ro(initial_azimuth_deg(lat[:-1], lon[:-1], lat[1:], lon[1:]))
        self.leg_duration_s = _ro(self.leg_length_m / speed)
        self.waypoint_t_s = _ro(self.t0_s + np.concatenate([[0.0], np.cumsum(self.leg_duration_s)]))
        self._memo = TimeMemo()

    @property
    def end_t_s(self) -> float:
        """Time at the last waypoint, s."""
        return float(self.waypoint_t_s[-1])

    @property
    def duration_s(self) -> float:
        """Flight time from the first to the last waypoint, s."""
        return self.end_t_s - self.t0_s

    def _evaluate(self, t_s: ArrayLike, dt_s: float = 1e-3) -> tuple[_Array, _Array, _Array]:
        """(lat, lon, alt) rows (3, ...), ECEF positions (..., 3) and velocities (..., 3) at times t_s, NaN outside
        the flight: one compiled pass (`_route_states`)."""
        t = np.asarray(t_s, dtype=np.float64)
        geo, pos, vel = _route_states(t.ravel(), self.waypoint_t_s, self.lat_deg, self.lon_deg, self.alt_m,
                                      self.speed_mps, self.leg_length_m, self.leg_azimuth_deg, self.radius_m,
                                      self.earth.a_m, self.earth.e2, float(dt_s))
        return geo.reshape((3, *t.shape)), pos.reshape((*t.shape, 3)), vel.reshape((*t.shape, 3))

    def geodetic(self, t_s: ArrayLike) -> tuple[_Array, _Array, _Array]:
        """(lat_deg, lon_deg, alt_m) at times t_s (any shape); NaN before t0 and after the end."""
        lat, lon, alt = (np.asarray(g) for g in self._evaluate(t_s)[0])
        return lat, lon, alt

    def position_ecef(self, t_s: ArrayLike) -> _Array:
        """ECEF position (..., 3), m, at times t_s; NaN before t0 and after the end."""
        return self._evaluate(t_s)[1]

    def velocity_ecef(self, t_s: ArrayLike, dt_s: float = 1e-3) -> _Array:
        """ECEF velocity (..., 3), m/s (Earth-relative), by a central difference of ±dt_s within the current
        leg (one-sided at its ends); NaN outside the flight."""
        return self._evaluate(t_s, dt_s)[2]

    def state_ecef(self, t_s: ArrayLike, dt_s: float = 1e-3) -> tuple[_Array, _Array]:
        """ECEF position (..., 3), m, and velocity (..., 3), m/s, at times t_s in one evaluation (the velocity as
        in `velocity_ecef`); NaN outside the flight. Results at a single time are memoised and read-only."""
        if np.size(t_s) != 1:
            return self._evaluate(t_s, dt_s)[1:]
        key = (float(np.asarray(t_s, dtype=np.float64).reshape(())), float(dt_s))
        return self._memo.get(key, lambda: self._evaluate(t_s, dt_s)[1:])


@kernel
def _route_states(t: _Array, waypoint_t: _Array, lat: _Array, lon: _Array, alt: _Array, speed: _Array,
                  length: _Array, azimuth: _Array, radius: float, a: float, e2: float,
                  dt: float) -> tuple[_Array, _Array, _Array]:
    """Geodetic (3, k), ECEF position (k, 3) and velocity (k, 3) of a route at the times t (k,): the leg of each
    time, the point along its great circle, the altitude interpolated linearly along the leg, and the velocity
    by a central difference of ±dt within the leg (one-sided at its ends)."""
    k_count, n_legs = t.size, length.size
    geo, pos, vel = np.full((3, k_count), np.nan), np.full((k_count, 3), np.nan), np.full((k_count, 3), np.nan)
    pts = np.empty((3, 3))
    for k in range(k_count):
        tk = t[k]
        if not (tk >= waypoint_t[0] and tk <= waypoint_t[-1]):
            continue
        leg = 0  # the last waypoint at or before tk, within the legs
        while leg + 1 < n_legs and waypoint_t[leg + 1] <= tk:
            leg += 1
        along = min(max((tk - waypoint_t[leg]) * speed[leg], 0.0), length[leg])
        ds = dt * speed[leg]
        lo, hi = max(along - ds, 0.0), min(along + ds, length[leg])
        for j, dist in enumerate((along, lo, hi)):
            p_lat, p_lon = destination_one(lat[leg], lon[leg], azimuth[leg], dist, radius)
            frac = dist / length[leg] if length[leg] > 0.0 else 1.0
            p_alt = alt[leg] + frac * (alt[leg + 1] - alt[leg])
            if j == 0:
                geo[0, k], geo[1, k], geo[2, k] = p_lat, p_lon, p_alt
            pts[j, 0], pts[j, 1], pts[j, 2] = geodetic_to_ecef_point(p_lat, p_lon, p_alt, a, e2)
        span = (hi - lo) / speed[leg] if hi > lo else 1.0
        for i in range(3):
            pos[k, i] = pts[0, i]
            vel[k, i] = (pts[2, i] - pts[1, i]) / span
    return geo, pos, vel
