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

import functools
import itertools
import operator
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple, overload

import numpy as np
from numpy.typing import NDArray

from amdx.engine.fusion_kernels import (
    correlate_from,
    duplicate_pairs,
    fold_or_start,
    fold_pairs,
    group_rows,
    keep_fold,
    merge_pairs,
    picture_rows,
    recent_after,
    renew_numbers,
)
from amdx.tracking.association import GnnAssociator

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


class FusedTrack(NamedTuple):
    """One track of a national picture. A named tuple because a run makes one per track per picture (over
    100,000 at 500 threats), and a tuple is the cheapest object to make; compared by identity, as any object."""

    number: int
    x: _Array
    P: _Array
    classification: int
    origins: tuple[str, ...]
    sensor_id: str | None
    label: str | None
    first_t_s: float
    keys: tuple[str, ...]

    __eq__ = object.__eq__
    __ne__ = object.__ne__
    __hash__ = object.__hash__


@dataclass(frozen=True, eq=False)
class FusedPicture(Sequence[FusedTrack]):
    """A national picture, ordered by track number: its columns (read in bulk by the picture entries, impact
    prediction and the data link) and, made from them on first use, the sequence of its `FusedTrack`s.

    Attributes:
        number: (n,) track numbers, ascending.
        x: (n, 6) ECEF states, m and m/s; P: (n, 6, 6) covariances.
        classification: (n,) classification codes.
        origins, sensor_id, label, first_t_s, keys: per track, as the `FusedTrack` fields of those names.
    """

    number: NDArray[np.int64]
    x: _Array
    P: _Array
    classification: NDArray[np.int8]
    origins: list[tuple[str, ...]]
    sensor_id: list[str | None]
    label: list[str | None]
    first_t_s: list[float]
    keys: list[tuple[str, ...]]

    @classmethod
    def empty(cls) -> FusedPicture:
        """A picture without tracks (a nation's before its first picture time)."""
        return cls(np.zeros(0, np.int64), np.zeros((0, 6)), np.zeros((0, 6, 6)), np.zeros(0, np.int8), [], [], [], [],
                   [])

    @cached_property
    def tracks(self) -> list[FusedTrack]:
        """The picture's tracks (their states and covariances are rows of `x` and `P`)."""
        return list(map(tuple.__new__, itertools.repeat(FusedTrack),
                        zip(self.number.tolist(), self.x, self.P, self.classification.tolist(), self.origins,
                            self.sensor_id, self.label, self.first_t_s, self.keys, strict=True)))

    def __len__(self) -> int:
        return len(self.number)

    @overload
    def __getitem__(self, i: int) -> FusedTrack: ...

    @overload
    def __getitem__(self, i: slice) -> list[FusedTrack]: ...

    def __getitem__(self, i: int | slice) -> FusedTrack | list[FusedTrack]:
        return self.tracks[i]

    def __iter__(self) -> Iterator[FusedTrack]:
        return iter(self.tracks)


def covariance_intersection(xa: _Array, Pa: _Array, xb: _Array, Pb: _Array) -> tuple[_Array, _Array]:
    """Batched covariance intersection of states (k, 6) and covariances (k, 6, 6) with the fast trace weight (a
    side given once, (6,) and (6, 6), or with k = 1, is used for every row)."""
    x, xb2 = (np.asarray(a, dtype=np.float64).reshape(-1, 6) for a in (xa, xb))
    P, Pb2 = (np.asarray(a, dtype=np.float64).reshape(-1, 6, 6) for a in (Pa, Pb))
    if x.shape[0] != P.shape[0] or xb2.shape[0] != Pb2.shape[0]:
        raise ValueError(f"states and covariances differ in count: {x.shape[0]} and {P.shape[0]}, "
                         f"{xb2.shape[0]} and {Pb2.shape[0]}")
    k = np.broadcast_shapes((x.shape[0],), (xb2.shape[0],))[0]
    x, P = np.array(np.broadcast_to(x, (k, 6))), np.array(np.broadcast_to(P, (k, 6, 6)))
    xb2 = np.ascontiguousarray(np.broadcast_to(xb2, (k, 6)))
    Pb2 = np.ascontiguousarray(np.broadcast_to(Pb2, (k, 6, 6)))
    rows = np.arange(k)
    fold_pairs(x, P, rows, xb2, Pb2, rows)
    return x, P


