"""The engine as a function of (scenario, seed, orders): pacing, orders, visibility, damage, dispersion."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from amdx.engine import events as ev
from amdx.engine.core import Engine
from amdx.engine.orders import WHITE_CELL, Inject, LaunchBallistic, LaunchRoute, order_from_record
from amdx.scenario import bundled_scenario_path, load_scenario

R_MEAN = 6371.0088e3


def haversine_m(lat1, lon1, lat2, lon2):
    p1, p2 = np.radians(lat1), np.radians(lat2)
    h = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(np.radians(lon2 - lon1) / 2) ** 2
    return 2 * R_MEAN * np.arcsin(np.sqrt(h))


@pytest.fixture(scope="module")
def scenario():
    return load_scenario(bundled_scenario_path("default"))


def records(events):
    return [e.record() for e in events]


def _no_sensing(scenario):
    """The scenario with no MSEL and no sensors: threats fly and impact, nothing watches (fast)."""
    return scenario.model_copy(update={"msel": (), "sensors": ()})


@pytest.fixture(scope="module")
def default_events(scenario):
    return Engine(scenario, 3).run()


def test_pacing_does_not_change_the_events(scenario, default_events):
    at_once = records(default_events)
    engine = Engine(scenario, 3)
    stepped = []
    t = 0.0
    while not engine.finished:
        t += 7.3
        stepped.extend(engine.advance(t))
    assert records(stepped) == at_once
    assert at_once[0]["kind"] == "exercise_started" and at_once[-1]["kind"] == "exercise_ended"
    times = [r["t_s"] for r in at_once]
    assert times == sorted(times)


def test_truth_is_for_the_controller_and_damage_for_the_owner(scenario, default_events):
    nations = {n.id for n in scenario.nations}
    for e in default_events:
        assert ev.CONTROLLER in e.visible_to
        assert set(e.visible_to) <= nations | {ev.CONTROLLER}
        if isinstance(e, ev.ThreatLaunched | ev.ThreatBurnout | ev.ThreatApogee):
            assert e.visible_to == (ev.CONTROLLER,)
        if isinstance(e, ev.AssetDamaged):
            assert e.visible_to == tuple(sorted({ev.CONTROLLER, e.owner}))


def _ballistic_type(scenario):
    return next(t for t in scenario.catalog.threats if t.threat_class == "ballistic" and t.max_range_km >= 600)


def test_white_cell_launch_at_an_asset_destroys_it_once(scenario):
    asset = scenario.assets[0]
    ttype = _ballistic_type(scenario)
    # a launch point 0.5 * max range due west of the asset (destination on a sphere, closed form)
    d = 0.5 * ttype.max_range_km * 1000.0 / R_MEAN
    lat0 = math.radians(asset.lat_deg)
    lat = math.degrees(math.asin(math.sin(lat0) * math.cos(d)))
    lon = asset.lon_deg - math.degrees(math.atan2(math.sin(d) * math.cos(lat0), math.cos(d) - math.sin(lat0) *
                                                  math.sin(math.radians(lat))))
    engine = Engine(_no_sensing(scenario), 1)
    order = LaunchBallistic(t_s=10.0, source=WHITE_CELL, threat_id="adhoc", threat_type=ttype.id, actor="red",
                            origin_lat_deg=lat, origin_lon_deg=lon, target=asset.id, count=2, interval_s=5.0)
    engine.submit(order)
    out = engine.run()
    accepted = [e for e in out if isinstance(e, ev.OrderAccepted)]
    assert len(accepted) == 1 and accepted[0].t_s == 10.0
    impacts = [e for e in out if isinstance(e, ev.ThreatImpact)]
    assert [e.threat_id for e in impacts] == ["adhoc.1", "adhoc.2"]
    for e in impacts:
        assert haversine_m(e.lat_deg, e.lon_deg, asset.lat_deg, asset.lon_deg) <= asset.radius_m
        assert asset.id in e.assets_hit
    damage = [e for e in out if isinstance(e, ev.AssetDamaged) and e.asset_id == asset.id]
    assert [d.value_lost for d in damage] == [float(asset.value), 0.0]


def test_bad_orders_are_refused_with_a_reason(scenario):
    engine = Engine(_no_sensing(scenario), 1)
    asset = scenario.assets[0]
    engine.submit(LaunchBallistic(t_s=5.0, source=WHITE_CELL, threat_id="x", threat_type="no-such", actor="red",
                                  origin_lat_deg=asset.lat_deg, origin_lon_deg=asset.lon_deg + 3, target=asset.id))
    ttype = _ballistic_type(scenario)
    engine.submit(LaunchRoute(t_s=6.0, source=WHITE_CELL, threat_id="y", threat_type=ttype.id, actor="red",
                              waypoints=((0.0, 0.0, 100.0, None), (0.1, 0.1, 100.0, None))))
    engine.submit(LaunchBallistic(t_s=7.0, source=WHITE_CELL, threat_id="z", threat_type=ttype.id, actor="red",
                                  origin_lat_deg=asset.lat_deg, origin_lon_deg=asset.lon_deg + 3,
                                  aim_lat_deg=asset.lat_deg, aim_lon_deg=asset.lon_deg, profile="lofted",
                                  apogee_m=5_000.0))
    refused = [e for e in engine.run() if isinstance(e, ev.OrderRefused)]
    assert [r.t_s for r in refused] == [5.0, 6.0, 7.0]
    assert "unknown threat type" in refused[0].reason
    assert "ballistic" in refused[1].reason
    assert refused[2].reason


def test_an_order_stamped_in_the_past_takes_effect_now(scenario):
    engine = Engine(_no_sensing(scenario), 1)
    engine.advance(100.0)
    engine.submit(Inject(t_s=20.0, source=WHITE_CELL, msel_id="n1", inject="note", detail="late"))
    out = engine.advance(100.0)
    assert [(e.kind, e.t_s) for e in out] == [("inject_logged", 100.0)]


def test_orders_round_trip_through_their_records():
    order = LaunchRoute(t_s=1.5, source=WHITE_CELL, threat_id="cm", threat_type="cm-a", actor="red",
                        waypoints=((1.0, 2.0, 30.0, None), (1.5, 2.5, 30.0, 250.0)), target="a", count=2)
    assert order_from_record(order.record()) == order
    with pytest.raises(ValueError, match="unknown order kind"):
        order_from_record({"kind": "teleport", "t_s": 0.0})


def test_impacts_scatter_by_the_cep_definition(scenario):
    """Half of the rounds fall within the CEP of the aim point (binomial test at the 0.1 % level)."""
    ttype = next(t for t in scenario.catalog.threats if t.threat_class == "ballistic" and t.cep_m > 0)
    engine = Engine(_no_sensing(scenario), 11)
    n = 200
    aim = (-41.0, 174.0)
    origin_lat = aim[0] + math.degrees(0.6 * ttype.max_range_m / R_MEAN)
    engine.submit(LaunchBallistic(t_s=0.0, source=WHITE_CELL, threat_id="s", threat_type=ttype.id, actor="red",
                                  origin_lat_deg=origin_lat, origin_lon_deg=aim[1], aim_lat_deg=aim[0],
                                  aim_lon_deg=aim[1], count=n, interval_s=0.5))
    impacts = [e for e in engine.run() if isinstance(e, ev.ThreatImpact)]
    assert len(impacts) == n
    miss = np.array([haversine_m(e.lat_deg, e.lon_deg, *aim) for e in impacts])
    np.testing.assert_allclose(miss, [e.miss_distance_m for e in impacts], rtol=0.01, atol=2.0)
    inside = int(np.sum(miss <= ttype.cep_m))
    assert stats.binomtest(inside, n, 0.5).pvalue > 1e-3
