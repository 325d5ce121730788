"""The scan's bookkeeping across instants: `ThreatMarks` and `LaunchColumns`.

`ThreatMarks`: whether each nation's growing set of threat labels (the threats it has detected, or holds an
own track of) holds the threat of each radar report, for all reports in one gather.

Why: at every scan instant the air picture asks whether any report stems from a threat its nation has not
detected (or tracked) yet, to emit first-detection and first-track markers. Almost always the answer is no;
asking it label by label (sets of a few hundred strings per instant) cost more than the radar model, and so did
a table over the threats of each truth snapshot (the airborne threats change at most instants). Here the table's
columns are the threats' serial numbers (`TruthRegistry.serial_of`, `TruthStates.serial`: one per threat for
the whole run), plus a last column for false alarms, marked as held so a false alarm is never new; a nation's
row is rebuilt only when its set grew (a new marker), and the table widened when new threats arrived.

`LaunchColumns`: the engine's launch lists as arrays for the space sensors, converted as they grow (each space
scan converted every launch of the run, a list of a few hundred small arrays, to arrays again).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from numpy.typing import NDArray

from amdx.engine.truth import TruthStates


class ThreatMarks:
    """Per nation (a row), whether its set holds each threat (a column per serial number).

    `sets` maps every nation to its set of labels (threat ids, or None); the sets may grow (never shrink)
    between calls, and `serial_of` (the truth registry's) gain threats: the table follows them.
    """

    def __init__(self, nations: Sequence[str], sets: dict[str, set[str | None]],
                 serial_of: Mapping[str, int]) -> None:
        self.row: dict[str, int] = {n: k for k, n in enumerate(nations)}
        """Each nation's row."""
        self._sets = [sets[n] for n in nations]
        self._serial_of = serial_of
        self._sizes = [-1] * len(nations)  # the set sizes each row was built for (-1: not yet)
        self._table = np.ones((len(nations), 1), dtype=bool)

    def held(self, nation: NDArray[np.int64], serial: NDArray[np.int64]) -> NDArray[np.bool_]:
        """Whether the set of nation row nation[k] holds the threat of serial number serial[k] (−1, a false
        alarm: held), for each report k (`report_serials` gives the serials of a scan's reports)."""
        width = len(self._serial_of) + 1
        if self._table.shape[1] < width:  # new threats: in no set yet unless a set grew, which rebuilds its row
            table = np.zeros((len(self._sets), width), dtype=bool)
            table[:, :self._table.shape[1] - 1] = self._table[:, :-1]
            table[:, -1] = True
            self._table = table
        for k, labels in enumerate(self._sets):
            if len(labels) != self._sizes[k]:
                row = self._table[k]
                row[:-1] = False
                row[[j for j in map(self._serial_of.get, labels) if j is not None]] = True
                self._sizes[k] = len(labels)
        return self._table[nation, serial]


def report_serials(truth: TruthStates, truth_index: NDArray[np.int64]) -> NDArray[np.int64]:
    """The serial number of each report's threat (truth_index into the snapshot `truth`), −1 for a false alarm
    (truth index −1)."""
    return np.concatenate((truth.serial, np.full(1, -1, np.int64)))[truth_index]


class LaunchColumns:
    """The engine's launch lists (`ids`, `launch_t_s`, `burnout_t_s`, `launch_ecef_m`, `heading_rad`: one entry
    appended per ballistic launch, never changed) as arrays for the space sensors' scans: each call converts only
    the entries appended since the last one, instead of every launch of the run at every scan."""

    _NAMES = ("launch_t_s", "burnout_t_s", "launch_ecef_m", "heading_rad")

    def __init__(self) -> None:
        self._n = 0  # the launches converted so far
        self._arrays: list[NDArray[np.float64]] = []
        self._clear()

    def _clear(self) -> None:
        self._n = 0
        self._arrays = [np.zeros(0), np.zeros(0), np.zeros((0, 3)), np.zeros(0)]

    def arrays(self, launches: dict[str, list]) -> tuple[NDArray[np.float64], ...]:
        """(launch times (m,) s, burnout times (m,) s, launch points (m, 3) ECEF m, headings (m,) rad) of the m
        launches in `launches` (read-only arrays)."""
        m = len(launches["ids"])
        if m < self._n:  # (the lists only grow; anything else starts afresh)
            self._clear()
        if m > self._n:
            tails = [np.asarray(launches[name][self._n:m], dtype=np.float64).reshape(-1, *a.shape[1:])
                     for name, a in zip(self._NAMES, self._arrays, strict=True)]
            self._arrays = [np.concatenate([a, tail]) for a, tail in zip(self._arrays, tails, strict=True)]
            for a in self._arrays:
                a.flags.writeable = False
            self._n = m
        return tuple(self._arrays)
