"""Ground truth of everything airborne, evaluated at any time for the sensors.

Ballistic rounds share vectorised `BallisticFlights` batches; air-breathing threats fly `RouteFlight`s.
`states(t)` gathers the airborne ones (launched and not yet down) into flat arrays in a stable order (the order
in which threats were launched), which is what a radar scan needs.

A raid of many launch orders would mean many small batches and a Python loop over them at every scan. So
ballistic batches are merged like a log-structured merge tree: a new batch is merged with the newest one while
it is at least half that one's size, so there are O(log n) batches of launches in flight and each missile is
copied O(log n) times (`BallisticFlights.concatenate` stacks the batches' rows as they are: nothing is solved
again, unless only one of the two has reentry drag). Batches whose flights have all ended are dropped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import compress
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
    """Flights of increasing serial numbers `serials`, in that order (consecutive, unless a merge joined a batch
    with the next after the batches between them were dropped)."""

    ids: tuple[str, ...]
    serials: NDArray[np.int64]
    start_t_s: NDArray[np.float64]
    end_t_s: NDArray[np.float64]
    ballistic: bool
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
    rows: slice | NDArray[np.int64] = field(init=False)
    """The serials as an index into the registry's columns (a slice when they are consecutive)."""

    def __post_init__(self) -> None:
        first, last = int(self.serials[0]), int(self.serials[-1])
        self.rows = slice(first, last + 1) if last - first + 1 == len(self.serials) else self.serials
        self.first_start_t_s, self.all_from_t_s = float(self.start_t_s.min()), float(self.start_t_s.max())
        self.set_ends(self.end_t_s)

    def set_ends(self, end_t_s: NDArray[np.float64]) -> None:
        """Replace the end times (a new array: snapshots never share a batch's arrays with a later change)."""
        self.end_t_s = end_t_s
        self.all_until_t_s, self.last_end_t_s = float(end_t_s.min()), float(end_t_s.max())

    @property
    def size(self) -> int:
        return len(self.ids)

    def row_of(self, serial: int) -> int | None:
        """The batch row of the threat with serial number `serial`, None when it is not in this batch."""
        k = int(np.searchsorted(self.serials, serial))
        return k if k < len(self.serials) and self.serials[k] == serial else None


