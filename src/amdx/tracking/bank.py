"""A bank of local multi-target trackers: the tracks of many sensors in one set of arrays, stepped together.

Each sensor (index 0..S−1) has its own tracks, its own `TrackerConfig` and its own track time, and is tracked
exactly as a `Tracker` of its own would track it: a track never takes another sensor's measurement. What the
bank adds is speed: the scans of all the sensors that look at one instant go through one `step`, so the
prediction, association, update and track management of all their tracks are a handful of array operations,
not a handful per sensor. The association is one grouped call (the sensor as the group; see
`amdx.tracking.association`).

All tracks live in a few arrays (structure of arrays, ordered by creation), each row tagged with its sensor.
A step at t_s for some sensors touches only their tracks, in this order, with no Python loop over tracks or
measurements (frames and units: ECEF, WGS84 by default, m, m/s, s):

1. **Predict** every track of those sensors to t_s with its own motion model (`BatchEKF.predict`), over the
   time since its sensor's previous step.
2. **Associate** each sensor's scan (z (n, 3), R (n, 3, 3)) to its predicted positions
   (`GnnAssociator.associate`): confirmed tracks first, then tentative tracks with the measurements left over
   (`confirmed_first`), so that a young track cannot take an established track's measurement.
3. **Update** the assigned tracks (`BatchEKF.update`).
4. **Confirm** (M-of-N): every step is one look for every track of a stepping sensor; a tentative track is
   confirmed when at least M of its last N looks were hits (the initiating measurement is the first hit). A
   tentative track that can no longer reach M hits within its first N looks is deleted.
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

Deterministic: the result depends only on the inputs and their order. Track ids are per sensor, consecutive
integers from that sensor's `first_id`, never reused.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from amdx.geo import ecef_to_geodetic, enu_basis
from amdx.tracking.association import Association, GnnAssociator
from amdx.tracking.bank_kernels import (
    append_rows_kernel,
    association_fault,
    classify_kernel,
    initial_rows_kernel,
    look_kernel,
    merge_passes_kernel,
    outcomes_kernel,
    positions_kernel,
    remove_rows_kernel,
    set_classes_kernel,
)
from amdx.tracking.filters import BatchEKF
from amdx.tracking.models import MotionModel
from amdx.tracking.track_types import (
    Associator,
    TrackerConfig,
    TrackFilter,
    TrackStatus,
    TrackTable,
    read_only,
)

_Array = NDArray[np.float64]
_Ids = NDArray[np.int64]

_PER_SENSOR = ("max_coast_s", "max_position_sigma_m", "init_velocity_sigma_mps", "classify_max_velocity_sigma_mps",
               "ballistic_altitude_m", "ballistic_speed_mps", "ballistic_vertical_speed_mps",
               "switch_velocity_sigma_mps")
_COLUMNS: dict[str, tuple[type, tuple[int, ...]]] = {
    "_ids": (np.int64, ()), "_sensor": (np.int64, ()), "_x": (np.float64, (6,)), "_P": (np.float64, (6, 6)),
    "_model": (np.int8, ()), "_status": (np.int8, ()), "_class": (np.int8, ()), "_hist": (np.uint16, ()),
    "_hits": (np.int32, ()), "_looks": (np.int32, ()), "_first_t": (np.float64, ()), "_last_t": (np.float64, ())}
"""The per-track columns of a bank: dtype and shape of one row (in this order the row kernels of
`bank_kernels` take them)."""
_INITIAL_CAPACITY = 64
_CONFIRMED, _TENTATIVE = int(TrackStatus.CONFIRMED), int(TrackStatus.TENTATIVE)
"""The status codes as plain ints (an enum member's lookup costs more than the comparison it feeds)."""


@dataclass(frozen=True, eq=False)
class BankReport:
    """What one `TrackerBank.step` did (read-only arrays); every track id comes with its sensor.

    Attributes:
        t_s: scan time, s.
        track_of_measurement: (n,) id of the existing track each measurement updated, -1 if none.
        nis: (n,) normalised innovation squared of each update, NaN if none.
        new_ids, new_sensor: the tracks initiated this step, in measurement order.
        new_from_measurement: index of the measurement that started each new track.
        confirmed_ids, confirmed_sensor: tracks confirmed this step.
        deleted_ids, deleted_sensor: tracks deleted this step (tentative, stale or too uncertain).
        ballistic_ids, ballistic_sensor: tracks classified ballistic this step (now on the ballistic model).
    """

    t_s: float
    track_of_measurement: _Ids
    nis: _Array
    new_ids: _Ids
    new_sensor: _Ids
    new_from_measurement: NDArray[np.intp]
    confirmed_ids: _Ids
    confirmed_sensor: _Ids
    deleted_ids: _Ids
    deleted_sensor: _Ids
    ballistic_ids: _Ids
    ballistic_sensor: _Ids


@dataclass(frozen=True, eq=False)
class ConfirmedTracks:
    """Confirmed tracks of several sensors at one time (read-only arrays): sensor (k,), ids (k,), state (k, 6),
    cov (k, 6, 6), classification (k,)."""

    sensor: _Ids
    ids: _Ids
    state: _Array
    cov: _Array
    classification: NDArray[np.int8]


class TrackerBank:
    """The local trackers of several sensors in one set of arrays (see the module docstring). `configs` gives
    each sensor's track management (index = sensor; none for a bank of no sensors); all must agree on
    `confirmed_first` and `earth`.
    Collaborators are passed in; None gives the defaults `BatchEKF()` and `GnnAssociator()`."""

    def __init__(self, configs: Sequence[TrackerConfig], track_filter: TrackFilter | None = None,
                 associator: Associator | None = None):
        self.configs = tuple(configs)
        first = self.configs[0] if self.configs else TrackerConfig()  # no sensors: an empty bank, never stepped
        if any(c.confirmed_first != first.confirmed_first or c.earth != first.earth for c in self.configs):
            raise ValueError("the sensors of a tracker bank must agree on confirmed_first and earth")
        self._confirmed_first, self._earth = first.confirmed_first, first.earth
        self.filter: TrackFilter = track_filter if track_filter is not None else BatchEKF()
        self.associator: Associator = associator if associator is not None else GnnAssociator()
        self._cfg = {name: np.array([getattr(c, name) for c in self.configs], dtype=np.float64)
                     for name in _PER_SENSOR}
        self._confirm_m = np.array([c.confirm_m for c in self.configs], dtype=np.int64)
        self._confirm_n = np.array([c.confirm_n for c in self.configs], dtype=np.int64)
        self._max_position_var = self._cfg["max_position_sigma_m"] ** 2
        self._max_velocity_var = self._cfg["classify_max_velocity_sigma_mps"] ** 2
        self._init_velocity_var = self._cfg["init_velocity_sigma_mps"] ** 2
        self._switch_velocity_var = self._cfg["switch_velocity_sigma_mps"] ** 2
        self._window = ((1 << self._confirm_n) - 1).astype(np.uint16)
        self._sensor_t = np.full(len(self.configs), np.nan)  # NaN: the sensor has not stepped yet
        self._next_id = np.array([c.first_id for c in self.configs], dtype=np.int64)
        # every column lives at the head of a buffer with room to grow (appending copies only the new rows); the
        # attributes (self._ids, self._x, ...) are views of the first len(self) rows
        self._buffers = {name: np.zeros((_INITIAL_CAPACITY, *shape), dtype)
                         for name, (dtype, shape) in _COLUMNS.items()}
        self._n = 0
        self._set_views()

    @property
    def n_sensors(self) -> int:
        return len(self.configs)

    def __len__(self) -> int:
        return self._n

    def t_s(self, sensor: int) -> float | None:
        """Time of a sensor's track states, s (None before its first step)."""
        t = float(self._sensor_t[sensor])
        return None if np.isnan(t) else t

    def count(self, sensor: int) -> int:
        """Number of tracks of a sensor."""
        return int(np.count_nonzero(self._sensor == sensor))

    # --- public operations ----------------------------------------------------------------------------------
    def step(self, t_s: float, sensors: ArrayLike, z: ArrayLike, R: ArrayLike, meas_sensor: ArrayLike) -> BankReport:
        """One scan of each of `sensors` at t_s (s): measured positions z (n, 3) and covariances R (n, 3, 3),
        ECEF m, m², of all their scans together, `meas_sensor` (n,) saying whose each one is."""
        t = float(t_s)
        zz = np.asarray(z, dtype=np.float64).reshape(-1, 3)
        rr = np.asarray(R, dtype=np.float64).reshape(-1, 3, 3)
        ms = np.asarray(meas_sensor, dtype=np.int64).reshape(-1)
        given = np.asarray(sensors, dtype=np.int64).reshape(-1)
        if rr.shape[0] != zz.shape[0] or ms.shape[0] != zz.shape[0]:
            raise ValueError(f"z has {zz.shape[0]} measurements but R has {rr.shape[0]} covariances and "
                             f"meas_sensor {ms.shape[0]} entries")
        if not (np.isfinite(zz).all() and np.isfinite(rr).all()):
            raise ValueError("measurements and covariances must be finite")
        if given.size == 0 or given.min() < 0 or given.max() >= self.n_sensors:
            raise ValueError(f"sensors must be indices in [0, {self.n_sensors}), found {np.unique(given).tolist()}")
        stepping = self._sensor_mask(given)
        if ms.size and not (ms.min() >= 0 and ms.max() < self.n_sensors and stepping[ms].all()):
            raise ValueError("every measurement must belong to one of the stepping sensors")
        rows = self._advance(t, np.flatnonzero(stepping), stepping)
        mot, tom, d2, near = self._associate(rows, zz, rr, ms)
        upd_rows, upd_meas, track_of_meas, nis, new_meas = outcomes_kernel(rows, mot, tom, d2, near, self._ids,
                                                                           self._hist)
        if upd_rows.size:
            self.filter.update_rows(self._x, self._P, upd_rows, zz, rr, upd_meas)
        # the look of every track (history, counts, confirmation) and the tracks to delete: classification
        # changes no input of the deletion tests (status, counts, times, position variance)
        newly, dead = look_kernel(t, rows, mot, self._hist, self._looks, self._hits, self._last_t, self._status,
                                  self._sensor, self._P, self._window, self._confirm_m, self._confirm_n,
                                  self._cfg["max_coast_s"], self._max_position_var)
        confirmed = (self._ids[newly], self._sensor[newly])
        ballistic = self._classify(rows)
        deleted = (self._ids[dead], self._sensor[dead])
        new_ids = self._initiate(t, zz[new_meas], rr[new_meas], ms[new_meas], dead)
        new_sensor = ms[new_meas]
        at_once = self._confirm_m[new_sensor] == 1  # M = 1: a new track is confirmed at once
        if at_once.any():
            confirmed = (np.concatenate([confirmed[0], new_ids[at_once]]),
                         np.concatenate([confirmed[1], new_sensor[at_once]]))
        # every array of the report was made in this step: frozen in place, not copied
        return BankReport(t_s=t, track_of_measurement=_frozen(track_of_meas), nis=_frozen(nis),
                          new_ids=_frozen(new_ids), new_sensor=_frozen(new_sensor),
                          new_from_measurement=_frozen(new_meas), confirmed_ids=_frozen(confirmed[0]),
                          confirmed_sensor=_frozen(confirmed[1]), deleted_ids=_frozen(deleted[0]),
                          deleted_sensor=_frozen(deleted[1]), ballistic_ids=_frozen(ballistic[0]),
                          ballistic_sensor=_frozen(ballistic[1]))

    def seed(self, sensor: int, t_s: float, x: ArrayLike, P: ArrayLike, *,
             model: ArrayLike = MotionModel.CONSTANT_VELOCITY, confirmed: bool = True) -> _Ids:
        """Add tracks of `sensor` with known states x (k, 6) and covariances P (k, 6, 6) at t_s (s), e.g. from
        a cue; the sensor's tracks are predicted to t_s first (no look counted). Returns the new ids."""
        xx = np.ascontiguousarray(x, dtype=np.float64).reshape(-1, 6)
        pp = np.ascontiguousarray(P, dtype=np.float64).reshape(-1, 6, 6)
        if pp.shape[0] != xx.shape[0]:
            raise ValueError(f"x has {xx.shape[0]} states but P has {pp.shape[0]} covariances")
        active = np.array([sensor], dtype=np.int64)
        self._advance(float(t_s), active, self._sensor_mask(active))
        k = xx.shape[0]
        n_hist = int(self._confirm_n[sensor]) if confirmed else 1
        status = np.full(k, TrackStatus.CONFIRMED if confirmed else TrackStatus.TENTATIVE, np.int8)
        models = np.broadcast_to(np.asarray(model, np.int8), (k,)).copy()
        return self._append(float(t_s), xx, pp, models, status,
                            np.full(k, (1 << n_hist) - 1, np.uint16), np.full(k, sensor, np.int64))

    def has_tracks(self, sensors: ArrayLike) -> bool:
        """Whether any of `sensors` holds a track."""
        return bool(self._member_mask(sensors)[self._sensor].any())

    def confirmed(self, sensors: ArrayLike) -> tuple[_Ids, _Ids]:
        """(ids, sensor) of the confirmed tracks of `sensors`, in creation order."""
        rows = np.flatnonzero((self._status == _CONFIRMED) & self._member_mask(sensors)[self._sensor])
        return self._ids[rows], self._sensor[rows]

    def tracks(self, sensor: int) -> TrackTable:
        """Frozen snapshot of every track of a sensor (copies)."""
        rows = np.flatnonzero(self._sensor == sensor) if self.n_sensors > 1 else slice(None)
        return TrackTable(t_s=self.t_s(sensor), ids=read_only(self._ids[rows]), state=read_only(self._x[rows]),
                          cov=read_only(self._P[rows]), model=read_only(self._model[rows]),
                          status=read_only(self._status[rows]), classification=read_only(self._class[rows]),
                          hits=read_only(self._hits[rows]), looks=read_only(self._looks[rows]),
                          first_t_s=read_only(self._first_t[rows]), last_update_t_s=read_only(self._last_t[rows]))

    def confirmed_predicted(self, sensors: ArrayLike, t_s: float) -> ConfirmedTracks:
        """The confirmed tracks of `sensors` predicted to t_s (s), the bank unchanged: grouped by sensor in the
        order given, each sensor's in creation order; each track over its own sensor's step, so each sensor's
        tracks come out as `tracks(sensor)` predicted alone would (the sensors' times must not be after t_s)."""
        order = np.asarray(sensors, dtype=np.int64).reshape(-1)
        rank = np.full(self.n_sensors, -1, np.int64)
        rank[order] = np.arange(order.size)
        rows = np.flatnonzero((self._status == _CONFIRMED) & (rank[self._sensor] >= 0))
        rows = rows[np.argsort(rank[self._sensor[rows]], kind="stable")]
        sensor = self._sensor[rows]
        x, P = self._x[rows], self._P[rows]
        dt = float(t_s) - self._sensor_t[sensor]
        if (dt < 0.0).any():
            raise ValueError(f"tracks of sensor {int(sensor[np.argmin(dt)])} are newer than {t_s} s")
        moving = np.flatnonzero(dt > 0.0)
        self.filter.predict_rows(x, P, self._model[rows], moving, dt[moving])
        # gathered copies: frozen in place
        return ConfirmedTracks(sensor=_frozen(sensor), ids=_frozen(self._ids[rows]), state=_frozen(x),
                               cov=_frozen(P), classification=_frozen(self._class[rows]))

    # --- internals ------------------------------------------------------------------------------------------
    def _sensor_mask(self, active: NDArray[np.int64]) -> NDArray[np.bool_]:
        """(n_sensors,) True for the `active` sensors (valid indices): a lookup table instead of `np.isin`."""
        mask = np.zeros(self.n_sensors, dtype=bool)
        mask[active] = True
        return mask

    def _member_mask(self, sensors: ArrayLike) -> NDArray[np.bool_]:
        """(n_sensors,) True for the sensors among `sensors` (any integers; those that are no sensor's index
        match nothing): `np.isin` by a lookup table."""
        s = np.asarray(sensors, dtype=np.int64).reshape(-1)
        return self._sensor_mask(s[(s >= 0) & (s < self.n_sensors)])

    def _advance(self, t: float, active: NDArray[np.int64], stepping: NDArray[np.bool_]) -> NDArray[np.intp]:
        """Predict every track of the `active` sensors (`stepping`: their mask) to t (s); return their rows."""
        last = self._sensor_t[active]
        behind = last > t
        if behind.any():
            s = int(active[np.flatnonzero(behind)[0]])
            raise ValueError(f"time went backwards for sensor {s}: {t} s after {self._sensor_t[s]} s")
        rows = np.arange(len(self)) if self.n_sensors == 1 else np.flatnonzero(stepping[self._sensor])
        if rows.size:
            # each track over its own sensor's step, in place (the filter's sub-steps follow each track's step,
            # as if each sensor's tracks were predicted alone)
            dt = t - self._sensor_t[self._sensor[rows]]
            moving = dt > 0.0
            self.filter.predict_rows(self._x, self._P, self._model, rows[moving], dt[moving])
        self._sensor_t[active] = t
        return rows

    def _associate(self, rows: NDArray[np.intp], z: _Array, R: _Array,
                   ms: _Ids) -> tuple[NDArray[np.intp], NDArray[np.intp], _Array, NDArray[np.intp]]:
        """(measurement of each track, track of each measurement, d² per measurement, nearest track of each
        measurement in the exclusion gate), indices local to the tracks `rows` (their predicted positions and
        position covariances go to the associator); confirmed tracks first when `confirmed_first`, tentative tracks
        then share the measurements left over."""
        tent = self._status[rows] == _TENTATIVE
        if not (self._confirmed_first and tent.any() and not tent.all()):
            a = self._associate_groups(*positions_kernel(self._x, self._P, rows), z, R, self._sensor[rows], ms)
            return (np.asarray(a.measurement_of_track), np.asarray(a.track_of_measurement), np.asarray(a.d2),
                    np.asarray(a.near_track))
        conf, tent_rows = np.flatnonzero(~tent), np.flatnonzero(tent)
        first, second = rows[conf], rows[tent_rows]
        a1 = self._associate_groups(*positions_kernel(self._x, self._P, first), z, R, self._sensor[first], ms)
        free = np.flatnonzero(np.asarray(a1.track_of_measurement) < 0)
        a2 = self._associate_groups(*positions_kernel(self._x, self._P, second), z[free], R[free],
                                    self._sensor[second], ms[free])
        return merge_passes_kernel(rows.size, conf, tent_rows, free, *(
            np.asarray(v) for v in (a1.measurement_of_track, a1.track_of_measurement, a1.d2, a1.near_track,
                                    a2.measurement_of_track, a2.track_of_measurement, a2.d2, a2.near_track)))

    def _associate_groups(self, p: _Array, pc: _Array, z: _Array, R: _Array, tg: _Ids, mg: _Ids) -> Association:
        """One association call; the sensors go along as groups only in a bank of several (so an associator
        of one sensor's tracker need not know about groups)."""
        a = self.associator.associate(p, pc, z, R) if self.n_sensors == 1 else \
            self.associator.associate(p, pc, z, R, tg, mg)
        arrays = [np.asarray(v) for v in (a.measurement_of_track, a.track_of_measurement, a.near_track)]
        if any(v.ndim != 1 or v.dtype.kind not in "iu" for v in arrays) or np.ndim(a.d2) != 1 or \
                association_fault(len(p), len(z), *(v.astype(np.intp, copy=False) for v in arrays),
                                  np.asarray(a.d2, dtype=np.float64)):
            raise ValueError(f"associator {type(self.associator).__name__}: its answer for {len(p)} tracks and "
                             f"{len(z)} measurements has arrays of other lengths or indices out of range")
        return a

    def _classify(self, rows: NDArray[np.intp]) -> tuple[_Ids, _Ids]:
        """Classify eligible confirmed tracks among `rows`; switch new ballistic ones to the ballistic model."""
        cfg = self._cfg
        cand, ballistic, open_ = classify_kernel(rows, self._status, self._class, self._sensor, self._x, self._P,
                                                 self._max_velocity_var, cfg["ballistic_speed_mps"],
                                                 cfg["ballistic_altitude_m"], cfg["ballistic_vertical_speed_mps"],
                                                 self._earth.b_m)
        if open_.size:  # the few the bounds leave open: exact geodetic altitude and vertical speed
            r = cand[open_]
            s = self._sensor[r]
            lat, lon, alt = ecef_to_geodetic(self._x[r, :3], self._earth)
            v_up = np.einsum("ij,ij->i", enu_basis(lat, lon)[2], self._x[r, 3:])
            ballistic[open_] = ((np.asarray(alt) > cfg["ballistic_altitude_m"][s])
                                | (np.abs(v_up) > cfg["ballistic_vertical_speed_mps"][s]))
        switched = set_classes_kernel(cand, ballistic, self._class, self._model, self._P, self._sensor,
                                      self._switch_velocity_var)
        return self._ids[switched], self._sensor[switched]

    def _set_views(self) -> None:
        """Point the column attributes at the first len(self) rows of their buffers."""
        for name, buf in self._buffers.items():
            setattr(self, name, buf[:self._n])

    def _initiate(self, t: float, z: _Array, R: _Array, sensor: _Ids, dead: NDArray[np.intp]) -> _Ids:
        """Single-point initiation of tentative tracks from measurements z (m, 3), R (m, 3, 3) of `sensor`
        (m,): ballistic model above `ballistic_altitude_m`, constant velocity below; the `dead` rows go."""
        earth = self._earth
        x, P, model, status = initial_rows_kernel(z, R, sensor, self._init_velocity_var, self._confirm_m,
                                                  self._cfg["ballistic_altitude_m"], earth.a_m, earth.b_m,
                                                  earth.a_m**2, earth.e2, earth.is_sphere)
        return self._append(t, x, P, model, status, np.ones(z.shape[0], np.uint16), sensor, dead)

    def _append(self, t: float, x: _Array, P: _Array, model: NDArray[np.int8], status: NDArray[np.int8],
                hist: NDArray[np.uint16], sensor: _Ids, dead: NDArray[np.intp] | None = None) -> _Ids:
        """Add new tracks at the end, after removing the `dead` rows (the rows after the first dead one move up)."""
        m = x.shape[0]
        if self._n + m > self._buffers["_ids"].shape[0]:  # grow: double the room
            room = max(2 * self._buffers["_ids"].shape[0], self._n + m)
            for name, buf in self._buffers.items():
                grown = np.zeros((room, *buf.shape[1:]), buf.dtype)
                grown[:self._n] = buf[:self._n]
                self._buffers[name] = grown
        columns = tuple(self._buffers.values())
        if dead is not None and dead.size:
            self._n = remove_rows_kernel(self._n, dead, *columns)
        ids = np.zeros(0, np.int64)
        if m:
            ids = append_rows_kernel(self._n, t, x, P, model, status, hist, sensor, self._next_id, *columns)
            self._n += m
        self._set_views()
        return ids


def _frozen(a: np.ndarray) -> np.ndarray:
    """`a` made read-only in place (an array nobody else holds)."""
    a.flags.writeable = False
    return a
