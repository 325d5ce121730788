"""Notional space-based launch warning: sees boosting missiles anywhere, late and imprecisely.

Model (notional, textbook-generic):

- The sensor looks at the whole theatre once per revisit (the engine calls `scan` every `revisit_s`). A report
  issued at time t rests on a look at the plume made `detection_delay_s` earlier, so a threat is reported at t
  when launch_t + delay ≤ t ≤ burnout_t + delay: never sooner than the delay after launch, and only for looks
  made during boost. A boost shorter than the revisit may fall between two looks and go unreported.
- Each report gives the launch point with a horizontal error: east and north offsets in the tangent plane at
  the true launch point, each Gaussian with sigma `launch_position_sigma_m` (so the radial error has RMS σ√2),
  reported on the ellipsoid at the launch point's altitude; and the heading (azimuth of the ground track, rad
  clockwise from north) with a Gaussian error of sigma `launch_azimuth_sigma_deg`. Every report draws fresh,
  independent errors (no per-threat bias).
- It does not report the launch time, burnout or any state vector: it cues the radars.

Pure; the RNG (the sensor's own stream) is passed in. Draw order per scan: position errors (k, 2), then
heading errors (k,), for the k reported threats in index order.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from amdx.geo import WGS84, EarthModel, ecef_to_geodetic, enu_basis, geodetic_to_ecef
from amdx.scenario.catalog_models import SpaceWarningType

__all__ = ["LaunchWarning", "SpaceWarningSensor"]

_TWO_PI = 2.0 * np.pi


@dataclass(frozen=True, eq=False)
class LaunchWarning:
    """One launch-warning report on one boosting threat.

    Attributes:
        sensor_id: the reporting sensor's scenario id.
        t_s: report time, s since scenario start.
        threat_index: index of the threat in the scan's truth arrays (evaluation label, controller only).
        launch_ecef_m: (3,) reported launch point, ECEF m (read-only).
        launch_lat_deg, launch_lon_deg: reported launch point, geodetic deg.
        heading_rad: reported launch azimuth, rad clockwise from north in [0, 2π).
        position_sigma_m: 1σ error of the launch point per horizontal axis (east, north), m.
        heading_sigma_rad: 1σ error of the heading, rad.
    """

    sensor_id: str
    t_s: float
    threat_index: int
    launch_ecef_m: NDArray[np.float64]
    launch_lat_deg: float
    launch_lon_deg: float
    heading_rad: float
    position_sigma_m: float
    heading_sigma_rad: float


@dataclass(frozen=True)
class SpaceWarningSensor:
    """A space-based launch-warning sensor of a catalog `SpaceWarningType` (see the module docstring)."""

    sensor_id: str
    warning_type: SpaceWarningType
    earth: EarthModel = WGS84

    def reported(self, t_s: float, launch_t_s: ArrayLike, burnout_t_s: ArrayLike) -> NDArray[np.bool_]:
        """(m,) True for the threats a scan at `t_s` reports: launch + delay ≤ t_s ≤ burnout + delay (s)."""
        delay = self.warning_type.detection_delay_s
        launch = np.atleast_1d(np.asarray(launch_t_s, dtype=np.float64))
        burnout = np.atleast_1d(np.asarray(burnout_t_s, dtype=np.float64))
        return (launch + delay <= t_s) & (t_s <= burnout + delay)

    def scan(self, t_s: float, launch_t_s: ArrayLike, burnout_t_s: ArrayLike, launch_ecef_m: ArrayLike,
             heading_rad: ArrayLike, rng: np.random.Generator) -> tuple[LaunchWarning, ...]:
        """Launch warnings issued at `t_s` (s) on the m ballistic threats described by their true launch times
        (m,) s, burnout times (m,) s, launch points (m, 3) ECEF m and launch headings (m,) rad clockwise from
        north. Threats not launched yet or long past burnout are simply not reported."""
        wt = self.warning_type
        idx = np.flatnonzero(self.reported(t_s, launch_t_s, burnout_t_s))
        points = np.asarray(launch_ecef_m, dtype=np.float64).reshape(-1, 3)[idx]
        heading = np.atleast_1d(np.asarray(heading_rad, dtype=np.float64))[idx]
        d_en = rng.standard_normal((idx.size, 2)) * wt.launch_position_sigma_m
        d_heading = rng.standard_normal(idx.size) * wt.launch_azimuth_sigma_rad
        if idx.size == 0:
            return ()
        lat, lon, alt = ecef_to_geodetic(points, self.earth)
        east, north, _up = enu_basis(lat, lon)
        moved = points + d_en[:, :1] * east + d_en[:, 1:] * north
        rep_lat, rep_lon, _alt = ecef_to_geodetic(moved, self.earth)
        rep_ecef = geodetic_to_ecef(rep_lat, rep_lon, alt, self.earth)
        rep_heading = np.mod(heading + d_heading, _TWO_PI)
        warnings = []
        for k, i in enumerate(idx):
            point = np.array(rep_ecef[k])
            point.setflags(write=False)
            warnings.append(LaunchWarning(
                self.sensor_id, float(t_s), int(i), point, float(rep_lat[k]), float(rep_lon[k]),
                float(rep_heading[k]), wt.launch_position_sigma_m, wt.launch_azimuth_sigma_rad,
            ))
        return tuple(warnings)