class _Fold:
    """The fused estimates of one picture while source tracks (rows, in source order) are folded in. The fused
    rows live in arrays sized for the worst case (every source row its own fused track); `n` are in use."""

    def __init__(self, x: _Array, P: _Array, src_of: NDArray[np.intp], n_sources: int,
                 associator: GnnAssociator) -> None:
        self.rx, self.rP, self.src_of = x, P, src_of
        self.associator = associator
        self.member = np.full(len(x), -1, np.intp)
        """Fused row of each source row (-1: not yet folded)."""
        self.n = 0
        self._x = np.empty((len(x), 6))
        self._P = np.empty((len(x), 6, 6))
        self._has = np.zeros((len(x), n_sources), bool)
        """Whether a fused row holds a track of each source."""

    @property
    def x(self) -> _Array:
        return self._x[:self.n]

    @property
    def cov(self) -> _Array:
        return self._P[:self.n]

    @property
    def has(self) -> NDArray[np.bool_]:
        return self._has[:self.n]

    def keep_correlations(self, prev: NDArray[np.int64]) -> None:
        """Step 1: rows whose key had fused number prev[i] ≥ 0 last time regroup under it, each group fused in
        source order; a member outside the gate of its group's estimate so far is left for step 2."""
        self.n += keep_fold(self._x, self._P, self._has, self.member, self.rx, self.rP, self.src_of, prev, self.n,
                            self.associator.gate_d2)  # each group's first row starts a fused track

    def correlate_rest(self) -> None:
        """Step 2: source by source, the rows not yet folded are associated to the fused tracks holding no track
        of their source; the others start new fused tracks. The rows that form a component of the gate graph
        alone with a clear nearest candidate are settled by `lone_nearest` (as the associator would); only the
        rest goes to the associator, with the fused tracks near them (none when there is none). One compiled pass
        (`correlate_from`) runs the sources until one needs the associator, and goes on after it."""
        s = 0
        while True:
            self.n, s, rows, fused_of, solve, cand, solve_c = correlate_from(
                self._x, self._P, self._has, self.member, self.n, self.rx, self.rP, self.src_of, s,
                self.associator.gate_d2)
            if s < 0:
                return
            tracks, solve = cand[solve_c], np.flatnonzero(solve)
            assoc = self.associator.associate(self._x[tracks, :3], self._P[tracks, :3, :3],
                                              self.rx[rows[solve], :3], self.rP[rows[solve], :3, :3])
            tom = np.asarray(assoc.track_of_measurement)
            fused_of[solve[tom >= 0]] = tracks[tom[tom >= 0]]
            self.n = fold_or_start(self._x, self._P, self._has, self.member, self.n, self.rx, self.rP, rows,
                                   fused_of, s)
            s += 1

    def merge_duplicates(self) -> None:
        """Step 3: two fused tracks with no source in common whose positions pass the χ² gate (both covariances)
        hold one target twice (e.g. split when a source's tracks came and went): merge them, nearest pairs
        first, each fused track at most once per picture (a threat held three times is mended over two)."""
        k = self.n
        if k < 2:
            return
        keep_rows, gone = duplicate_pairs(self.x, self.cov, self.has, self.associator.gate_d2)
        if keep_rows.size:
            self.n = merge_pairs(self._x, self._P, self._has, self.member, k, keep_rows, gone)


