"""`exercise_pace`: the young generation's threshold raised for the body, every threshold restored after it."""

from __future__ import annotations

import gc

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


def test_cyclic_garbage_is_still_collected() -> None:
    class Node:
        pass

    with exercise_pace():
        a, b = Node(), Node()
        a.other, b.other = b, a
        gc.collect()  # warm: nothing of ours pending
        del a, b
        assert gc.collect() >= 2  # the cycle was found and freed under the raised threshold
