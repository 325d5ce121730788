"""`exercise_pace`: the young generation's threshold raised and the live objects frozen for the body; every threshold
restored and the frozen objects thawed after it (CPython's own `gc` counters tell)."""

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


def test_objects_alive_at_the_start_are_frozen_for_the_body_only() -> None:
    assert gc.get_freeze_count() == 0
    alive = [{"k": 1}]
    with exercise_pace():
        frozen = gc.get_freeze_count()
        assert frozen >= len(alive) + 1  # the list, its dict and everything else alive
        made = [{} for _ in range(100)]
        assert gc.get_freeze_count() == frozen and made  # nothing made during the body joins them
    assert gc.get_freeze_count() == 0


def test_a_freeze_made_before_is_left_alone() -> None:
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with exercise_pace():
            pass
        assert gc.get_freeze_count() >= frozen
    finally:
        gc.unfreeze()


def test_frozen_state_is_thawed_when_the_body_raises() -> None:
    with pytest.raises(RuntimeError), exercise_pace():
        raise RuntimeError("engine failure")
    assert gc.get_freeze_count() == 0
