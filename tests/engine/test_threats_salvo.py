"""plan_ballistic against the plain rule: each round's aim point drawn from its own stream, then the round solved
alone, in round order, stopping at the first round that cannot fly (its message names it); a refused order leaves
the streams of the rounds after that one untouched."""

from __future__ import annotations

from dataclasses import fields

import numpy as np
import pytest

from amdx.engine.orders import MSEL, LaunchBallistic
from amdx.engine.rng import RngStreams
from amdx.engine.threats import OrderRejected, plan_ballistic, round_ids
from amdx.flight.ballistic import BoostModel, UnreachableAim, solve_ballistic
from amdx.geo import MEAN_EARTH_RADIUS_M, destination_point
from amdx.scenario import bundled_scenario_path, load_scenario

_CEP_TO_SIGMA = 1.0 / np.sqrt(2.0 * np.log(2.0))  # half of a circular normal's draws inside the CEP


def _plain(scenario, order, rngs):
    """The rule written out round by round: (threat id, solution) of each round, or the refusal's text."""
    ttype = scenario.threat_type(order.threat_type)
    boost = BoostModel(ttype.burn_time_s, ttype.burnout_altitude_m, ttype.boost_downrange_m)
    out = []
    for i, tid in enumerate(round_ids(order.threat_id, order.count)):
        dx, dy = rngs.stream(f"threat/{tid}").normal(0.0, ttype.cep_m * _CEP_TO_SIGMA, size=2)
        lat, lon = destination_point(order.aim_lat_deg, order.aim_lon_deg, np.degrees(np.arctan2(dx, dy)),
                                     np.hypot(dx, dy), MEAN_EARTH_RADIUS_M)
        try:
            out.append((tid, solve_ballistic(order.origin_lat_deg, order.origin_lon_deg, float(lat), float(lon),
                                             profile=order.profile or ttype.default_profile, apogee_m=order.apogee_m,
                                             boost=boost, launch_t_s=order.t_s + i * order.interval_s)))
        except UnreachableAim as exc:
            return f"{tid}: {exc}"
    return out


def _order(threat_id, aim_km, count=6, **kw):
    lat, lon = destination_point(-43.9, -176.5, 290.0, aim_km * 1e3)
    return LaunchBallistic(t_s=60.0, source=MSEL, threat_id=threat_id, threat_type="srbm-a", actor="red",
                           origin_lat_deg=-43.9, origin_lon_deg=-176.5, aim_lat_deg=float(lat),
                           aim_lon_deg=float(lon), count=count, interval_s=7.0, **kw)


@pytest.mark.parametrize("profile", [None, "lofted"])
def test_planned_rounds_are_the_plain_rule(profile):
    scenario = load_scenario(bundled_scenario_path("salvo"))
    order = _order("t1", 400.0, profile=profile)
    planned = plan_ballistic(scenario, order, RngStreams(4))
    expected = _plain(scenario, order, RngStreams(4))
    assert [p.threat_id for p in planned] == [tid for tid, _ in expected]
    for p, (_, sol) in zip(planned, expected, strict=True):
        for f in fields(sol):
            a, b = getattr(p.solution, f.name), getattr(sol, f.name)
            assert (a.tobytes() == b.tobytes()) if isinstance(b, np.ndarray) else a == b, f.name
    assert planned[0].flights.n_missiles == order.count


def test_refused_order_names_its_first_failing_round_and_leaves_later_streams_alone():
    # srbm-a boosts 15 km downrange with a CEP of 150 m: aimed 15.1 km away, some rounds fall within the boost
    scenario = load_scenario(bundled_scenario_path("salvo"))
    for seed in range(10):
        order = _order("t2", 15.1, count=8)
        rngs, plain_rngs = RngStreams(seed), RngStreams(seed)
        expected = _plain(scenario, order, plain_rngs)
        if isinstance(expected, list):
            assert [p.solution.impact_t_s for p in plan_ballistic(scenario, order, rngs)] == \
                [s.impact_t_s for _, s in expected]
            continue
        with pytest.raises(OrderRejected) as refused:
            plan_ballistic(scenario, order, rngs)
        assert str(refused.value) == expected
        # every round's stream is where the plain rule left it: drawn from up to the failing round, fresh after
        for tid in round_ids(order.threat_id, order.count):
            assert rngs.stream(f"threat/{tid}").random() == plain_rngs.stream(f"threat/{tid}").random()
        if not expected.startswith("t2.1:"):
            return
    raise AssertionError("no seed refused the order after its first round")
