"""Ground truth of everything airborne, evaluated at any time for the sensors.

Ballistic rounds share vectorised `BallisticFlights` batches; air-breathing threats fly `RouteFlight`s.
`states(t)` gathers the airborne ones (launched and not yet down) into flat arrays in a stable order (the order
in which threats were launched), which is what a radar scan needs.

A raid of many launch orders would mean many small batches and a Python loop over them at every scan. So
ballistic batches are merged like a log-structured merge tree: a new batch is merged with the newest one while
it is at least half that one's size, so there are O(log n) batches and each missile is copied O(log n) times
(`BallisticFlights.concatenate` stacks the batches' rows as they are: nothing is solved again).
Batches whose flights have all ended are dropped.
"""

from __future__ import annotations

import operator
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain, compress
from types import MappingProxyType

import numpy as np
from numpy.typing import NDArray

from amdx.flight.ballistic import BallisticSolution
from amdx.flight.flights import BallisticFlights
from amdx.flight.route import RouteFlight


@dataclass(frozen=True)
class TruthStates:
    """Airborne threats at one time: ids (m,), ECEF positions (m,3) m, velocities (m,3) m/s, RCS (m,) m²,
    ballistic flags (m,), boost flags (m,) and serial numbers (m,) (each threat's, in the order the registry
    received them: one number per threat for the whole run, so tables over threats need not look up ids); the
    arrays are read-only (a snapshot may be handed out again)."""

    t_s: float
    ids: tuple[str, ...]
    pos_ecef_m: NDArray[np.float64]
    vel_ecef_mps: NDArray[np.float64]
    rcs_m2: NDArray[np.float64]
    ballistic: NDArray[np.bool_]
    boosting: NDArray[np.bool_]
    serial: NDArray[np.int64]

    def __len__(self) -> int:
        return len(self.ids)


@dataclass
class _Batch:
    ids: tuple[str, ...]
    rcs_m2: NDArray[np.float64]
    start_t_s: NDArray[np.float64]
    end_t_s: NDArray[np.float64]
    burnout_t_s: NDArray[np.float64]
    ballistic: bool
    serial: NDArray[np.int64]
    flights: BallisticFlights | None = None
    route: RouteFlight | None = None
    solutions: tuple[BallisticSolution, ...] = ()
    beta_kg_m2: NDArray[np.float64] | None = None
    first_start_t_s: float = field(init=False)
    """The earliest launch: before it, none of the batch is airborne."""
    all_from_t_s: float = field(init=False)
    """The latest launch: from it until `all_until_t_s`, all of the batch is airborne."""
    all_until_t_s: float = field(init=False)
    """The earliest end."""
    last_end_t_s: float = field(init=False)
    """The latest end: from it on, none of the batch is airborne."""

    def __post_init__(self) -> None:
        self.first_start_t_s, self.all_from_t_s = float(self.start_t_s.min()), float(self.start_t_s.max())
        self.set_ends(self.end_t_s)

    def set_ends(self, end_t_s: NDArray[np.float64]) -> None:
        """Replace the end times (a new array: snapshots never share a batch's arrays with a later change)."""
        self.end_t_s = end_t_s
        self.all_until_t_s, self.last_end_t_s = float(end_t_s.min()), float(end_t_s.max())

    @property
    def size(self) -> int:
        return len(self.ids)


