"""A nation's fusion centre: one picture from its own sensors' local tracks and its partners' released tracks.

Every source (a radar's local tracker, or a partner's data-link feed) delivers its tracks predicted to the
fusion time. Sources are folded in a fixed order (own sensors in scenario order, then partners in scenario
order): each source's tracks are associated one-to-one to the fused tracks so far with the same KD-tree + χ²
gate + global-nearest-neighbour associator the trackers use (the fused track as the "track", the source track
as the "measurement", both position covariances in the gate), so two tracks of one source are never merged.
Associated estimates are combined by covariance intersection (fast ω = tr P_b / (tr P_a + tr P_b)), which stays
consistent without knowing the cross-covariance between sources; unassociated ones start new fused tracks.

National track numbers are stable: a fused track keeps the number of the first of its sources that already had
one, so a threat keeps its number while the sensors that hold it come and go.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from amdx.tracking.association import GnnAssociator, pairs_within

_Array = NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class SourceTracks:
    """Tracks of one source predicted to the fusion time.

    Attributes:
        origin: "own" for a nation's own sensor, else the releasing partner nation's id.
        keys: (k,) stable source-track keys (e.g. "north.ewr1/17", "south/south.T0003").
        x: (k, 6) ECEF states, m and m/s; P: (k, 6, 6) covariances.
        classification: (k,) classification codes (0 unknown, 1 air-breathing, 2 ballistic).
        sensor_ids: (k,) the reporting sensor site, or None when a partner did not release it.
        labels: (k,) evaluation labels (the threat a track stems from, None for false alarms); controller only.
    """

    origin: str
    keys: tuple[str, ...]
    x: _Array
    P: _Array
    classification: NDArray[np.int8]
    sensor_ids: tuple[str | None, ...]
    labels: tuple[str | None, ...]


@dataclass(frozen=True, eq=False)
class FusedTrack:
    """One track of a national picture."""

    number: int
    x: _Array
    P: _Array
    classification: int
    origins: tuple[str, ...]
    sensor_id: str | None
    label: str | None
    first_t_s: float
    keys: tuple[str, ...]


def covariance_intersection(xa: _Array, Pa: _Array, xb: _Array, Pb: _Array) -> tuple[_Array, _Array]:
    """Batched covariance intersection of (k, 6) states and (k, 6, 6) covariances with the fast trace weight."""
    tra = np.trace(Pa, axis1=1, axis2=2)
    trb = np.trace(Pb, axis1=1, axis2=2)
    w = (trb / (tra + trb))[:, None, None]
    ia, ib = np.linalg.inv(Pa), np.linalg.inv(Pb)
    info = w * ia + (1.0 - w) * ib
    P = np.linalg.inv(info)
    P = 0.5 * (P + P.transpose(0, 2, 1))
    x = np.einsum("kij,kj->ki", P, np.einsum("kij,kj->ki", w * ia, xa) + np.einsum("kij,kj->ki", (1 - w) * ib, xb))
    return x, P


def _objects(values: tuple[str | None, ...]) -> np.ndarray:
    """A 1-d object array of strings and Nones."""
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


RENUMBER_MEMORY_S = 30.0
"""How long a lost fused track's number may be given back to a new track in its place, s."""
RENUMBER_GATE_M = 2_000.0
"""Distance from the lost track's predicted position within which (plus 4σ) a new track takes its number, m."""
GRAVITY_MPS2 = 9.80665
BALLISTIC_CLASS = 2


