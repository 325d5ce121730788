"""`ThreatMarks`: which threats of the current truth snapshot each nation already has in a growing set of labels
(the threats it has detected, or holds an own track of), as one boolean table.

Why: at every scan instant the air picture asks whether any report (or track) stems from a threat its nation
has not detected (or tracked) yet, to emit first-detection and first-track markers. Almost always the answer is
no; asking it label by label (sets of a few hundred strings per instant) cost more than the radar model. The
table answers it for all reports with one gather: rows are nations, columns the threats of the truth snapshot
(a report's truth index picks its column), plus a last column for false alarms (index −1), marked as held so a
false alarm is never new. The table is rebuilt only when the snapshot's threats (launches, ends) or a nation's
set (a new marker) changed.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray


class ThreatMarks:
    """A (nations × (threats + 1)) boolean table: whether each nation's set holds each threat id.

    `sets` maps every nation to its set of labels; the sets may grow (never shrink) between calls: the table
    follows them.
    """

    def __init__(self, nations: Sequence[str], sets: dict[str, set[str | None]]) -> None:
        self.row: dict[str, int] = {n: k for k, n in enumerate(nations)}
        """Each nation's row."""
        self._sets = [sets[n] for n in nations]
        self._ids: tuple[str, ...] | None = None
        self._sizes: list[int] = []
        self._table = np.zeros((len(nations), 1), dtype=bool)

    def table(self, ids: tuple[str, ...]) -> NDArray[np.bool_]:
        """The table for the threats `ids` (a truth snapshot's, in its order); do not modify."""
        sizes = [len(s) for s in self._sets]
        if ids != self._ids or sizes != self._sizes:
            self._table = np.array([[i in s for i in ids] + [True] for s in self._sets], dtype=bool).reshape(
                len(self._sets), len(ids) + 1)
            self._ids, self._sizes = ids, sizes
        return self._table
