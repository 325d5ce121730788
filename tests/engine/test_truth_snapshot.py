"""`TruthRegistry.states` keeps its last snapshot for the next call at the same time, and never hands out a stale
one: a threat ended (or launched) in between changes the next snapshot. Checked against `position`, which
evaluates one threat's own flight."""

from __future__ import annotations

import numpy as np
import pytest

from amdx.engine.core import Engine
from amdx.engine.truth import TruthRegistry
from amdx.flight.route import RouteFlight
from amdx.scenario import bundled_scenario_path, load_scenario


def test_snapshot_is_reused_at_one_time_and_renewed_after_an_end():
    engine = Engine(load_scenario(bundled_scenario_path("mixed_raid")), 2)
    engine.advance(300.0)
    truth = engine.truth
    first = truth.states(300.0)
    assert len(first) >= 2
    assert truth.states(300.0) is first  # same instant, nothing changed: the same snapshot
    for name in ("pos_ecef_m", "vel_ecef_mps", "rcs_m2", "ballistic", "boosting"):
        with pytest.raises(ValueError):
            getattr(first, name)[...] = 0  # read-only, since it is handed out again
    gone = first.ids[0]
    truth.end(gone, 300.0)
    after = truth.states(300.0)
    assert after is not first and gone not in after.ids and len(after) == len(first) - 1
    assert truth.position(gone, 300.0) is None
    for k, tid in enumerate(after.ids):
        np.testing.assert_array_equal(truth.position(tid, 300.0), after.pos_ecef_m[k])
    later = truth.states(301.0)
    assert later.t_s == 301.0 and later is not after
    for k, tid in enumerate(later.ids):
        np.testing.assert_array_equal(truth.position(tid, 301.0), later.pos_ecef_m[k])


def test_snapshot_is_renewed_after_a_launch():
    truth = TruthRegistry()
    assert len(truth.states(50.0)) == 0
    route = RouteFlight([-41.0, -40.0], [174.0, 175.0], [3000.0, 3000.0], 250.0, t0_s=10.0)
    truth.add_route("cm1", route, 0.5)
    now = truth.states(50.0)
    assert now.ids == ("cm1",) and now.rcs_m2.tolist() == [0.5] and not now.ballistic[0]
    np.testing.assert_array_equal(now.pos_ecef_m[0], route.state_ecef(np.array([50.0]))[0].reshape(3))
    truth.add_route("cm2", RouteFlight([-42.0, -41.0], [174.0, 175.0], [500.0, 500.0], 200.0, t0_s=60.0), 1.0)
    assert truth.states(50.0).ids == ("cm1",)  # not launched yet at 50 s
    assert truth.states(70.0).ids == ("cm1", "cm2")