class FusionCentre:
    """Fuses source tracks into one national picture with stable track numbers."""

    def __init__(self, gate_probability: float = 0.999) -> None:
        # fusion reads only the assignment, never the exclusion gate: keep the coarse gate no wider than needed
        self._associator = GnnAssociator(gate_probability, exclusion_probability=gate_probability)
        self._number_of_key: dict[str, int] = {}
        self._first_t: dict[int, float] = {}
        self._recent: dict[int, tuple[float, _Array, float, int]] = {}  # number -> (t, state, σ, class)
        self._next = 1

    def fuse(self, t_s: float, sources: list[SourceTracks]) -> list[FusedTrack]:
        """The national picture at `t_s` from `sources` (in their fixed order), ordered by track number."""
        x = np.zeros((0, 6))
        P = np.zeros((0, 6, 6))
        cls = np.zeros(0, np.int8)
        sensors = np.zeros(0, dtype=object)  # first reporting sensor and first label of each fused track
        labels = np.zeros(0, dtype=object)
        rows_of: list[np.ndarray] = []  # per source: the fused row each of its tracks went into
        for src in sources:
            if not src.keys:
                rows_of.append(np.zeros(0, np.intp))
                continue
            assoc = self._associator.associate(x[:, :3], P[:, :3, :3], src.x[:, :3], src.P[:, :3, :3])
            tom = np.asarray(assoc.track_of_measurement)
            hit = np.flatnonzero(tom >= 0)
            new = np.flatnonzero(tom < 0)
            row = np.empty(len(src.keys), np.intp)
            row[new] = len(x) + np.arange(new.size)
            src_sensors, src_labels = _objects(src.sensor_ids), _objects(src.labels)
            if hit.size:
                rows = tom[hit]
                row[hit] = rows
                x[rows], P[rows] = covariance_intersection(x[rows], P[rows], src.x[hit], src.P[hit])
                cls[rows] = np.maximum(cls[rows], src.classification[hit])
                blank = np.equal(sensors[rows], None)  # elementwise on object arrays
                sensors[rows[blank]] = src_sensors[hit][blank]
                unlabelled = np.equal(labels[rows], None)
                labels[rows[unlabelled]] = src_labels[hit][unlabelled]
            x = np.concatenate([x, src.x[new]])
            P = np.concatenate([P, src.P[new]])
            cls = np.concatenate([cls, src.classification[new].astype(np.int8)])
            sensors = np.concatenate([sensors, src_sensors[new]])
            labels = np.concatenate([labels, src_labels[new]])
            rows_of.append(row)
        keys: list[list[str]] = [[] for _ in range(len(x))]
        origins: list[list[str]] = [[] for _ in range(len(x))]
        for src, row in zip(sources, rows_of, strict=True):
            for key, r in zip(src.keys, row.tolist(), strict=True):
                keys[r].append(key)
                if src.origin not in origins[r]:
                    origins[r].append(src.origin)
        cls_list, sensors_list, labels_list = cls.tolist(), sensors.tolist(), labels.tolist()
        fused = []
        taken: set[int] = set()
        current: dict[str, int] = {}
        numbers: list[int | None] = []
        for track_keys in keys:
            number = next((self._number_of_key[k] for k in track_keys
                           if k in self._number_of_key and self._number_of_key[k] not in taken), None)
            if number is not None:
                taken.add(number)
            numbers.append(number)
        self._renew(t_s, x, P, cls_list, numbers, taken)
        for i, track_keys in enumerate(keys):
            number = numbers[i]
            if number is None:
                number = self._next
                self._next += 1
                self._first_t[number] = t_s
            taken.add(number)
            for k in track_keys:
                current[k] = number
            fused.append(FusedTrack(number, x[i], P[i], cls_list[i], tuple(origins[i]), sensors_list[i],
                                    labels_list[i], self._first_t[number], tuple(track_keys)))
        self._number_of_key = current  # keys of tracks that are gone are forgotten
        for f in fused:
            self._recent[f.number] = (t_s, f.x, float(np.sqrt(np.trace(f.P[:3, :3]))), f.classification)
        self._recent = {n: r for n, r in self._recent.items() if t_s - r[0] <= RENUMBER_MEMORY_S}
        return sorted(fused, key=lambda f: f.number)

    def _renew(self, t_s: float, x: _Array, P: _Array, cls: list[int], numbers: list[int | None],
               taken: set[int]) -> None:
        """Give a fused track whose sources are all new the number of a track lost in the last
        `RENUMBER_MEMORY_S` seconds when it is where that track was predicted to be (its sources were dropped
        and started again, e.g. after missed looks): one threat keeps one number. Nearest pairs first."""
        fresh = [i for i, n in enumerate(numbers) if n is None]
        lost = [n for n in self._recent if n not in taken]
        if not fresh or not lost:
            return
        t0 = np.array([self._recent[n][0] for n in lost])
        x0 = np.array([self._recent[n][1] for n in lost])
        sigma0 = np.array([self._recent[n][2] for n in lost])
        c0 = np.array([self._recent[n][3] for n in lost])
        dt = (t_s - t0)[:, None]
        r = x0[:, :3] + x0[:, 3:] * dt
        falling = (c0 == BALLISTIC_CLASS)[:, None]  # a falling body: gravity over the gap
        r = np.where(falling, r - 0.5 * GRAVITY_MPS2 * dt * dt * x0[:, :3] / np.linalg.norm(x0[:, :3], axis=1,
                                                                                             keepdims=True), r)
        fi = np.array(fresh)
        sigma = np.sqrt(np.trace(P[fi, :3, :3], axis1=1, axis2=2))
        # candidate pairs from a tree over the lost tracks' predicted positions (an exact bound of the gate)
        a, b = pairs_within(x[fi, :3], RENUMBER_GATE_M + 4.0 * (sigma + sigma0.max()) + 1.0, r)
        gap = np.linalg.norm(x[fi[a], :3] - r[b], axis=-1)
        cf = np.array([cls[i] for i in fresh])[a]
        same_class = (cf == 0) | (c0[b] == 0) | (cf == c0[b])
        ok = np.flatnonzero(same_class & (gap <= RENUMBER_GATE_M + 4.0 * (sigma[a] + sigma0[b])))
        pairs = sorted(zip(gap[ok].tolist(), fi[a[ok]].tolist(), [lost[k] for k in b[ok].tolist()], strict=True))
        used_i: set[int] = set()
        for _, i, n in pairs:
            if i not in used_i and n not in taken:
                numbers[i] = n
                used_i.add(i)
                taken.add(n)
