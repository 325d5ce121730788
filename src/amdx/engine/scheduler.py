"""The discrete-event core: a heap of (time, priority, sequence, item).

Ties in time are broken first by priority (lower runs first), then by a sequence counter, so simultaneous
items of equal priority run first-in-first-out. The sequence numbers are unique, so the heap's tuple comparison
never reaches the items: the order never depends on the items or their identity. Entries are plain tuples, not
ordered dataclasses: the heap compares them some twenty times per event, and a tuple compares in C. There is no
wall clock: a caller (a headless loop or a paced live server) decides how far to advance.
"""

from __future__ import annotations

import heapq
import math
from typing import Generic, TypeVar

T = TypeVar("T")


class Scheduler(Generic[T]):
    """A time-ordered queue of items; time only moves forward."""

    def __init__(self, start_t_s: float = 0.0) -> None:
        self._heap: list[tuple[float, int, int, T]] = []
        self._seq = 0
        self.now_s = start_t_s

    def __len__(self) -> int:
        return len(self._heap)

    def schedule(self, t_s: float, item: T, priority: int = 0) -> None:
        """Queue `item` at time `t_s` (seconds since scenario start); never in the past."""
        if not math.isfinite(t_s):
            raise ValueError(f"cannot schedule at a non-finite time {t_s!r}")
        if t_s < self.now_s:
            raise ValueError(f"cannot schedule at t={t_s} s, before the current time {self.now_s} s")
        heapq.heappush(self._heap, (t_s, priority, self._seq, item))
        self._seq += 1

    def peek_t_s(self) -> float:
        """Time of the next item, or +inf when the queue is empty."""
        return self._heap[0][0] if self._heap else math.inf

    def pop_due(self, until_t_s: float) -> tuple[float, T] | None:
        """Pop the next item due at or before `until_t_s`, advancing the clock to its time."""
        heap = self._heap
        if not heap or heap[0][0] > until_t_s:
            return None
        t_s, _, _, item = heapq.heappop(heap)
        self.now_s = t_s
        return t_s, item

    def advance_clock(self, t_s: float) -> None:
        """Move the clock to `t_s` once everything due before it has been popped."""
        if self._heap and self._heap[0][0] < t_s:
            raise ValueError("items are still due before the requested time")
        self.now_s = max(self.now_s, t_s)