@dataclass(frozen=True)
class _Recent:
    """The fused tracks of the last `RENUMBER_MEMORY_S` seconds, each as last seen: number, time, state,
    position σ (√ tr of the position covariance) and classification."""

    number: NDArray[np.int64]
    t_s: _Array
    x: _Array
    sigma: _Array
    classification: NDArray[np.int8]


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
        self._keys = _KeyNumbers()
        self._first_t = np.zeros(64)
        """The time each track number was first given (index: the number)."""
        self._recent = _Recent(np.zeros(0, np.int64), np.zeros(0), np.zeros((0, 6)), np.zeros(0), np.zeros(0, np.int8))
        self._next = 1

    def fuse(self, t_s: float, sources: list[SourceTracks]) -> FusedPicture:
        """The national picture at `t_s` from `sources` (in their fixed order), ordered by track number (a
        sequence of `FusedTrack`s, with its columns)."""
        keys = list(itertools.chain.from_iterable(src.keys for src in sources))
        if not keys:
            self._number(t_s, np.zeros((0, 6)), np.zeros(0), np.zeros(0, np.int8), np.zeros(0, np.int64))
            self._keys.remember([], np.zeros(0, np.intp), np.zeros(0, np.int64))
            return FusedPicture.empty()
        src_of = np.repeat(np.arange(len(sources)), [len(src.keys) for src in sources])
        x = np.concatenate([src.x for src in sources])
        P = np.concatenate([src.P for src in sources])
        fusion = _Fold(x, P, src_of, len(sources), self._associator)
        slots, prev = self._keys.previous(keys)
        fusion.keep_correlations(prev)
        fusion.correlate_rest()
        fusion.merge_duplicates()
        n, member, fx, fP = fusion.n, fusion.member, fusion.x, fusion.cov
        row_cls = np.concatenate([src.classification for src in sources]).astype(np.int8)
        order, starts, cls, sigma, kept = group_rows(member, n, prev, row_cls, fP)
        number = self._number(t_s, fx, sigma, cls, kept)
        self._keys.remember(keys, slots, number[member])
        # the picture's columns by number; per track its source rows (in source order) and its set of sources
        by_number, rows, bounds, set_of, first = picture_rows(number, order, starts, fusion.has)
        rows, bounds = rows.tolist(), bounds.tolist()
        keys_by = tuple(map(keys.__getitem__, rows))
        group_keys = [keys_by[bounds[g]:bounds[g + 1]] for g in range(n)]
        # the origins of each distinct set of sources, once (from its first track's sources, in source order)
        origin_of = [src.origin for src in sources]
        held = [tuple(dict.fromkeys(itertools.compress(origin_of, row)))
                for row in fusion.has[by_number[first]].tolist()]
        sensors = _first_given(list(itertools.chain.from_iterable(src.sensor_ids for src in sources)), rows, bounds)
        labels = _first_given(list(itertools.chain.from_iterable(src.labels for src in sources)), rows, bounds)
        number = number[by_number]
        columns = number, fx[by_number], fP[by_number], cls[by_number]
        for column in columns:  # shared with the battle tables, the entries and the data link: nobody writes
            column.flags.writeable = False
        return FusedPicture(*columns, list(map(held.__getitem__, set_of.tolist())), sensors, labels,
                            self._first_t[number].tolist(), group_keys)

    def _number(self, t_s: float, x: _Array, sigma: _Array, cls: NDArray[np.int8],
                number: NDArray[np.int64]) -> NDArray[np.int64]:
        """Number the fused tracks (states `x`, position σ `sigma`, classifications `cls`; stable numbers, see the
        module docstring): `number` holds the number each keeps from its sources (−1 for none) and is completed
        in place (renewed numbers, then new ones in row order); remember them. Returns `number`.

        A fused track whose sources are all new takes the number of a track lost in the last `RENUMBER_MEMORY_S`
        seconds when it is where that track was predicted to be (its sources were dropped and started again, e.g.
        after missed looks): one threat keeps one number (`renew_numbers`: nearest pairs first)."""
        old = self._recent
        renew_numbers(t_s, x, sigma, cls, number, old.number, old.t_s, old.x, old.sigma, old.classification,
                      self._next, RENUMBER_GATE_M, GRAVITY_MPS2, BALLISTIC_CLASS)
        fresh = np.flatnonzero(number < 0)
        if fresh.size:
            number[fresh] = np.arange(self._next, self._next + fresh.size)
            self._next += fresh.size
            if self._next > len(self._first_t):
                self._first_t = np.concatenate([self._first_t, np.zeros(max(self._next, len(self._first_t)))])
            self._first_t[number[fresh]] = t_s
        self._recent = _Recent(*recent_after(t_s, number, x, sigma, cls, old.number, old.t_s, old.x, old.sigma,
                                             old.classification, self._next, RENUMBER_MEMORY_S))
        return number


