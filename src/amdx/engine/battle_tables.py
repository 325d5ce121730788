"""A nation's picture and its threat verdicts as battle management holds them: columns, with a per-track record
made only for a track asked for by id.

Why: a picture holds hundreds of tracks, and most are unchanged hostile ballistic threats that no step of the
cycle looks at one by one: threat evaluation, correlation into threats and the reach test read whole columns
(states, classifications, impacts, position errors, keys). Making a `TrackView` and a `Verdict` per track per
picture was the largest Python cost of the cycle; here they are made on first access by id and kept for the rest
of the picture, so a track asked twice in one picture is the same object (fire control memoises paths by it).
"""

from __future__ import annotations

import itertools
import math
import operator
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from amdx.engine.battle_state import TrackView, Verdict
from amdx.engine.fusion import FusedPicture


class _ById:
    """Membership, order and size of a table keyed by track id: `ids` in order, `row` each id's index."""

    ids: list[str]
    row: dict[str, int]

    def __contains__(self, track_id: object) -> bool:
        return track_id in self.row

    def __iter__(self) -> Iterator[str]:
        return iter(self.ids)

    def __len__(self) -> int:
        return len(self.ids)


class TrackTable(_ById, Mapping[str, TrackView]):
    """One nation's latest picture: {track id: `TrackView`} in picture order, over the picture's columns.

    `entries` are the `AirPicture.tracks` entries, `fused` the `FusedPicture` they were made from (same order;
    its columns `x`, `P`, `label` and `keys` are read, never its per-track objects).
    """

    def __init__(self, nation: str, entries: Sequence[dict[str, Any]], fused: FusedPicture) -> None:
        if len(entries) != len(fused):
            raise ValueError(f"{nation}: {len(entries)} picture entries for {len(fused)} fused tracks")
        self.nation = nation
        self.entries = entries
        self.fused = fused
        self.ids: list[str] = list(map(operator.itemgetter("track_id"), entries))
        """Track ids in picture order."""
        self.row: dict[str, int] = dict(zip(self.ids, range(len(self.ids)), strict=True))
        """Each track id's row."""
        self._views: dict[str, TrackView] = {}
        self._columns: dict[str, list[Any]] = {}
        self._id_rank: NDArray[np.intp] | None = None

    def __getitem__(self, track_id: str) -> TrackView:
        view = self._views.get(track_id)
        if view is None:
            k = self.row[track_id]
            e, f = self.entries[k], self.fused
            view = self._views[track_id] = TrackView(track_id, self.nation, f.x[k], f.P[k], e["classification"],
                                                     f.label[k], f.keys[k], e["impact"], float(e["pos_sigma_m"]))
        return view

    def get(self, track_id: str, default: Any = None) -> Any:  # the Mapping default, without its exception
        return self[track_id] if track_id in self.row else default

    @property
    def x(self) -> NDArray[np.float64]:
        """States (n, 6), ECEF m and m/s (the picture's own column: not to be modified)."""
        return self.fused.x

    def column(self, field: str) -> list[Any]:
        """One field of every entry, in picture order (e.g. "classification", "impact", "pos_sigma_m"); made once
        per picture (the caller does not modify it)."""
        column = self._columns.get(field)
        if column is None:
            column = self._columns[field] = list(map(operator.itemgetter(field), self.entries))
        return column

    def id_rank(self) -> NDArray[np.intp]:
        """(n,) each row's place in track id order (made once per picture): sorting rows by it sorts them by id."""
        rank = self._id_rank
        if rank is None:
            rank = self._id_rank = np.empty(len(self.ids), np.intp)
            rank[sorted(range(len(self.ids)), key=self.ids.__getitem__)] = np.arange(len(self.ids))
        return rank

    def keys_column(self) -> list[tuple[str, ...]]:
        """Every track's source keys, in picture order (the picture's own column: not to be modified)."""
        return self.fused.keys


class VerdictTable(_ById, Mapping[str, Verdict]):
    """One nation's threat verdicts of this cycle: {track id: `Verdict`}, over the evaluation's columns.

    ids (k,) in evaluation order; probability (k, a) against the assets `asset_ids`; value at risk (k,);
    time to impact (k,), s, NaN when unknown.
    """

    def __init__(self, ids: list[str], probability: NDArray[np.float64], value_at_risk: NDArray[np.float64],
                 time_to_impact_s: NDArray[np.float64], asset_ids: list[str]) -> None:
        self.ids = ids
        self.row: dict[str, int] = dict(zip(ids, range(len(ids)), strict=True))
        self.probability = probability
        """(k, a) each track's probability against each asset (not to be modified)."""
        self.value_at_risk = value_at_risk
        """(k,) each track's value at risk, in evaluation order (not to be modified)."""
        self._tti = time_to_impact_s
        self._asset_ids = asset_ids
        self._made: dict[str, Verdict] = {}

    def __getitem__(self, track_id: str) -> Verdict:
        verdict = self._made.get(track_id)
        if verdict is None:
            k = self.row[track_id]
            tti = float(self._tti[k])
            p = self.probability[k].tolist()  # the non-zero probabilities, in asset order
            verdict = self._made[track_id] = Verdict(
                dict(itertools.compress(zip(self._asset_ids, p, strict=True),
                                        map(operator.gt, p, itertools.repeat(0.0)))),
                float(self.value_at_risk[k]), tti if math.isfinite(tti) else None)
        return verdict

