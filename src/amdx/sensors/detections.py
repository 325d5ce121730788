"""`Detections`: what one radar scan reports (a frozen value type of read-only arrays)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = ["Detections"]


@dataclass(frozen=True, eq=False)
class Detections:
    """The reports of one radar scan, n of them (targets detected and false alarms), in a stable order.

    Attributes:
        sensor_id: the reporting sensor's scenario id.
        t_s: scan time, s since scenario start (every report of a scan has this time).
        z_polar: (n, 3) measured [range m, azimuth rad in [0, 2π) clockwise from north, elevation rad] at the
            site.
        z_ecef_m: (n, 3) the measurements converted to ECEF, m.
        R_ecef: (n, 3, 3) covariance of z_ecef_m, m² (linearised conversion; see `amdx.sensors.polar`).
        snr_db: (n,) single-look SNR, dB: the model SNR for a target, the threshold-crossing estimate for a
            false alarm.
        truth_index: (n,) index of the detected target in the scan's truth arrays, −1 for a false alarm. An
            evaluation label for the controller only: trackers and nations must not read it.
        range_rate_mps: (n,) measured range rate, m/s (positive opening), or None when the radar does not
            measure it.
    """

    sensor_id: str
    t_s: float
    z_polar: NDArray[np.float64]
    z_ecef_m: NDArray[np.float64]
    R_ecef: NDArray[np.float64]
    snr_db: NDArray[np.float64]
    truth_index: NDArray[np.int64]
    range_rate_mps: NDArray[np.float64] | None = None

    def __post_init__(self) -> None:
        for name in ("z_polar", "z_ecef_m", "R_ecef", "snr_db", "truth_index", "range_rate_mps"):
            value = getattr(self, name)
            if value is not None:
                value = np.array(value, dtype=np.int64 if name == "truth_index" else np.float64)
                value.setflags(write=False)
                object.__setattr__(self, name, value)
        n = len(self.truth_index)
        shapes = {"z_polar": (n, 3), "z_ecef_m": (n, 3), "R_ecef": (n, 3, 3), "snr_db": (n,)}
        if self.range_rate_mps is not None:
            shapes["range_rate_mps"] = (n,)
        for name, shape in shapes.items():
            if getattr(self, name).shape != shape:
                raise ValueError(f"Detections.{name} has shape {getattr(self, name).shape}, expected {shape}")

    def __len__(self) -> int:
        return len(self.truth_index)

    @property
    def is_false_alarm(self) -> NDArray[np.bool_]:
        """(n,) True for false alarms (evaluation label, controller only)."""
        return self.truth_index < 0
