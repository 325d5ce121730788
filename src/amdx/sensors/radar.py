"""`Radar`: a ground radar (early-warning or fire-control) that turns ground truth into detections.

One `scan(t_s, ...)` is one look at every target, all at the scan time: a rotating radar is modelled as one
snapshot per revisit (the engine calls `scan` every `revisit_s`; the beam's sweep within a revisit is not
modelled), a sector radar likewise. A scan:

1. Geometry: slant range, azimuth and elevation of each target at the site (geometric, east-north-up at the
   site; `amdx.sensors.polar`). A target is in view when 0 < range ≤ instrumented range, its azimuth is inside
   the field of view centred on the boresight (all azimuths when the field is 360°), its elevation is inside
   [elevation_min, elevation_max], and it is above the 4/3-Earth radar horizon (`amdx.sensors.horizon`).
2. Detection: single-look SNR by the reference-range form of the radar equation
   (`amdx.sensors.radar_equation`) from the target's RCS; Pd by the radar's detection model
   (`amdx.sensors.detection`; 'swerling1' by default since the catalog does not name one); a Bernoulli draw
   per target in view.
3. Measurement: true range/azimuth/elevation plus independent Gaussian errors of the type's sigmas; range
   rate (the line-of-sight component of the Earth-relative velocity, the site being fixed on the Earth) plus
   Gaussian error when a range-rate sigma is given. Each measurement is converted to ECEF with its linearised
   3×3 covariance (no debiasing; see `amdx.sensors.polar` for why).
4. False alarms: a Poisson count per scan with mean Pfa × N_cells, where N_cells is the number of resolution
   cells searched, (instrumented range / range cell) × (azimuth field / beamwidth) × (elevation span /
   beamwidth), the type's Pfa being "per resolution cell and look". They are placed uniformly over the cells,
   i.e. uniform in range, azimuth and elevation of the searched sector, and carry no extra noise. Their SNR is
   the threshold-crossing estimate of a square-law detector: noise power over threshold T = −ln Pfa is
   T + Exp(1) (memoryless), SNR ≈ that − 1. Their range rate (if measured) is uniform in
   ±`range_rate_limit_mps`.

Reports are sorted by measured azimuth (as a sweep would report them) so their order says nothing about
which are false alarms. The RNG (a `numpy.random.Generator`, the sensor's own stream) is passed in; the draws
of a scan come in a fixed order: detection uniforms, measurement noise, range-rate noise, false-alarm count,
false-alarm positions, false-alarm SNR, false-alarm range rate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

from amdx.geo import MEAN_EARTH_RADIUS_M, WGS84, EarthModel, geodetic_to_ecef
from amdx.scenario.catalog_models import RadarType
from amdx.scenario.models import Sensor
from amdx.sensors.detection import DETECTION_MODELS, DetectionModel, detection_probability
from amdx.sensors.detections import Detections
from amdx.sensors.horizon import K_FACTOR, line_of_sight
from amdx.sensors.polar import convert_polar, enu_rotation, polar_from_ecef
from amdx.sensors.polar_kernels import view_mask
from amdx.sensors.radar_equation import snr_reference_db

__all__ = ["Radar"]

_TWO_PI = 2.0 * np.pi
_HORIZON_CHECK_BELOW_RAD = np.radians(1.0)


@dataclass(frozen=True, eq=False)
class Radar:
    """A ground radar at a site, of a catalog `RadarType`, with the parameters the catalog does not declare.

    Attributes:
        sensor_id: scenario id of the sensor, copied into its `Detections`.
        lat_deg, lon_deg, alt_m: geodetic site (WGS84 by default), deg, deg, m above the ellipsoid.
        boresight_deg: centre of the azimuth field of view, deg clockwise from north.
        radar_type: the catalog type (range, revisit, field of view, reference SNR, Pfa, noise sigmas).
        detection_model: 'swerling1' (default), 'albersheim' or 'swerling0' (not in the catalog yet).
        n_pulses: pulses integrated non-coherently per look (1 for 'swerling1').
        range_rate_sigma_mps: range-rate error sigma, m/s; None: range rate is not measured.
        range_rate_limit_mps: false-alarm range rates are uniform in ±this, m/s.
        range_cell_m: range resolution cell, m (for the false-alarm cell count).
        beamwidth_deg: beamwidth in azimuth and in elevation, deg (for the false-alarm cell count).
        false_alarms: False turns false alarms off.
        k_factor: effective-Earth-radius factor of the horizon model.
        horizon_radius_m: Earth radius of the horizon model, m.
        earth: Earth model of the site's geodetic coordinates and of target altitudes.
    """

    sensor_id: str
    lat_deg: float
    lon_deg: float
    alt_m: float
    boresight_deg: float
    radar_type: RadarType
    detection_model: DetectionModel = "swerling1"
    n_pulses: int = 1
    range_rate_sigma_mps: float | None = None
    range_rate_limit_mps: float = 5000.0
    range_cell_m: float = 150.0
    beamwidth_deg: float = 2.0
    false_alarms: bool = True
    k_factor: float = K_FACTOR
    horizon_radius_m: float = MEAN_EARTH_RADIUS_M
    earth: EarthModel = WGS84
    site_ecef_m: NDArray[np.float64] = field(init=False, repr=False)
    rot_enu: NDArray[np.float64] = field(init=False, repr=False)
    sigmas: NDArray[np.float64] = field(init=False, repr=False)
    """Measurement error sigmas [range m, azimuth rad, elevation rad]."""

    def __post_init__(self) -> None:
        if self.detection_model not in DETECTION_MODELS:
            raise ValueError(f"{self.sensor_id}: unknown detection model {self.detection_model!r}; "
                             f"expected one of {', '.join(DETECTION_MODELS)}")
        if self.n_pulses < 1 or (self.detection_model == "swerling1" and self.n_pulses != 1):
            raise ValueError(f"{self.sensor_id}: n_pulses={self.n_pulses} is not valid for "
                             f"{self.detection_model!r}")
        # the model must accept the type's Pfa (Albersheim stops at 1e-3): fail at construction, not mid-run
        try:
            detection_probability(0.0, self.radar_type.false_alarm_probability, self.detection_model,
                                  self.n_pulses)
        except ValueError as exc:
            raise ValueError(f"{self.sensor_id}: {exc}") from exc
        if self.range_cell_m <= 0.0 or self.beamwidth_deg <= 0.0:
            raise ValueError(f"{self.sensor_id}: range_cell_m and beamwidth_deg must be positive")
        if self.range_rate_sigma_mps is not None and self.range_rate_sigma_mps < 0.0:
            raise ValueError(f"{self.sensor_id}: range_rate_sigma_mps must be >= 0")
        site = np.array(geodetic_to_ecef(self.lat_deg, self.lon_deg, self.alt_m, self.earth), dtype=float)
        rot = enu_rotation(self.lat_deg, self.lon_deg)
        t = self.radar_type
        sigmas = np.array([t.range_sigma_m, t.azimuth_sigma_rad, t.elevation_sigma_rad])
        for name, value in (("site_ecef_m", site), ("rot_enu", rot), ("sigmas", sigmas)):
            value.setflags(write=False)
            object.__setattr__(self, name, value)

    @classmethod
    def from_sensor(cls, sensor: Sensor, radar_type: RadarType, **options: object) -> Radar:
        """A radar at a scenario sensor site; `options` are the keyword attributes the catalog lacks."""
        return cls(sensor.id, sensor.lat_deg, sensor.lon_deg, sensor.alt_m, sensor.boresight_deg, radar_type,
                   **options)  # type: ignore[arg-type]

    @property
    def boresight_rad(self) -> float:
        """Boresight azimuth, rad clockwise from north."""
        return float(np.radians(self.boresight_deg))

    @property
    def resolution_cells(self) -> float:
        """Resolution cells searched per scan (see the module docstring)."""
        t = self.radar_type
        elevation_span = t.elevation_max_deg - t.elevation_min_deg
        return (t.instrumented_range_m / self.range_cell_m) * (t.azimuth_fov_deg / self.beamwidth_deg) \
            * (elevation_span / self.beamwidth_deg)

    @property
    def half_view_rad(self) -> float:
        """Half the azimuth sector in view, rad; inf for an all-round radar (no sector test)."""
        t = self.radar_type
        return 0.5 * t.azimuth_fov_rad if t.azimuth_fov_deg < 360.0 else math.inf

    @property
    def false_alarm_mean(self) -> float:
        """Expected false alarms per scan: Pfa × resolution cells (0 when false alarms are off)."""
        return self.radar_type.false_alarm_probability * self.resolution_cells if self.false_alarms else 0.0

    def in_view(self, truth_ecef_m: ArrayLike) -> tuple[NDArray[np.bool_], NDArray[np.float64]]:
        """(mask (m,), true polar (m, 3)) of targets (m, 3) in ECEF, m: inside range, field of view and
        elevation limits and above the radar horizon."""
        p = np.asarray(truth_ecef_m, dtype=np.float64).reshape(-1, 3)
        t = self.radar_type
        polar = polar_from_ecef(p, self.site_ecef_m, self.rot_enu)
        mask = view_mask(polar, t.instrumented_range_m, t.elevation_min_rad, t.elevation_max_rad,
                         self.boresight_rad, self.half_view_rad)
        el = polar[:, 2]
        # a target well above the local horizontal is above the horizon too (the ray climbs away from the
        # Earth); only the others need the 4/3-Earth test (a large saving for ballistic targets)
        idx = np.flatnonzero(mask & (el < _HORIZON_CHECK_BELOW_RAD))
        if idx.size:
            seen = line_of_sight(self.site_ecef_m, p[idx], self.k_factor, self.horizon_radius_m, self.earth)
            mask[idx[~seen]] = False
        return mask, polar

    def scan(self, t_s: float, truth_ecef_m: ArrayLike, truth_vel_ecef_mps: ArrayLike | None,
             rcs_m2: ArrayLike, rng: np.random.Generator) -> Detections:
        """One look at every target at time `t_s` (s).

        Args:
            t_s: scan time, s since scenario start.
            truth_ecef_m: (m, 3) true target positions, ECEF m.
            truth_vel_ecef_mps: (m, 3) true Earth-relative velocities, ECEF m/s (may be None when the radar
                does not measure range rate).
            rcs_m2: (m,) or scalar radar cross-sections, m².
            rng: the sensor's random stream.
        """
        if self.range_rate_sigma_mps is not None and truth_vel_ecef_mps is None:
            raise ValueError(f"{self.sensor_id}: measures range rate, so scan() needs truth velocities")
        t = self.radar_type
        p = np.asarray(truth_ecef_m, dtype=np.float64).reshape(-1, 3)
        rcs = np.broadcast_to(np.asarray(rcs_m2, dtype=np.float64), (len(p),))
        mask, polar = self.in_view(p)
        idx = np.flatnonzero(mask)
        snr_db = snr_reference_db(polar[idx, 0], rcs[idx], reference_range_m=t.reference_range_m,
                                  reference_snr_db=t.reference_snr_db, reference_rcs_m2=t.reference_rcs_m2)
        pd = detection_probability(snr_db, t.false_alarm_probability, self.detection_model, self.n_pulses)
        hit = rng.random(idx.size) < pd
        det, snr_db = idx[hit], np.asarray(snr_db)[hit]
        z = polar[det] + rng.standard_normal((det.size, 3)) * self.sigmas
        z[:, 1] = np.mod(z[:, 1], _TWO_PI)

        rr = None
        if self.range_rate_sigma_mps is not None:
            v = np.asarray(truth_vel_ecef_mps, dtype=np.float64).reshape(-1, 3)[det]
            los = (p[det] - self.site_ecef_m) / polar[det, :1]
            rr = np.einsum("ij,ij->i", los, v) + self.range_rate_sigma_mps * rng.standard_normal(det.size)

        z_fa, snr_fa, rr_fa = self._false_alarms(rng)
        z_all = np.concatenate([z, z_fa])
        order = np.argsort(z_all[:, 1], kind="stable")
        z_all = z_all[order]
        truth_index = np.concatenate([det, np.full(len(z_fa), -1, dtype=np.int64)])[order]
        z_ecef, r_ecef = convert_polar(z_all, self.sigmas, self.site_ecef_m, self.rot_enu)
        return Detections(
            sensor_id=self.sensor_id,
            t_s=float(t_s),
            z_polar=z_all,
            z_ecef_m=z_ecef,
            R_ecef=r_ecef,
            snr_db=np.concatenate([snr_db, snr_fa])[order],
            truth_index=truth_index,
            range_rate_mps=None if rr is None else np.concatenate([rr, rr_fa])[order],
        )

    def _false_alarms(self, rng: np.random.Generator) -> tuple[NDArray, NDArray, NDArray]:
        """(polar (k, 3), snr_db (k,), range rate (k,)) of this scan's false alarms."""
        t = self.radar_type
        k = int(rng.poisson(self.false_alarm_mean)) if self.false_alarms else 0
        r = rng.uniform(0.0, t.instrumented_range_m, k)
        half = 0.5 * t.azimuth_fov_rad
        az = np.mod(self.boresight_rad + rng.uniform(-half, half, k), _TWO_PI)
        el = rng.uniform(t.elevation_min_rad, t.elevation_max_rad, k)
        power = -np.log(t.false_alarm_probability) + rng.standard_exponential(k)
        snr_db = 10.0 * np.log10(np.maximum(power - 1.0, 1e-12))
        rr = rng.uniform(-self.range_rate_limit_mps, self.range_rate_limit_mps, k) \
            if self.range_rate_sigma_mps is not None else np.zeros(k)
        return np.stack([r, az, el], axis=-1), snr_db, rr
