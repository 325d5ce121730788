"""Ground truth of one threat: `TruthRegistry.position` evaluates one flight and agrees with the full snapshot."""

from __future__ import annotations

import numpy as np

from amdx.engine.core import Engine
from amdx.scenario import bundled_scenario_path, load_scenario


def test_one_threats_position_is_its_row_of_the_snapshot_and_none_when_not_airborne():
    engine = Engine(load_scenario(bundled_scenario_path("mixed_raid")), 2)
    checked, kinds = 0, set()
    for t in np.arange(30.0, 900.0, 41.7):
        engine.advance(float(t))
        snapshot = engine.truth.states(float(t))
        for k, tid in enumerate(snapshot.ids):
            np.testing.assert_array_equal(engine.truth.position(tid, float(t)), snapshot.pos_ecef_m[k])
            kinds.add(bool(snapshot.ballistic[k]))
            checked += 1
        gone = set(engine.threats) - set(snapshot.ids)
        assert all(engine.truth.position(tid, float(t)) is None for tid in gone)
    assert checked > 20 and kinds == {True, False}  # ballistic and air-breathing flights both checked
    assert engine.truth.position("no-such-threat", 100.0) is None


def test_serial_numbers_are_one_per_threat_in_the_order_received():
    """Every snapshot's serial numbers are its threats' `serial_of`, the same at every time; `serial_of` numbers
    the threats 0, 1, 2, ... in the order the registry received them (launch orders in time)."""
    engine = Engine(load_scenario(bundled_scenario_path("mixed_raid")), 2)
    seen: dict[str, int] = {}
    for t in np.arange(30.0, 900.0, 41.7):
        engine.advance(float(t))
        snapshot = engine.truth.states(float(t))
        assert snapshot.serial.tolist() == [engine.truth.serial_of[tid] for tid in snapshot.ids]
        for tid, s in zip(snapshot.ids, snapshot.serial.tolist(), strict=True):
            assert seen.setdefault(tid, s) == s
    assert sorted(engine.truth.serial_of.values()) == list(range(len(engine.truth.serial_of)))
    assert len(seen) >= 5 and set(seen).issubset(engine.truth.serial_of)


def test_a_refused_batch_numbers_no_threat():
    """New threats must be new and distinct; a refused batch leaves the numbering as it was (a half-numbered
    batch would give the next threat a serial number already taken)."""
    import pytest

    engine = Engine(load_scenario(bundled_scenario_path("mixed_raid")), 2)
    engine.advance(300.0)
    before = dict(engine.truth.serial_of)
    taken = next(iter(before))
    for bad in (["new-1", "new-1"], ["new-2", taken]):
        with pytest.raises(ValueError, match="new and distinct"):
            engine.truth._serials(bad)
        assert dict(engine.truth.serial_of) == before
    assert engine.truth._serials(["new-3"]).tolist() == [len(before)]
