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
            engine.truth._add(bad, np.zeros(2), np.ones(2), np.zeros(2), 1.0, False)
        assert dict(engine.truth.serial_of) == before
    assert engine.truth._add(["new-3"], np.zeros(1), np.ones(1), np.zeros(1), 1.0, False)[0] == len(before)
    assert engine.truth.serial_of["new-3"] == len(before)


def test_snapshots_follow_the_plain_rule_through_merges_ends_and_mixed_drag():
    """Batches merged (vacuum and drag orders, a route between them), ends given before and after a threat is
    added: at every time the snapshot holds the threats with launch <= t < end in the order received, each row
    the state of its own flight evaluated alone (drag rows bit for bit; vacuum rows solved again with a drag
    batch to within a millimetre), and its RCS, kind, boost flag and serial number."""
    from amdx.engine.truth import TruthRegistry
    from amdx.flight.ballistic import BoostModel, solve_ballistic
    from amdx.flight.flights import BallisticFlights
    from amdx.flight.route import RouteFlight

    boost = BoostModel(60.0, 60e3, 30e3)
    truth = TruthRegistry()
    flight_of, rows = {}, {}  # each threat's own flight, and its launch, end, burnout, RCS, ballistic flag
    truth.end("b3.1", 100.0)  # ended before it is added
    for k, (beta, count) in enumerate([(None, 2), (4000.0, 1), (None, 1), (4000.0, 3)]):
        sols = [solve_ballistic(-43.9, -176.5 + 0.1 * k, -41.3 + 0.2 * j, 174.8, boost=boost,
                                launch_t_s=20.0 * k + 7.0 * j) for j in range(count)]
        ids = [f"b{k}.{j}" for j in range(count)]
        truth.add_ballistic(ids, sols, beta, 0.1 + k)
        for tid, sol in zip(ids, sols, strict=True):
            alone = BallisticFlights.from_solutions([sol], beta)
            flight_of[tid] = (alone, beta is None)
            rows[tid] = [sol.launch_t_s, float(alone.impact_t_s[0]), sol.burnout_t_s, 0.1 + k, True]
        if k == 1:
            route = RouteFlight([-41.0, -40.0], [174.0, 175.0], [3000.0, 3000.0], 250.0, t0_s=30.0)
            truth.add_route("cm", route, 0.5)
            rows["cm"] = [30.0, route.end_t_s, 30.0, 0.5, False]
    rows["b3.1"][1] = min(rows["b3.1"][1], 100.0)
    ended = {"b0.1": 350.0, "b3.2": 90.0}
    for t in np.arange(0.0, 1500.0, 9.5):
        for tid, t_end in ended.items():
            if t_end <= t < t_end + 9.5:
                truth.end(tid, t_end)
                rows[tid][1] = min(rows[tid][1], t_end)
        snap = truth.states(float(t))
        expect = [tid for tid in rows if rows[tid][0] <= t < rows[tid][1]]
        assert list(snap.ids) == expect
        assert snap.serial.tolist() == [truth.serial_of[tid] for tid in expect] == sorted(snap.serial.tolist())
        for k, tid in enumerate(expect):
            _, _, burnout, rcs, ballistic = rows[tid]
            assert (snap.rcs_m2[k], snap.ballistic[k], snap.boosting[k]) == (rcs, ballistic, burnout > t)
            if tid == "cm":
                pos, vel = (a.reshape(3) for a in route.state_ecef(np.array([t])))
            else:
                alone, vacuum = flight_of[tid]
                pos, vel = (a[0, 0] for a in alone.states_ecef(np.array([t])))
                if vacuum:  # merged with a drag batch: solved again with an infinite ballistic coefficient
                    np.testing.assert_allclose(snap.pos_ecef_m[k], pos, rtol=0, atol=1e-3)
                    np.testing.assert_allclose(snap.vel_ecef_mps[k], vel, rtol=0, atol=1e-6)
                    continue
            np.testing.assert_array_equal(snap.pos_ecef_m[k], pos)
            np.testing.assert_array_equal(snap.vel_ecef_mps[k], vel)


def test_a_batch_is_not_merged_across_an_ended_one():
    """A salvo (10 rounds), a short one (4) that ends and is dropped, then a third (6) that would merge with the
    first by size: their serials are not consecutive, so each row must still be its own threat's state (each
    flight evaluated alone) while the first salvo launches, flies and ends."""
    from amdx.engine.truth import TruthRegistry
    from amdx.flight.ballistic import BoostModel, solve_ballistic
    from amdx.flight.flights import BallisticFlights

    boost = BoostModel(60.0, 60e3, 30e3)
    truth = TruthRegistry()
    solution_of = {}

    def add(prefix: str, count: int, t0: float, lat: float, lon: float) -> None:
        sols = [solve_ballistic(-43.9, -176.5, lat, lon, boost=boost, launch_t_s=t0 + j) for j in range(count)]
        ids = [f"{prefix}.{j}" for j in range(count)]
        truth.add_ballistic(ids, sols, None, 1.0)
        solution_of.update(zip(ids, sols, strict=True))

    add("A", 10, 0.0, -41.3, 174.8)
    add("B", 4, 10.0, -43.0, -175.0)  # short range: ends long before A
    t_dropped = max(solution_of[f"B.{j}"].impact_t_s for j in range(4)) + 5.0
    truth.states(t_dropped)
    add("C", 6, t_dropped + 1.0, -41.3, 174.8)
    for t in (t_dropped + 3.5, t_dropped + 10.0, 433.0, 440.0, 700.0):
        snap = truth.states(t)
        expect = [tid for tid, s in solution_of.items() if s.launch_t_s <= t < s.impact_t_s]
        assert list(snap.ids) == expect
        for k, tid in enumerate(expect):
            pos, _ = BallisticFlights.from_solutions([solution_of[tid]], None).states_ecef(np.array([t]))
            np.testing.assert_allclose(snap.pos_ecef_m[k], pos[0, 0], rtol=0, atol=1e-3)
