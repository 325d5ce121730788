"""A nation's fusion centre: one picture from its own sensors' local tracks and its partners' released tracks.

Every source (a radar's local tracker, or a partner's data-link feed) delivers its tracks predicted to the
fusion time; sources have a fixed order (own sensors in scenario order, then partners in scenario order). A fused
track holds at most one track of each source. Track-to-track correlation is sticky, as in operational
correlators: tracks correlated in the last picture stay correlated while they pass a decorrelation test, and
only the others are associated afresh.

1. **Kept correlations.** Source tracks whose key belonged to fused track N in the last picture form N's group
   again. Each group is fused in source order; a member whose position fails the χ² gate (3 dof, P_G = 0.999,
   both position covariances) against the group's estimate so far is decorrelated and goes to step 2.
2. **New correlations.** Source by source (in order), the remaining tracks are associated one-to-one to the
   fused tracks that hold no track of that source yet, with the same coarse gate + χ² gate + global-nearest-neighbour
   associator the trackers use (the fused track as the "track", the source track as the "measurement"), so two
   tracks of one source are never merged; unassociated ones start new fused tracks.
3. **Duplicates.** Two fused tracks with no source in common that pass the gate of each other hold one target
   (kept apart by step 1 once they formed, e.g. while a source's tracks came and went): they are merged.

Estimates are combined by covariance intersection (fast ω = tr P_b / (tr P_a + tr P_b)), which stays consistent
without knowing the cross-covariance between sources (Julier & Uhlmann 1997).

National track numbers are stable: a fused track keeps the number of the first of its sources (in source order)
that already had one, so a threat keeps its number while the sensors that hold it come and go; a track whose
sources are all new takes the number of a track lost nearby in the last `RENUMBER_MEMORY_S` seconds.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from amdx.tracking.association import GnnAssociator, frobenius_norms, pair_mahalanobis2, pairs_within

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


class _Fold:
    """The fused estimates of one picture while source tracks (rows, in source order) are folded in."""

    def __init__(self, x: _Array, P: _Array, src_of: NDArray[np.intp], n_sources: int,
                 associator: GnnAssociator) -> None:
        self.rx, self.rP, self.src_of = x, P, src_of
        self.associator = associator
        self.member = np.full(len(x), -1, np.intp)
        """Fused row of each source row (-1: not yet folded)."""
        self.x = np.zeros((0, 6))
        self.P = np.zeros((0, 6, 6))
        self.has = np.zeros((0, n_sources), bool)
        """Whether a fused row holds a track of each source."""

    def _start(self, rows: NDArray[np.intp]) -> NDArray[np.intp]:
        """New fused tracks from source rows; their fused rows."""
        first = len(self.x)
        self.x = np.concatenate([self.x, self.rx[rows]])
        self.P = np.concatenate([self.P, self.rP[rows]])
        has = np.zeros((rows.size, self.has.shape[1]), bool)
        has[np.arange(rows.size), self.src_of[rows]] = True
        self.has = np.concatenate([self.has, has])
        fused = first + np.arange(rows.size)
        self.member[rows] = fused
        return fused

    def _merge(self, rows: NDArray[np.intp], fused: NDArray[np.intp]) -> None:
        """Fold source rows into fused rows (one each, distinct) by covariance intersection."""
        self.x[fused], self.P[fused] = covariance_intersection(self.x[fused], self.P[fused], self.rx[rows],
                                                               self.rP[rows])
        self.has[fused, self.src_of[rows]] = True
        self.member[rows] = fused

    def keep_correlations(self, prev: NDArray[np.int64]) -> None:
        """Step 1: rows whose key had fused number prev[i] ≥ 0 last time regroup under it, each group fused in
        source order; a member outside the gate of its group's estimate so far is left for step 2."""
        rows = np.flatnonzero(prev >= 0)
        if not rows.size:
            return
        rows = rows[np.argsort(prev[rows], kind="stable")]  # by number, then source order
        numbers = prev[rows]
        starts = np.flatnonzero(np.r_[True, numbers[1:] != numbers[:-1]])
        group = np.cumsum(np.r_[False, numbers[1:] != numbers[:-1]])
        rank = np.arange(rows.size) - starts[group]
        slot = self._start(rows[rank == 0])  # fused row of each group
        gamma = self.associator.gate_d2
        for r in range(1, int(rank.max()) + 1):
            at = np.flatnonzero(rank == r)
            cand, fused = rows[at], slot[group[at]]
            fresh = ~self.has[fused, self.src_of[cand]]  # a source's second track of one number: not this way
            d2 = pair_mahalanobis2(self.x[:, :3], self.P[:, :3, :3], self.rx[:, :3], self.rP[:, :3, :3], fused, cand)
            ok = fresh & (d2 <= gamma)
            if ok.any():
                self._merge(cand[ok], fused[ok])

    def correlate_rest(self) -> None:
        """Step 2: source by source, the rows not yet folded are associated to the fused tracks holding no track
        of their source; the others start new fused tracks."""
        left = np.flatnonzero(self.member < 0)
        for s in np.unique(self.src_of[left]).tolist():
            rows = left[self.src_of[left] == s]
            cand = np.flatnonzero(~self.has[:, s])
            assoc = self.associator.associate(self.x[cand, :3], self.P[cand, :3, :3], self.rx[rows, :3],
                                              self.rP[rows, :3, :3])
            tom = np.asarray(assoc.track_of_measurement)
            hit = tom >= 0
            if hit.any():
                self._merge(rows[hit], cand[tom[hit]])
            if not hit.all():
                self._start(rows[~hit])

    def merge_duplicates(self) -> None:
        """Step 3: two fused tracks with no source in common whose positions pass the χ² gate (both covariances)
        hold one target twice (e.g. split when a source's tracks came and went): merge them, nearest pairs
        first, each fused track at most once per picture (a threat held three times is mended over two)."""
        k = len(self.x)
        if k < 2:
            return
        pos, cov = self.x[:, :3], self.P[:, :3, :3]
        size = frobenius_norms(cov)  # ≥ the largest eigenvalue
        gamma = self.associator.gate_d2
        # |Δ|² ≤ γ λmax(Pa + Pb) ≤ γ (‖Pa‖ + ‖Pb‖) ≤ 2γ max(‖Pa‖, ‖Pb‖): every pair inside the gate is found
        # from its vaguer track with the radius √(2γ‖P‖) (exact, and no track's radius is widened by another's)
        a, b = pairs_within(pos, np.sqrt(2.0 * gamma * size), pos)
        a, b = np.minimum(a, b), np.maximum(a, b)
        keep = (a < b) & ~(self.has[a] & self.has[b]).any(axis=1)
        a, b = a[keep], b[keep]
        if a.size:
            a, b = np.unique(np.stack([a, b], axis=1), axis=0).T  # a pair may be found from both sides
        if not a.size:
            return
        d2 = pair_mahalanobis2(pos, cov, pos, cov, a, b)
        inside = np.flatnonzero(d2 <= gamma)
        used: set[int] = set()
        pairs = []
        for k_ in inside[np.lexsort((b[inside], a[inside], d2[inside]))].tolist():
            i, j = int(a[k_]), int(b[k_])
            if i not in used and j not in used:
                used.update((i, j))
                pairs.append((i, j))
        if not pairs:
            return
        keep_rows = np.array([i for i, _ in pairs])
        gone = np.array([j for _, j in pairs])
        self.x[keep_rows], self.P[keep_rows] = covariance_intersection(self.x[keep_rows], self.P[keep_rows],
                                                                       self.x[gone], self.P[gone])
        self.has[keep_rows] |= self.has[gone]
        target = np.arange(k)
        target[gone] = keep_rows
        alive = np.ones(k, bool)
        alive[gone] = False
        new_index = np.cumsum(alive) - 1
        self.member = new_index[target[self.member]]
        self.x, self.P, self.has = self.x[alive], self.P[alive], self.has[alive]


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
        keys = [k for src in sources for k in src.keys]
        if not keys:
            return self._publish(t_s, np.zeros((0, 6)), np.zeros((0, 6, 6)), [], [], [], [], [], [])
        src_of = np.concatenate([np.full(len(src.keys), s, np.intp) for s, src in enumerate(sources)])
        x = np.concatenate([src.x for src in sources])
        P = np.concatenate([src.P for src in sources])
        fusion = _Fold(x, P, src_of, len(sources), self._associator)
        number_of_key = self._number_of_key
        prev = [number_of_key.get(k, -1) for k in keys]
        fusion.keep_correlations(np.array(prev, np.int64))
        fusion.correlate_rest()
        fusion.merge_duplicates()
        member = fusion.member
        # per fused track, its source tracks in source order (rows are in source order already): one sorted pass
        order = np.argsort(member, kind="stable")
        bounds = np.searchsorted(member[order], np.arange(len(fusion.x) + 1)).tolist()
        cls = np.zeros(len(fusion.x), np.int8)
        np.maximum.at(cls, member, np.concatenate([src.classification for src in sources]).astype(np.int8))
        rows = order.tolist()
        keys_by = [keys[r] for r in rows]
        prev_by = [prev[r] for r in rows]
        sensor_of = [s for src in sources for s in src.sensor_ids]
        label_of = [lab for src in sources for lab in src.labels]
        sensor_by = [sensor_of[r] for r in rows]
        label_by = [label_of[r] for r in rows]
        origin_of = [src.origin for src in sources]
        origin_by = [origin_of[s] for s in src_of[order].tolist()]
        group_keys, group_prev, origins, sensors, labels = [], [], [], [], []
        for a, b in itertools.pairwise(bounds):
            group_keys.append(tuple(keys_by[a:b]))
            group_prev.append(prev_by[a:b])
            origins.append(tuple(dict.fromkeys(origin_by[a:b])))
            sensors.append(next((s for s in sensor_by[a:b] if s is not None), None))
            labels.append(next((lab for lab in label_by[a:b] if lab is not None), None))
        return self._publish(t_s, fusion.x, fusion.P, cls.tolist(), group_keys, group_prev, origins, sensors,
                             labels)

    def _publish(self, t_s: float, x: _Array, P: _Array, cls: list[int], keys: list[tuple[str, ...]],
                 prev: list[list[int]], origins: list[tuple[str, ...]], sensors: list[str | None],
                 labels: list[str | None]) -> list[FusedTrack]:
        """Number the fused tracks (stable numbers, see the module docstring; `prev` holds the last number of
        each of their keys, -1 for none) and remember them."""
        taken: set[int] = set()
        numbers: list[int | None] = []
        for candidates in prev:
            number = None
            for n in candidates:
                if n >= 0 and n not in taken:
                    number = n
                    taken.add(n)
                    break
            numbers.append(number)
        self._renew(t_s, x, P, cls, numbers, taken)
        current: dict[str, int] = {}
        fused = []
        first_t = self._first_t
        for i, track_keys in enumerate(keys):
            number = numbers[i]
            if number is None:
                number = self._next
                self._next += 1
                first_t[number] = t_s
            current.update(dict.fromkeys(track_keys, number))
            fused.append(FusedTrack(number, x[i], P[i], cls[i], origins[i], sensors[i], labels[i], first_t[number],
                                    track_keys))
        self._number_of_key = current  # keys of tracks that are gone are forgotten
        sigma = np.sqrt(np.trace(P[:, :3, :3], axis1=1, axis2=2)).tolist()
        recent = {n: r for n, r in self._recent.items() if t_s - r[0] <= RENUMBER_MEMORY_S}
        for f, s in zip(fused, sigma, strict=True):
            recent[f.number] = (t_s, f.x, s, f.classification)
        self._recent = recent
        fused.sort(key=lambda f: f.number)
        return fused

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