class TruthRegistry:
    """The set of threat flights of a run, in launch-order."""

    def __init__(self) -> None:
        self._batches: list[_Batch] = []
        self._ended: dict[str, float] = {}  # threats destroyed in flight: id -> time
        self._version = 0  # counts the changes of the set of flights (launches, ends)
        self._last: tuple[float, int, TruthStates] | None = None  # (t, version, snapshot) of the last `states`
        self._kept: tuple[list[_Batch], list[bytes | None], tuple] | None = None  # the last `_columns`
        self._serial: dict[str, int] = {}  # each threat's serial number, in the order received
        self.serial_of: Mapping[str, int] = MappingProxyType(self._serial)
        """Each threat id's serial number (`TruthStates.serial`), read-only."""

    def end(self, threat_id: str, t_s: float) -> None:
        """End a threat's flight at `t_s` (destroyed by an interceptor): it is no longer airborne from then on."""
        t_end = min(t_s, self._ended.get(threat_id, t_s))
        self._ended[threat_id] = t_end
        self._version += 1
        for b in self._batches:  # the earlier ends are in every batch already: only this one to apply
            if threat_id in b.ids:
                k = b.ids.index(threat_id)
                ends = b.end_t_s.copy()
                ends[k] = min(ends[k], t_end)
                b.set_ends(ends)

    def _apply_ends(self, b: _Batch) -> None:
        hits = [(k, self._ended[i]) for k, i in enumerate(b.ids) if i in self._ended]
        if hits:
            ends = b.end_t_s.copy()
            for k, t in hits:
                ends[k] = min(ends[k], t)
            b.set_ends(ends)

    def _serials(self, ids: Sequence[str]) -> NDArray[np.int64]:
        """Serial numbers for new threats (the next ones, in order)."""
        if len(set(ids)) != len(ids) or not self._serial.keys().isdisjoint(ids):
            raise ValueError("threat ids must be new and distinct")  # (checked first: a refused batch numbers none)
        first = len(self._serial)
        self._serial.update(zip(ids, range(first, first + len(ids)), strict=True))
        return np.arange(first, first + len(ids), dtype=np.int64)

    def add_ballistic(self, ids: list[str], solutions: list[BallisticSolution], beta_kg_m2: float | None,
                      rcs_m2: float, flights: BallisticFlights | None = None) -> None:
        """Add ballistic rounds (their solved flights, a ballistic coefficient for drag or None, one RCS); pass
        `flights` when the batch of exactly these solutions is already built."""
        beta = np.full(len(ids), np.inf if beta_kg_m2 is None else float(beta_kg_m2))
        batch = self._ballistic_batch(tuple(ids), tuple(solutions), beta, np.full(len(ids), float(rcs_m2)),
                                      self._serials(ids), flights)
        while self._batches and self._batches[-1].ballistic and batch.size * 2 >= self._batches[-1].size:
            last = self._batches.pop()
            assert last.flights is not None and batch.flights is not None
            merged = None  # the rows of both batches as they are, unless only one of them has drag
            if (last.flights.drag is None) == (batch.flights.drag is None):
                merged = BallisticFlights.concatenate([last.flights, batch.flights])
            batch = self._ballistic_batch(last.ids + batch.ids, last.solutions + batch.solutions,
                                          np.concatenate([last.beta_kg_m2, batch.beta_kg_m2]),  # type: ignore[list-item]
                                          np.concatenate([last.rcs_m2, batch.rcs_m2]),
                                          np.concatenate([last.serial, batch.serial]), merged)
        self._apply_ends(batch)
        self._batches.append(batch)
        self._version += 1

    @staticmethod
    def _ballistic_batch(ids: tuple[str, ...], solutions: tuple[BallisticSolution, ...], beta: NDArray[np.float64],
                         rcs: NDArray[np.float64], serial: NDArray[np.int64],
                         flights: BallisticFlights | None = None) -> _Batch:
        if flights is None:
            flights = BallisticFlights.from_solutions(list(solutions), beta if np.isfinite(beta).any() else None)
        return _Batch(ids, rcs, np.asarray(flights.launch_t_s), np.asarray(flights.impact_t_s),
                      np.asarray(flights.burnout_t_s), True, serial, flights=flights, solutions=solutions,
                      beta_kg_m2=beta)

    def add_route(self, threat_id: str, route: RouteFlight, rcs_m2: float) -> None:
        self._batches.append(_Batch((threat_id,), np.array([rcs_m2]), np.array([route.t0_s]),
                                    np.array([route.end_t_s]), np.array([route.t0_s]), False,
                                    self._serials((threat_id,)), route=route))
        self._version += 1

    def position(self, threat_id: str, t_s: float) -> NDArray[np.float64] | None:
        """ECEF position (3,), m, of one threat at `t_s`, None when it is not airborne then; only its own flight
        is evaluated."""
        for b in self._batches:
            if threat_id not in b.ids:
                continue
            k = b.ids.index(threat_id)
            if not b.start_t_s[k] <= t_s < b.end_t_s[k]:
                return None
            if b.flights is not None:
                return b.flights.position_of(k, t_s)
            assert b.route is not None
            return np.asarray(b.route.state_ecef(np.array([t_s]))[0], dtype=np.float64).reshape(3)
        return None

    def states(self, t_s: float) -> TruthStates:
        """Airborne threats at `t_s` (launch ≤ t < end); read-only arrays. The last snapshot is kept: the radar
        scans and the picture of one instant ask for the same one (any launch or end in between makes a new
        one)."""
        t_s = float(t_s)
        cached = self._last
        if cached is not None and cached[0] == t_s and cached[1] == self._version:
            return cached[2]
        snapshot = self._snapshot(t_s)
        self._last = (t_s, self._version, snapshot)
        return snapshot

    def _snapshot(self, t_s: float) -> TruthStates:
        self._batches = [b for b in self._batches if b.last_end_t_s > t_s]  # time only moves forward
        parts: list[tuple[_Batch, NDArray[np.bool_] | None, int]] = []  # (batch, airborne mask or None: all, count)
        for b in self._batches:
            if t_s < b.first_start_t_s:
                continue
            if b.all_from_t_s <= t_s < b.all_until_t_s:  # the usual case: all of the batch airborne, no mask
                parts.append((b, None, b.size))
                continue
            live = (b.start_t_s <= t_s) & (t_s < b.end_t_s)
            n_live = int(np.count_nonzero(live))
            if n_live:
                parts.append((b, None if n_live == b.size else live, n_live))
        ids, rcs, ballistic, serial, burnout = self._columns(parts)
        # each batch's states written in place into its rows of the snapshot (no per-batch results to join)
        pos, vel = np.empty((len(ids), 3)), np.empty((len(ids), 3))
        row = 0
        for b, live, n_live in parts:
            end = row + n_live
            if b.flights is not None:
                b.flights.states_into(t_s, live, pos[row:end], vel[row:end])
            else:
                assert b.route is not None
                p, v = b.route.state_ecef(np.array([t_s]))
                pos[row], vel[row] = p.reshape(3), v.reshape(3)
            row = end
        boosting = burnout > t_s
        for a in (pos, vel, boosting):
            a.flags.writeable = False
        return TruthStates(t_s, ids, pos, vel, rcs, ballistic, boosting, serial)

    def _columns(self, parts: list[tuple[_Batch, NDArray[np.bool_] | None, int]]
                 ) -> tuple[tuple[str, ...], NDArray[np.float64], NDArray[np.bool_], NDArray[np.int64],
                            NDArray[np.float64]]:
        """(ids, RCS, ballistic flags, serial numbers, burnout times) of the airborne rows `parts` (read-only).
        They change only when the airborne set does (a launch or an end: a few hundred of a run's instants),
        so the last ones are kept and handed out again while the same rows of the same batches are airborne
        (a batch's ids, RCS, serials and burnout times never change)."""
        key = [None if live is None else live.tobytes() for _, live, _ in parts]
        kept = self._kept
        if kept is not None and kept[1] == key and all(map(operator.is_, kept[0], (b for b, _, _ in parts))):
            return kept[2]
        if not parts:
            columns = ((), np.zeros(0), np.zeros(0, bool), np.zeros(0, np.int64), np.zeros(0))
        else:
            def gather(name: str) -> NDArray:
                return np.concatenate([getattr(b, name) if live is None else getattr(b, name)[live]
                                       for b, live, _ in parts])

            ids = [b.ids if live is None else tuple(compress(b.ids, live.tolist())) for b, live, _ in parts]
            columns = (ids[0] if len(ids) == 1 else tuple(chain.from_iterable(ids)), gather("rcs_m2"),
                       np.repeat([b.ballistic for b, _, _ in parts], [n for _, _, n in parts]), gather("serial"),
                       gather("burnout_t_s"))
        for a in columns[1:]:
            a.flags.writeable = False
        self._kept = ([b for b, _, _ in parts], key, columns)
        return columns
