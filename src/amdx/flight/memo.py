"""`TimeMemo`: the last few single-time evaluations of an immutable flight, kept read-only for reuse.

The radar scans and the picture of one instant ask a flight for the same states; a flight built once never
changes, so its results at a time can be handed out again instead of computed again.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable

import numpy as np

MEMO_TIMES = 8
"""Single-time results a flight keeps (the oldest is dropped first)."""


class TimeMemo:
    """A bounded map from a time key to a pair of arrays, made read-only when stored."""

    def __init__(self, size: int = MEMO_TIMES) -> None:
        self.size = size
        self._items: dict[Hashable, tuple[np.ndarray, np.ndarray]] = {}

    def get(self, key: Hashable, compute: Callable[[], tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
        """The stored pair for `key`, or `compute()`'s, stored read-only."""
        hit = self._items.get(key)
        if hit is None:
            hit = compute()
            for a in hit:
                a.flags.writeable = False
            if len(self._items) >= self.size:
                del self._items[next(iter(self._items))]  # the oldest
            self._items[key] = hit
        return hit