class TruthRegistry:
    """The set of threat flights of a run, in launch-order.

    Every threat also has a row in the registry's columns, indexed by its serial number (ids, launch and end
    times, burnout time, RCS, ballistic flag). Batches hold increasing serials, each batch's above the batches'
    before it (a merge joins the last batch with the next), so the airborne threats in batch order are the
    airborne serials in increasing order:
    one mask over the columns gives a snapshot's ids, RCS, flags and serials, and each batch's rows of it.
    """

    def __init__(self) -> None:
        self._batches: list[_Batch] = []
        self._ended: dict[str, float] = {}  # threats destroyed in flight: id -> time
        self._version = 0  # counts the changes of the set of flights (launches, ends)
        self._last: tuple[float, int, TruthStates] | None = None  # (t, version, snapshot) of the last `states`
        self._serial: dict[str, int] = {}  # each threat's serial number, in the order received
        self.serial_of: Mapping[str, int] = MappingProxyType(self._serial)
        """Each threat id's serial number (`TruthStates.serial`), read-only."""
        self._ids: list[str] = []  # the columns, by serial number
        self._start, self._end, self._burnout, self._rcs = np.zeros(0), np.zeros(0), np.zeros(0), np.zeros(0)
        self._bal = np.zeros(0, bool)
        self._kept: tuple[bytes, tuple] | None = None  # (airborne mask, its columns) of the last snapshot

    def end(self, threat_id: str, t_s: float) -> None:
        """End a threat's flight at `t_s` (destroyed by an interceptor): it is no longer airborne from then on."""
        t_end = min(t_s, self._ended.get(threat_id, t_s))
        self._ended[threat_id] = t_end
        self._version += 1
        j = self._serial.get(threat_id)
        if j is None:  # not added yet: `_add` applies it
            return
        self._end[j] = min(self._end[j], t_end)
        for b in self._batches:  # the earlier ends are in every batch already: only this one to apply
            k = b.row_of(j)
            if k is not None:
                ends = b.end_t_s.copy()
                ends[k] = min(ends[k], t_end)
                b.set_ends(ends)

    def _with_ends(self, ids: Sequence[str], end: NDArray[np.float64]) -> NDArray[np.float64]:
        """A copy of the end times `end` of threats `ids` with their ends so far applied."""
        end = np.array(end, dtype=np.float64)
        for k, i in enumerate(ids):
            if i in self._ended:
                end[k] = min(end[k], self._ended[i])
        return end

    def _add(self, ids: Sequence[str], start: NDArray[np.float64], end: NDArray[np.float64],
             burnout: NDArray[np.float64], rcs_m2: float, ballistic: bool) -> tuple[int, NDArray[np.float64]]:
        """Number new threats (the next serials, in order) and add their columns, earlier ends applied; returns
        the first serial and their end times."""
        if len(set(ids)) != len(ids) or not self._serial.keys().isdisjoint(ids):
            raise ValueError("threat ids must be new and distinct")  # (checked first: a refused batch numbers none)
        first = len(self._serial)
        self._serial.update(zip(ids, range(first, first + len(ids)), strict=True))
        end = self._with_ends(ids, end)
        self._ids.extend(ids)
        self._start = np.concatenate([self._start, start])
        self._end = np.concatenate([self._end, end])
        self._burnout = np.concatenate([self._burnout, burnout])
        self._rcs = np.concatenate([self._rcs, np.full(len(ids), float(rcs_m2))])
        self._bal = np.concatenate([self._bal, np.full(len(ids), ballistic)])
        return first, end

    def add_ballistic(self, ids: list[str], solutions: list[BallisticSolution], beta_kg_m2: float | None,
                      rcs_m2: float, flights: BallisticFlights | None = None) -> None:
        """Add ballistic rounds (their solved flights, a ballistic coefficient for drag or None, one RCS); pass
        `flights` when the batch of exactly these solutions is already built."""
        beta = np.full(len(ids), np.inf if beta_kg_m2 is None else float(beta_kg_m2))
        if flights is None:
            flights = BallisticFlights.from_solutions(list(solutions), beta if np.isfinite(beta).any() else None)
        first, end = self._add(ids, np.asarray(flights.launch_t_s), np.asarray(flights.impact_t_s),
                               np.asarray(flights.burnout_t_s), rcs_m2, True)
        batch = _Batch(tuple(ids), np.arange(first, first + len(ids)), np.asarray(flights.launch_t_s), end, True,
                       flights=flights, solutions=tuple(solutions), beta_kg_m2=beta)
        while self._batches and self._batches[-1].ballistic and batch.size * 2 >= self._batches[-1].size:
            last = self._batches.pop()
            assert last.flights is not None and batch.flights is not None and last.beta_kg_m2 is not None
            beta = np.concatenate([last.beta_kg_m2, batch.beta_kg_m2])  # type: ignore[list-item]
            solutions_both = last.solutions + batch.solutions
            ids_both = last.ids + batch.ids
            serials = np.concatenate([last.serials, batch.serials])
            if (last.flights.drag is None) == (batch.flights.drag is None):
                merged = BallisticFlights.concatenate([last.flights, batch.flights])  # the rows of both as they are
                end = np.concatenate([last.end_t_s, batch.end_t_s])
            else:  # only one of them has drag: solved again together, so the vacuum rows' impact times may move
                merged = BallisticFlights.from_solutions(list(solutions_both),
                                                         beta if np.isfinite(beta).any() else None)
                end = self._with_ends(ids_both, np.asarray(merged.impact_t_s))
                self._end[serials] = end
            batch = _Batch(ids_both, serials, np.asarray(merged.launch_t_s), end, True, flights=merged,
                           solutions=solutions_both, beta_kg_m2=beta)
        self._batches.append(batch)
        self._version += 1

    def add_route(self, threat_id: str, route: RouteFlight, rcs_m2: float) -> None:
        start = np.array([route.t0_s])
        first, end = self._add((threat_id,), start, np.array([route.end_t_s]), start, rcs_m2, False)
        self._batches.append(_Batch((threat_id,), np.array([first]), start, end, False, route=route))
        self._version += 1

    def position(self, threat_id: str, t_s: float) -> NDArray[np.float64] | None:
        """ECEF position (3,), m, of one threat at `t_s`, None when it is not airborne then; only its own flight
        is evaluated."""
        j = self._serial.get(threat_id)
        if j is None or not self._start[j] <= t_s < self._end[j]:
            return None
        for b in self._batches:
            k = b.row_of(j)
            if k is None:
                continue
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
        flying = [b for b in self._batches if b.last_end_t_s > t_s]  # time only moves forward
        if len(flying) < len(self._batches):  # the dropped batches' threats are never airborne again, also in a
            for b in self._batches:           # snapshot asked for an earlier time: no id without its states
                if b.last_end_t_s <= t_s:
                    self._start[b.rows] = np.inf
            self._batches = flying
        live = (self._start <= t_s) & (t_s < self._end)
        ids, rcs, ballistic, serial, burnout = self._columns(live)
        # each airborne batch's states written in place into its rows of the snapshot (no results to join)
        pos, vel = np.empty((len(ids), 3)), np.empty((len(ids), 3))
        row = 0
        for b in self._batches:
            if t_s < b.first_start_t_s:
                continue
            mask = None  # the usual case: all of the batch airborne, no mask
            n_live = b.size
            if not b.all_from_t_s <= t_s < b.all_until_t_s:
                mask = live[b.rows]
                n_live = int(np.count_nonzero(mask))
                if not n_live:
                    continue
            end = row + n_live
            if b.flights is not None:
                b.flights.states_into(t_s, None if n_live == b.size else mask, pos[row:end], vel[row:end])
            else:
                assert b.route is not None
                p, v = b.route.state_ecef(np.array([t_s]))
                pos[row], vel[row] = p.reshape(3), v.reshape(3)
            row = end
        boosting = burnout > t_s
        for a in (pos, vel, boosting):
            a.flags.writeable = False
        return TruthStates(t_s, ids, pos, vel, rcs, ballistic, boosting, serial)

    def _columns(self, live: NDArray[np.bool_]) -> tuple[tuple[str, ...], NDArray[np.float64], NDArray[np.bool_],
                                                         NDArray[np.int64], NDArray[np.float64]]:
        """(ids, RCS, ballistic flags, serial numbers, burnout times) of the airborne serials `live` (read-only).
        They change only when the airborne set does (a launch or an end), so the last ones are kept and handed
        out again while the same threats fly."""
        key = live.tobytes()
        kept = self._kept
        if kept is not None and kept[0] == key:
            return kept[1]
        serial = np.flatnonzero(live)
        columns = (tuple(compress(self._ids, live.tolist())), self._rcs[serial], self._bal[serial], serial,
                   self._burnout[serial])
        for a in columns[1:]:
            a.flags.writeable = False
        self._kept = (key, columns)
        return columns
