"""The vocabulary of the local trackers: track status and classification codes, the track-management
parameters (`TrackerConfig`), what a scan step did (`StepReport`), a snapshot of tracks (`TrackTable`), and what
a tracker needs from its filter and associator."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Protocol

import numpy as np
from numpy.typing import ArrayLike, NDArray

from amdx.geo import WGS84, EarthModel
from amdx.tracking.association import Association
from amdx.tracking.filters import UpdateResult

_Array = NDArray[np.float64]
_Ids = NDArray[np.int64]


class TrackStatus(IntEnum):
    """Track status code."""

    TENTATIVE = 0
    CONFIRMED = 1


class Classification(IntEnum):
    """Kinematic classification code."""

    UNKNOWN = 0
    AIR_BREATHING = 1
    BALLISTIC = 2


class TrackFilter(Protocol):
    """What the tracker needs from a filter (see `BatchEKF`)."""

    def predict(self, x: ArrayLike, P: ArrayLike, model: ArrayLike,
                dt_s: ArrayLike) -> tuple[_Array, _Array]: ...

    def predict_rows(self, x: _Array, P: _Array, model: NDArray[np.int8], rows: ArrayLike,
                     dt_s: ArrayLike) -> None: ...

    def update(self, x: ArrayLike, P: ArrayLike, z: ArrayLike, R: ArrayLike) -> UpdateResult: ...

    def update_rows(self, x: _Array, P: _Array, rows: ArrayLike, z: ArrayLike, R: ArrayLike,
                    meas: ArrayLike) -> None: ...


class Associator(Protocol):
    """What the tracker needs from an associator (see `GnnAssociator`)."""

    def associate(self, pred_pos: ArrayLike, pred_pos_cov: ArrayLike, z: ArrayLike, R: ArrayLike,
                  track_group: ArrayLike | None = None, meas_group: ArrayLike | None = None) -> Association: ...


@dataclass(frozen=True)
class TrackerConfig:
    """Track management parameters.

    Attributes:
        confirm_m, confirm_n: M-of-N confirmation (1 ≤ M ≤ N ≤ 16).
        max_coast_s: delete a track not updated for longer than this, s.
        max_position_sigma_m: delete a confirmed track whose √tr(Pₚ) exceeds this, m.
        init_velocity_sigma_mps: velocity standard deviation per axis of a new track, m/s (its second
            measurement is gated to speeds up to about 3.4× this value at the 99 % gate).
        classify_max_velocity_sigma_mps: classify only tracks whose RMS velocity sigma per axis is below, m/s.
        ballistic_altitude_m: geodetic altitude above which a track is ballistic, m.
        ballistic_speed_mps: Earth-relative speed above which a track is ballistic, m/s.
        ballistic_vertical_speed_mps: |vertical speed| above which a track is ballistic, m/s.
        switch_velocity_sigma_mps: velocity standard deviation per axis added when a track switches to the
            ballistic model, m/s: its constant-velocity estimate lags the gravity it did not model.
        first_id: id of the first track.
        confirmed_first: associate confirmed tracks before tentative ones (else all in one GNN problem).
        earth: Earth model for the geodetic altitude and local vertical of the classification.
    """

    confirm_m: int = 3
    confirm_n: int = 5
    max_coast_s: float = 30.0
    max_position_sigma_m: float = 5_000.0
    init_velocity_sigma_mps: float = 1_000.0
    classify_max_velocity_sigma_mps: float = 100.0
    ballistic_altitude_m: float = 30_000.0
    ballistic_speed_mps: float = 1_200.0
    ballistic_vertical_speed_mps: float = 300.0
    switch_velocity_sigma_mps: float = 30.0
    first_id: int = 1
    confirmed_first: bool = True
    earth: EarthModel = WGS84

    def __post_init__(self) -> None:
        if not 1 <= self.confirm_m <= self.confirm_n <= 16:
            raise ValueError(f"need 1 <= confirm_m <= confirm_n <= 16, found M={self.confirm_m}, "
                             f"N={self.confirm_n}")
        for name in ("max_coast_s", "max_position_sigma_m", "init_velocity_sigma_mps",
                     "classify_max_velocity_sigma_mps", "ballistic_altitude_m", "ballistic_speed_mps",
                     "ballistic_vertical_speed_mps"):
            if not getattr(self, name) > 0.0:
                raise ValueError(f"{name} must be > 0, found {getattr(self, name)}")


def read_only(a: ArrayLike, dtype: type | None = None) -> np.ndarray:
    out = np.array(a, dtype=dtype)
    out.flags.writeable = False
    return out


@dataclass(frozen=True, eq=False)
class StepReport:
    """What one `Tracker.step` did (read-only arrays).

    Attributes:
        t_s: scan time, s.
        track_of_measurement: (n,) id of the existing track each measurement updated, -1 if none.
        nis: (n,) normalised innovation squared of each update, NaN if none.
        new_ids: ids of the tracks initiated this scan, in measurement order.
        new_from_measurement: (len(new_ids),) index of the measurement that started each new track.
        confirmed_ids: tracks confirmed this scan.
        deleted_ids: tracks deleted this scan (tentative, stale or too uncertain).
        ballistic_ids: tracks classified ballistic this scan (now on the ballistic model).
    """

    t_s: float
    track_of_measurement: _Ids
    nis: _Array
    new_ids: _Ids
    new_from_measurement: NDArray[np.intp]
    confirmed_ids: _Ids
    deleted_ids: _Ids
    ballistic_ids: _Ids


@dataclass(frozen=True, eq=False)
class TrackTable:
    """Snapshot of all tracks at time `t_s` (read-only arrays, ordered by id).

    Attributes:
        t_s: time of the states, s (None before the first scan).
        ids: (k,) track ids.
        state: (k, 6) [x y z vx vy vz], ECEF m, m/s.
        cov: (k, 6, 6) covariances.
        model: (k,) `MotionModel` codes.
        status: (k,) `TrackStatus` codes.
        classification: (k,) `Classification` codes.
        hits: (k,) number of updates; looks: (k,) number of scans seen.
        first_t_s: (k,) time of creation, s; last_update_t_s: (k,) time of the last update, s.
    """

    t_s: float | None
    ids: _Ids
    state: _Array
    cov: _Array
    model: NDArray[np.int8]
    status: NDArray[np.int8]
    classification: NDArray[np.int8]
    hits: NDArray[np.int32]
    looks: NDArray[np.int32]
    first_t_s: _Array
    last_update_t_s: _Array

    def __len__(self) -> int:
        return int(self.ids.shape[0])

    def index(self, track_id: int) -> int:
        """Row of a track id; raises KeyError when absent."""
        row = int(np.searchsorted(self.ids, track_id))
        if row >= len(self) or self.ids[row] != track_id:
            raise KeyError(f"no track with id {track_id}")
        return row