class _KeyNumbers:
    """The fused track number of each source key in the last picture (−1: not in it), kept as one number per
    slot: every key seen gets a slot (a dict lookup per key and picture), and the numbers of a picture are
    written over the last one's in one scatter instead of a dict made per picture. Keys not seen for a while
    are forgotten when the slots outgrow `SLOT_SLACK` times a picture's keys."""

    SLOT_SLACK = 4

    def __init__(self) -> None:
        self._slot_of: dict[str, int] = {}
        self._used = 0
        """Slots handed out (a key seen twice in one picture takes two; the dict keeps its last)."""
        self._number = np.full(1, -1, np.int64)
        """Each slot's number; the last entry stays −1 (slot −1, an unknown key)."""
        self._last = np.zeros(0, np.intp)
        """The slots of the last picture's keys."""

    def previous(self, keys: list[str]) -> tuple[NDArray[np.intp], NDArray[np.int64]]:
        """The slot of each key (−1 for a key never seen) and its number in the last picture (−1: none)."""
        slots = np.fromiter(map(self._slot_of.get, keys, itertools.repeat(-1)), np.intp, len(keys))
        return slots, self._number[slots]

    def remember(self, keys: list[str], slots: NDArray[np.intp], number: NDArray[np.int64]) -> None:
        """This picture's numbers of `keys` (their `slots` from `previous`, completed here for new keys)."""
        if self._used + len(keys) > self.SLOT_SLACK * len(keys) + 1024:  # forget the keys not held now
            self._slot_of, slots, self._used = {}, np.full(len(keys), -1, np.intp), 0
            self._number, self._last = np.full(1, -1, np.int64), np.zeros(0, np.intp)
        self._number[self._last] = -1
        new = np.flatnonzero(slots < 0)
        if new.size:
            base, self._used = self._used, self._used + new.size
            self._slot_of.update(zip(map(keys.__getitem__, new.tolist()), range(base, self._used), strict=True))
            slots[new] = np.arange(base, self._used)
            if self._used >= len(self._number):
                grown = np.full(2 * self._used + 1, -1, np.int64)
                grown[:len(self._number) - 1] = self._number[:-1]
                self._number = grown
        self._number[slots] = number
        self._last = slots


_is_given = functools.partial(operator.is_not, None)
"""Whether a value is not None."""


def _first_given(values: list[str | None], rows: list[int], bounds: list[int]) -> list[str | None]:
    """Per group of rows (`rows[bounds[g]:bounds[g + 1]]`, each group's rows ascending), the first of their
    `values` that is not None (None if none): the value of each group's first row, looked past only where that is
    None (a partner's track without its sensor, a false alarm's label: few, mostly alone in their group)."""
    first = list(map(values.__getitem__, map(rows.__getitem__, bounds[:-1])))
    if None in first:
        for g in [g for g, v in enumerate(first) if v is None]:
            first[g] = next(filter(_is_given, map(values.__getitem__, rows[bounds[g] + 1:bounds[g + 1]])), None)
    return first
