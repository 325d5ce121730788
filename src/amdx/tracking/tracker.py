"""Multi-target tracker of one sensor: batched EKF, GNN association, M-of-N confirmation, deletion and
classification.

`Tracker` is a `TrackerBank` of one sensor (`amdx.tracking.bank` describes every step of a scan): all tracks live
in a few arrays, ordered by id = creation order, and share one state time; every `step(t_s, z, R)` predicts all
of them to t_s, associates the scan, updates, and manages tracks, with no Python loop over tracks or
measurements. Frames and units: ECEF (WGS84 by default), m, m/s, s. Deterministic: the result depends only on
the inputs and their order; ids are consecutive integers from `first_id`, never reused.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from amdx.tracking.bank import TrackerBank
from amdx.tracking.models import MotionModel
from amdx.tracking.track_types import (
    Associator,
    Classification,
    StepReport,
    TrackerConfig,
    TrackFilter,
    TrackStatus,
    TrackTable,
)

__all__ = ["Classification", "StepReport", "TrackStatus", "TrackTable", "Tracker", "TrackerConfig"]


class Tracker:
    """Batched multi-target tracker of one sensor (see the module docstring). Collaborators are passed in; None
    gives the defaults `BatchEKF()` and `GnnAssociator()`."""

    def __init__(self, config: TrackerConfig | None = None, track_filter: TrackFilter | None = None,
                 associator: Associator | None = None):
        self._bank = TrackerBank([config if config is not None else TrackerConfig()], track_filter, associator)

    @property
    def config(self) -> TrackerConfig:
        return self._bank.configs[0]

    @property
    def filter(self) -> TrackFilter:
        return self._bank.filter

    @property
    def associator(self) -> Associator:
        return self._bank.associator

    @property
    def t_s(self) -> float | None:
        """Time of the track states, s (None before the first scan)."""
        return self._bank.t_s(0)

    def __len__(self) -> int:
        return len(self._bank)

    def step(self, t_s: float, z: ArrayLike, R: ArrayLike) -> StepReport:
        """Process one scan at t_s (s): measured positions z (n, 3), covariances R (n, 3, 3); ECEF m, m²."""
        n = np.asarray(z).reshape(-1, 3).shape[0]
        r = self._bank.step(t_s, [0], z, R, np.zeros(n, np.int64))
        return StepReport(t_s=r.t_s, track_of_measurement=r.track_of_measurement, nis=r.nis, new_ids=r.new_ids,
                          new_from_measurement=r.new_from_measurement, confirmed_ids=r.confirmed_ids,
                          deleted_ids=r.deleted_ids, ballistic_ids=r.ballistic_ids)

    def seed(self, t_s: float, x: ArrayLike, P: ArrayLike, *,
             model: ArrayLike = MotionModel.CONSTANT_VELOCITY, confirmed: bool = True) -> NDArray[np.int64]:
        """Add tracks with known states x (k, 6) and covariances P (k, 6, 6) at t_s (s), e.g. from a cue or a
        partner's track; existing tracks are predicted to t_s first (no look counted). Returns the new ids."""
        return self._bank.seed(0, t_s, x, P, model=model, confirmed=confirmed)

    def tracks(self) -> TrackTable:
        """Frozen snapshot of every track (copies)."""
        return self._bank.tracks(0)
