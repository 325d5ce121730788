from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from amdx.engine.scheduler import Scheduler


@given(st.lists(st.tuples(st.integers(0, 5).map(float), st.integers(0, 2)), max_size=60))
def test_pop_order_matches_a_stable_sort_by_time_then_priority(items):
    """Reference: Python's stable sort on (time, priority) keeps insertion order among equals (FIFO)."""
    sched: Scheduler[int] = Scheduler()
    for i, (t, prio) in enumerate(items):
        sched.schedule(t, i, prio)
    popped = []
    while (due := sched.pop_due(math.inf)) is not None:
        popped.append(due[1])
    expected = [i for i, _ in sorted(enumerate(items), key=lambda p: (p[1][0], p[1][1]))]
    assert popped == expected


def test_pop_due_stops_at_the_horizon_and_advances_the_clock():
    sched: Scheduler[str] = Scheduler()
    sched.schedule(5.0, "b")
    sched.schedule(1.0, "a")
    assert sched.pop_due(2.0) == (1.0, "a")
    assert sched.now_s == 1.0
    assert sched.pop_due(2.0) is None
    sched.advance_clock(2.0)
    assert sched.now_s == 2.0
    assert sched.peek_t_s() == 5.0


def test_cannot_schedule_in_the_past_or_at_a_non_finite_time():
    sched: Scheduler[str] = Scheduler(start_t_s=10.0)
    with pytest.raises(ValueError, match="before the current time"):
        sched.schedule(9.0, "late")
    with pytest.raises(ValueError, match="non-finite"):
        sched.schedule(math.nan, "nan")


def test_clock_cannot_skip_due_items():
    sched: Scheduler[str] = Scheduler()
    sched.schedule(1.0, "a")
    with pytest.raises(ValueError):
        sched.advance_clock(2.0)
