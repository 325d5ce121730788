"""Multi-target tracker: batched EKF, GNN association, M-of-N confirmation, deletion and classification.

All tracks live in a few arrays (structure of arrays, ordered by id = creation order) and share one state
time: every `step(t_s, z, R)` predicts all of them to t_s, associates the scan, updates, and manages tracks,
with no Python loop over tracks or measurements. Frames and units: ECEF (WGS84 by default), m, m/s, s.

Per scan, in this order:
1. **Predict** every track to t_s with its own motion model (`BatchEKF.predict`).
2. **Associate** the scan (z (n, 3), R (n, 3, 3)) to the predicted positions (`GnnAssociator.associate`):
   confirmed tracks first, then tentative tracks with the measurements left over (`confirmed_first`), so
   that a young track cannot take an established track's measurement.
3. **Update** the assigned tracks (`BatchEKF.update`).
4. **Confirm** (M-of-N): every step is one look for every track; a tentative track is confirmed when at least
   M of its last N looks were hits (the initiating measurement is the first hit). A tentative track that can
   no longer reach M hits within its first N looks is deleted.
5. **Classify** confirmed tracks whose velocity is known to `classify_max_velocity_sigma_mps` (RMS per axis):
   ballistic when geodetic altitude, speed or |vertical speed| (along the ellipsoid normal, Earth-relative)
   exceeds its threshold, air-breathing otherwise. Ballistic is final and switches the track to the ballistic
   motion model (with `switch_velocity_sigma_mps` added to its velocity uncertainty, for the lag of the
   constant-velocity estimate behind the gravity it ignored); air-breathing is re-evaluated every scan.
6. **Delete** any track not updated for more than `max_coast_s`, and confirmed tracks whose position
   uncertainty √tr(Pₚ) (m) exceeds `max_position_sigma_m`.
7. **Initiate** a tentative track from each unassigned measurement, unless it lies in the associator's wider
   exclusion gate of a track updated on its previous look: most likely that track's own measurement, fallen
   just outside the assignment gate (a track that keeps missing lets a replacement start). Single-point
   initiation: position z with covariance R, velocity 0 with standard deviation `init_velocity_sigma_mps` per
   axis; after its second update this is the two-point (difference) initiation, weighted by the covariances.
   The track starts on the ballistic model when z is above `ballistic_altitude_m` (nothing air-breathing
   flies there, and a constant-velocity model would miss a missile's next detection by g·dt² ≈ 250 m at
   5 s), on the constant-velocity model otherwise.

Deterministic: the result depends only on the inputs and their order; ids are consecutive integers from
`first_id`, never reused.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Protocol

import numpy as np
from numpy.typing import ArrayLike, NDArray

from amdx.geo import WGS84, EarthModel, ecef_to_geodetic, enu_basis
from amdx.tracking.association import Association, GnnAssociator
from amdx.tracking.filters import BatchEKF, UpdateResult
from amdx.tracking.models import MotionModel

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

    def update(self, x: ArrayLike, P: ArrayLike, z: ArrayLike, R: ArrayLike) -> UpdateResult: ...


class Associator(Protocol):
    """What the tracker needs from an associator (see `GnnAssociator`)."""

    def associate(self, pred_pos: ArrayLike, pred_pos_cov: ArrayLike, z: ArrayLike,
                  R: ArrayLike) -> Association: ...


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


def _popcount16(v: NDArray[np.uint16]) -> NDArray[np.int64]:
    """Number of set bits of each 16-bit word (SWAR bit counting; numpy ≥ 2 has `bitwise_count`)."""
    w = v.astype(np.int64)
    w = w - ((w >> 1) & 0x5555)
    w = (w & 0x3333) + ((w >> 2) & 0x3333)
    w = (w + (w >> 4)) & 0x0F0F
    return (w + (w >> 8)) & 0x1F


def _remap(index: NDArray[np.intp], table: np.ndarray) -> np.ndarray:
    """table[index] where index >= 0, -1 elsewhere."""
    out = np.full(index.shape, -1, dtype=table.dtype if table.dtype.kind == "i" else np.intp)
    ok = index >= 0
    out[ok] = table[index[ok]]
    return out


def _ro(a: ArrayLike, dtype: type | None = None) -> np.ndarray:
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


class Tracker:
    """Batched multi-target tracker (see the module docstring). Collaborators are passed in; None gives the
    defaults `BatchEKF()` and `GnnAssociator()`."""

    def __init__(self, config: TrackerConfig | None = None, track_filter: TrackFilter | None = None,
                 associator: Associator | None = None):
        self.config = config if config is not None else TrackerConfig()
        self.filter: TrackFilter = track_filter if track_filter is not None else BatchEKF()
        self.associator: Associator = associator if associator is not None else GnnAssociator()
        self._t: float | None = None
        self._next_id = self.config.first_id
        self._ids = np.zeros(0, np.int64)
        self._x = np.zeros((0, 6))
        self._P = np.zeros((0, 6, 6))
        self._model = np.zeros(0, np.int8)
        self._status = np.zeros(0, np.int8)
        self._class = np.zeros(0, np.int8)
        self._hist = np.zeros(0, np.uint16)
        self._hits = np.zeros(0, np.int32)
        self._looks = np.zeros(0, np.int32)
        self._first_t = np.zeros(0)
        self._last_t = np.zeros(0)

    @property
    def t_s(self) -> float | None:
        """Time of the track states, s (None before the first scan)."""
        return self._t

    def __len__(self) -> int:
        return int(self._ids.shape[0])

    # --- public operations ----------------------------------------------------------------------------------
    def step(self, t_s: float, z: ArrayLike, R: ArrayLike) -> StepReport:
        """Process one scan at t_s (s): measured positions z (n, 3), covariances R (n, 3, 3); ECEF m, m²."""
        cfg = self.config
        t = float(t_s)
        zz = np.asarray(z, dtype=np.float64).reshape(-1, 3)
        rr = np.asarray(R, dtype=np.float64).reshape(-1, 3, 3)
        if rr.shape[0] != zz.shape[0]:
            raise ValueError(f"z has {zz.shape[0]} measurements but R has {rr.shape[0]} covariances")
        if not (np.isfinite(zz).all() and np.isfinite(rr).all()):
            raise ValueError("measurements and covariances must be finite")
        self._advance(t)
        x, P = self._x, self._P
        mot, tom, d2, near = self._associate(zz, rr)
        was_hit = (self._hist & np.uint16(1)).astype(bool)  # each track's previous look
        excluded = _remap(near, was_hit.astype(np.intp)) > 0
        upd = np.flatnonzero(mot >= 0)
        if upd.size:
            res = self.filter.update(x[upd], P[upd], zz[mot[upd]], rr[mot[upd]])
            x[upd], P[upd] = res.x, res.P
        hit = mot >= 0
        window = np.uint16((1 << cfg.confirm_n) - 1)
        self._hist = ((self._hist << np.uint16(1)) | hit.astype(np.uint16)) & window
        self._looks += 1
        self._hits += hit
        self._last_t[hit] = t
        track_of_meas = _remap(tom, self._ids)
        nis = np.where(tom >= 0, d2, np.nan)

        newly = (self._status == TrackStatus.TENTATIVE) & (_popcount16(self._hist) >= cfg.confirm_m)
        self._status[newly] = TrackStatus.CONFIRMED
        confirmed_ids = self._ids[newly]
        ballistic_ids = self._classify()
        deleted_ids = self._delete(t)
        new_meas = np.flatnonzero((tom < 0) & ~excluded)
        new_ids = self._initiate(t, zz[new_meas], rr[new_meas])
        if cfg.confirm_m == 1:
            confirmed_ids = np.concatenate([confirmed_ids, new_ids])
        return StepReport(t_s=t, track_of_measurement=_ro(track_of_meas, np.int64), nis=_ro(nis),
                          new_ids=_ro(new_ids), new_from_measurement=_ro(new_meas),
                          confirmed_ids=_ro(confirmed_ids), deleted_ids=_ro(deleted_ids),
                          ballistic_ids=_ro(ballistic_ids))

    def seed(self, t_s: float, x: ArrayLike, P: ArrayLike, *,
             model: ArrayLike = MotionModel.CONSTANT_VELOCITY, confirmed: bool = True) -> _Ids:
        """Add tracks with known states x (k, 6) and covariances P (k, 6, 6) at t_s (s), e.g. from a cue or a
        partner's track; existing tracks are predicted to t_s first (no look counted). Returns the new ids."""
        xx = np.asarray(x, dtype=np.float64).reshape(-1, 6)
        pp = np.asarray(P, dtype=np.float64).reshape(-1, 6, 6)
        if pp.shape[0] != xx.shape[0]:
            raise ValueError(f"x has {xx.shape[0]} states but P has {pp.shape[0]} covariances")
        self._advance(float(t_s))
        k = xx.shape[0]
        status = TrackStatus.CONFIRMED if confirmed else TrackStatus.TENTATIVE
        n_hist = self.config.confirm_n if confirmed else 1
        return self._append(float(t_s), xx, pp, np.broadcast_to(np.asarray(model, np.int8), (k,)), status,
                            np.uint16((1 << n_hist) - 1))

    def tracks(self) -> TrackTable:
        """Frozen snapshot of every track (copies)."""
        return TrackTable(t_s=self._t, ids=_ro(self._ids), state=_ro(self._x), cov=_ro(self._P),
                          model=_ro(self._model), status=_ro(self._status), classification=_ro(self._class),
                          hits=_ro(self._hits), looks=_ro(self._looks), first_t_s=_ro(self._first_t),
                          last_update_t_s=_ro(self._last_t))

    # --- internals ------------------------------------------------------------------------------------------
    def _associate(self, z: _Array, R: _Array) -> tuple[NDArray[np.intp], NDArray[np.intp], _Array,
                                                        NDArray[np.intp]]:
        """(measurement of each track, track of each measurement, d² per measurement, nearest track of each
        measurement in the exclusion gate); confirmed tracks first when `confirmed_first`, tentative tracks
        then share the measurements left over."""
        x, P = self._x, self._P
        tent = self._status == TrackStatus.TENTATIVE
        if not (self.config.confirmed_first and tent.any() and not tent.all()):
            a = self.associator.associate(x[:, :3], P[:, :3, :3], z, R)
            return (np.asarray(a.measurement_of_track), np.asarray(a.track_of_measurement), np.asarray(a.d2),
                    np.asarray(a.near_track))
        conf, tent_rows = np.flatnonzero(~tent), np.flatnonzero(tent)
        a1 = self.associator.associate(x[conf, :3], P[conf, :3, :3], z, R)
        free = np.flatnonzero(np.asarray(a1.track_of_measurement) < 0)
        a2 = self.associator.associate(x[tent_rows, :3], P[tent_rows, :3, :3], z[free], R[free])
        mot = np.full(len(self), -1, dtype=np.intp)
        mot[conf] = np.asarray(a1.measurement_of_track)
        mot[tent_rows] = _remap(np.asarray(a2.measurement_of_track), free)
        tom = _remap(np.asarray(a1.track_of_measurement), conf)
        tom[free] = _remap(np.asarray(a2.track_of_measurement), tent_rows)
        d2 = np.array(a1.d2)
        d2[free] = np.asarray(a2.d2)
        near = _remap(np.asarray(a1.near_track), conf)
        near_free = _remap(np.asarray(a2.near_track), tent_rows)
        near[free] = np.where(near[free] >= 0, near[free], near_free)
        return mot, tom, d2, near

    def _advance(self, t: float) -> None:
        """Predict every track to t (s)."""
        if self._t is not None and t < self._t:
            raise ValueError(f"time went backwards: {t} s after {self._t} s")
        if len(self) and self._t is not None and t > self._t:
            self._x, self._P = self.filter.predict(self._x, self._P, self._model, t - self._t)
        self._t = t

    def _classify(self) -> _Ids:
        """Classify eligible confirmed tracks; switch new ballistic ones to the ballistic model."""
        cfg = self.config
        cand = np.flatnonzero((self._status == TrackStatus.CONFIRMED)
                              & (self._class != Classification.BALLISTIC))
        if not cand.size:
            return np.zeros(0, np.int64)
        var_v = np.trace(self._P[cand, 3:, 3:], axis1=1, axis2=2) / 3.0
        cand = cand[var_v <= cfg.classify_max_velocity_sigma_mps**2]
        r, v = self._x[cand, :3], self._x[cand, 3:]
        lat, lon, alt = ecef_to_geodetic(r, cfg.earth)
        up = enu_basis(lat, lon)[2]
        v_up = np.einsum("ij,ij->i", up, v)
        speed = np.linalg.norm(v, axis=1)
        ballistic = ((np.asarray(alt) > cfg.ballistic_altitude_m) | (speed > cfg.ballistic_speed_mps)
                     | (np.abs(v_up) > cfg.ballistic_vertical_speed_mps))
        self._class[cand] = np.where(ballistic, Classification.BALLISTIC, Classification.AIR_BREATHING)
        switched = cand[ballistic]
        self._model[switched] = MotionModel.BALLISTIC
        i3 = np.arange(3) + 3
        self._P[switched[:, None], i3, i3] += cfg.switch_velocity_sigma_mps**2
        return self._ids[cand[ballistic]]

    def _delete(self, t: float) -> _Ids:
        """Remove hopeless tentative, stale and too-uncertain confirmed tracks; return their ids."""
        cfg = self.config
        tentative = self._status == TrackStatus.TENTATIVE
        hopeless = tentative & (self._hits + np.maximum(cfg.confirm_n - self._looks, 0) < cfg.confirm_m)
        stale = (t - self._last_t) > cfg.max_coast_s
        pos_var = np.trace(self._P[:, :3, :3], axis1=1, axis2=2)
        vague = ~tentative & (pos_var > cfg.max_position_sigma_m**2)
        dead = hopeless | stale | vague
        if not dead.any():
            return np.zeros(0, np.int64)
        deleted = self._ids[dead]
        keep = ~dead
        for name in ("_ids", "_x", "_P", "_model", "_status", "_class", "_hist", "_hits", "_looks",
                     "_first_t", "_last_t"):
            setattr(self, name, getattr(self, name)[keep])
        return deleted

    def _initiate(self, t: float, z: _Array, R: _Array) -> _Ids:
        """Single-point initiation of tentative tracks from measurements z (m, 3), R (m, 3, 3): ballistic
        model above `ballistic_altitude_m`, constant velocity below."""
        m = z.shape[0]
        x = np.zeros((m, 6))
        x[:, :3] = z
        P = np.zeros((m, 6, 6))
        P[:, :3, :3] = R
        i3 = np.arange(3) + 3
        P[:, i3, i3] = self.config.init_velocity_sigma_mps**2
        status = TrackStatus.CONFIRMED if self.config.confirm_m == 1 else TrackStatus.TENTATIVE
        model = np.full(m, MotionModel.CONSTANT_VELOCITY, np.int8)
        if m:
            # geodetic altitude h lies in [|r| − a, |r| − b] (a, b the semi-axes): most points are decided by
            # those bounds (with 1 m to spare), the others by the exact conversion
            earth, limit = self.config.earth, self.config.ballistic_altitude_m
            radius = np.sqrt(np.einsum("ij,ij->i", z, z))
            high = radius - earth.a_m > limit + 1.0
            unsure = np.flatnonzero(~high & (radius - earth.b_m >= limit - 1.0))
            if unsure.size:
                high[unsure] = np.asarray(ecef_to_geodetic(z[unsure], earth)[2]) > limit
            model[high] = MotionModel.BALLISTIC
        return self._append(t, x, P, model, status, np.uint16(1))

    def _append(self, t: float, x: _Array, P: _Array, model: NDArray[np.int8], status: TrackStatus,
                hist: np.uint16) -> _Ids:
        m = x.shape[0]
        ids = np.arange(self._next_id, self._next_id + m, dtype=np.int64)
        self._next_id += m
        confirmed = status == TrackStatus.CONFIRMED
        cls = np.where((model == MotionModel.BALLISTIC) & confirmed, Classification.BALLISTIC,
                       Classification.UNKNOWN).astype(np.int8)
        self._ids = np.concatenate([self._ids, ids])
        self._x = np.concatenate([self._x, x])
        self._P = np.concatenate([self._P, P])
        self._model = np.concatenate([self._model, model.astype(np.int8)])
        self._status = np.concatenate([self._status, np.full(m, status, np.int8)])
        self._class = np.concatenate([self._class, cls])
        self._hist = np.concatenate([self._hist, np.full(m, hist, np.uint16)])
        self._hits = np.concatenate([self._hits, np.ones(m, np.int32)])
        self._looks = np.concatenate([self._looks, np.ones(m, np.int32)])
        self._first_t = np.concatenate([self._first_t, np.full(m, t)])
        self._last_t = np.concatenate([self._last_t, np.full(m, t)])
        return ids
