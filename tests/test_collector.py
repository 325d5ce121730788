"""`exercise_pace`: the young generation's threshold raised for the body, every threshold restored after it."""

from __future__ import annotations

import gc
import weakref

import pytest

from amdx.collector import YOUNG_THRESHOLD, exercise_pace


def test_the_young_threshold_is_raised_and_restored() -> None:
    before = gc.get_threshold()
    with exercise_pace():
        assert gc.get_threshold() == (max(YOUNG_THRESHOLD, before[0]), *before[1:])
    assert gc.get_threshold() == before


def test_thresholds_are_restored_when_the_body_raises() -> None:
    before = gc.get_threshold()
    with pytest.raises(RuntimeError), exercise_pace():
        raise RuntimeError("engine failure")
    assert gc.get_threshold() == before


def test_cyclic_garbage_is_still_collected_automatically() -> None:
    # no explicit gc.collect(): a reference cycle dropped under the raised threshold is freed by the collector's
    # own young collections once enough new objects have been allocated (with collection off it would never go)
    class Node:
        other: Node

    with exercise_pace():
        a, b = Node(), Node()
        a.other, b.other = b, a
        gone = weakref.ref(a)
        del a, b
        keep = [[] for _ in range(5 * YOUNG_THRESHOLD)]  # allocations that trigger young collections
        assert gone() is None
        del keep
