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
    destination_point,
    geodetic_to_ecef,
    great_circle_distance_m,
    initial_azimuth_deg,
)

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

    def _leg(self, t: _Array) -> tuple[_Array, _Array, _Array]:
        """(leg index, distance along leg m, inside-flight mask) for times t."""
        inside = (t >= self.t0_s) & (t <= self.end_t_s)
        leg = np.clip(np.searchsorted(self.waypoint_t_s, t, side="right") - 1, 0, self.leg_length_m.size - 1)
        tt = np.where(inside, t, self.t0_s)
        along = np.clip((tt - self.waypoint_t_s[leg]) * self.speed_mps[leg], 0.0, self.leg_length_m[leg])
        return leg, along, inside

    def _geodetic_at(self, leg: _Array, along: _Array) -> tuple[_Array, _Array, _Array]:
        lat, lon = destination_point(self.lat_deg[leg], self.lon_deg[leg], self.leg_azimuth_deg[leg], along,
                                     self.radius_m)
        length = self.leg_length_m[leg]
        frac = np.divide(along, length, out=np.ones_like(along), where=length > 0.0)
        alt = self.alt_m[leg] + frac * (self.alt_m[leg + 1] - self.alt_m[leg])
        return np.asarray(lat), np.asarray(lon), alt

    def geodetic(self, t_s: ArrayLike) -> tuple[_Array, _Array, _Array]:
        """(lat_deg, lon_deg, alt_m) at times t_s (any shape); NaN before t0 and after the end."""
        t = np.asarray(t_s, dtype=np.float64)
        leg, along, inside = self._leg(t)
        lat, lon, alt = self._geodetic_at(leg, along)
        return np.where(inside, lat, np.nan), np.where(inside, lon, np.nan), np.where(inside, alt, np.nan)

    def position_ecef(self, t_s: ArrayLike) -> _Array:
        """ECEF position (..., 3), m, at times t_s; NaN before t0 and after the end."""
        t = np.asarray(t_s, dtype=np.float64)
        leg, along, inside = self._leg(t)
        pos = geodetic_to_ecef(*self._geodetic_at(leg, along), self.earth)
        return np.where(inside[..., None], pos, np.nan)

    def velocity_ecef(self, t_s: ArrayLike, dt_s: float = 1e-3) -> _Array:
        """ECEF velocity (..., 3), m/s (Earth-relative), by a central difference of ±dt_s within the current
        leg (one-sided at its ends); NaN outside the flight."""
        t = np.asarray(t_s, dtype=np.float64)
        leg, along, inside = self._leg(t)
        ds = dt_s * self.speed_mps[leg]
        lo = np.maximum(along - ds, 0.0)
        hi = np.minimum(along + ds, self.leg_length_m[leg])
        p_lo = geodetic_to_ecef(*self._geodetic_at(leg, lo), self.earth)
        p_hi = geodetic_to_ecef(*self._geodetic_at(leg, hi), self.earth)
        span = np.where(hi > lo, (hi - lo) / self.speed_mps[leg], 1.0)
        vel = (p_hi - p_lo) / span[..., None]
        return np.where(inside[..., None], vel, np.nan)

    def state_ecef(self, t_s: ArrayLike, dt_s: float = 1e-3) -> tuple[_Array, _Array]:
        """ECEF position (..., 3), m, and velocity (..., 3), m/s, at times t_s in one evaluation (the velocity as
        in `velocity_ecef`); NaN outside the flight. Results at a single time are memoised and read-only."""
        if np.size(t_s) != 1:
            return self._state_ecef(t_s, dt_s)
        key = (float(np.asarray(t_s, dtype=np.float64).reshape(())), float(dt_s))
        return self._memo.get(key, lambda: self._state_ecef(t_s, dt_s))

    def _state_ecef(self, t_s: ArrayLike, dt_s: float) -> tuple[_Array, _Array]:
        t = np.asarray(t_s, dtype=np.float64)
        leg, along, inside = self._leg(t)
        ds = dt_s * self.speed_mps[leg]
        lo = np.maximum(along - ds, 0.0)
        hi = np.minimum(along + ds, self.leg_length_m[leg])
        legs = np.stack([leg, leg, leg])
        p, p_lo, p_hi = geodetic_to_ecef(*self._geodetic_at(legs, np.stack([along, lo, hi])), self.earth)
        span = np.where(hi > lo, (hi - lo) / self.speed_mps[leg], 1.0)
        vel = (p_hi - p_lo) / span[..., None]
        return np.where(inside[..., None], p, np.nan), np.where(inside[..., None], vel, np.nan)
