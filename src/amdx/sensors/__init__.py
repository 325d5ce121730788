"""Sensor models: ground radars (range equation → SNR → Pd, 4/3-Earth horizon, field of view, noise, false
alarms) and notional space-based launch warning. Pure and vectorised; each sensor's RNG is passed in."""

from amdx.sensors.detection import (
    DetectionModel,
    albersheim_pd,
    albersheim_snr_db,
    detection_probability,
    swerling0_pd,
    swerling1_pd,
    swerling1_snr_db,
)
from amdx.sensors.detections import Detections
from amdx.sensors.horizon import clears_effective_earth, horizon_distance_m, line_of_sight
from amdx.sensors.polar import (
    convert_polar,
    enu_rotation,
    polar_covariance_ecef,
    polar_from_ecef,
    polar_to_ecef,
)
from amdx.sensors.radar import Radar
from amdx.sensors.radar_batch import RadarNetwork, RadarScans, scan_radars
from amdx.sensors.radar_equation import (
    peak_power_for_snr_w,
    range_for_snr_m,
    snr_energy,
    snr_energy_db,
    snr_reference,
    snr_reference_db,
)
from amdx.sensors.space_warning import LaunchWarning, SpaceWarningSensor

__all__ = [
    "DetectionModel",
    "Detections",
    "LaunchWarning",
    "Radar",
    "RadarNetwork",
    "RadarScans",
    "SpaceWarningSensor",
    "albersheim_pd",
    "albersheim_snr_db",
    "clears_effective_earth",
    "convert_polar",
    "detection_probability",
    "enu_rotation",
    "horizon_distance_m",
    "line_of_sight",
    "peak_power_for_snr_w",
    "polar_covariance_ecef",
    "polar_from_ecef",
    "polar_to_ecef",
    "range_for_snr_m",
    "scan_radars",
    "snr_energy",
    "snr_energy_db",
    "snr_reference",
    "snr_reference_db",
    "swerling0_pd",
    "swerling1_pd",
    "swerling1_snr_db",
]
