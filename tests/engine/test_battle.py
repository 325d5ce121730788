"""Battle management end to end on one ballistic missile at Norland's capital: the response chain in order, the
intercept geometry against refs §5.5 and the envelope, and orders that break authority, weapons control, ROE or
comms refused with the reason."""

from __future__ import annotations

import numpy as np
import pytest

from amdx.engine import events as ev
from amdx.engine.core import Engine
from amdx.engine.orders import (
    WHITE_CELL,
    CommsCut,
    DenyEngagement,
    Engage,
    Identify,
    LaunchBallistic,
    RequestSupport,
    SetWeaponsControl,
)
from amdx.geo import MEAN_EARTH_RADIUS_M, geodetic_to_ecef
from amdx.scenario import bundled_scenario_path, load_scenario

LAUNCH_T = 20.0
SEED = 11


def one_missile(doctrine_update: dict | None = None):
    base = load_scenario(bundled_scenario_path("default"))
    exercise = base.exercise.model_copy(update={"duration_s": 620.0})
    nations = base.nations
    if doctrine_update:
        nations = tuple(n.model_copy(update={"doctrine": n.doctrine.model_copy(update=doctrine_update)})
                        for n in nations)
    return base.model_copy(update={"msel": (), "exercise": exercise, "nations": nations})


def launch() -> LaunchBallistic:
    return LaunchBallistic(t_s=LAUNCH_T, source=WHITE_CELL, threat_id="m1", threat_type="mrbm-a", actor="red",
                           origin_lat_deg=-43.9, origin_lon_deg=-176.5, target="north.capital")


def of(events, kind):
    return [e for e in events if e.kind == kind]


@pytest.fixture(scope="module")
def run():
    scenario = one_missile()
    engine = Engine(scenario, SEED)
    engine.submit(launch())
    return scenario, engine.run()


def test_the_response_chain_runs_in_order(run):
    _, events = run
    marks = {(m.nation, m.step): m.t_s for m in of(events, "response_mark") if m.threat_id == "m1"}
    launches = of(events, "interceptor_launched")
    assert launches, "the missile at the capital must be engaged"
    nation = launches[0].nation
    chain = ["identified_hostile", "evaluated", "proposed", "decided", "interceptor_launch", "intercept",
             "kill_assessment"]
    times = [marks[(nation, step)] for step in chain]
    assert times == sorted(times), dict(zip(chain, times, strict=True))
    first_track = min(e.t_s for e in of(events, "first_track") if e.threat_id == "m1" and e.nation == nation)
    assert first_track <= times[0]
    evaluated = [e for e in of(events, "threat_evaluated") if e.nation == nation]
    assert any(a["asset_id"] == "north.capital" for e in evaluated for a in e.assets)


def test_one_nation_engages_and_the_capital_is_defended_or_hit(run):
    _, events = run
    engaging = {e.nation for e in of(events, "interceptor_launched")}
    assert len(engaging) == 1, "no duplicate engagement of one threat by two nations"
    destroyed = of(events, "threat_destroyed")
    impacts = [e for e in of(events, "threat_impact") if e.threat_id == "m1"]
    assert len(destroyed) + len(impacts) == 1  # a threat ends once: killed in flight or on the ground
    for r in of(events, "intercept_resolved"):
        assert 0.0 <= r.kill_probability <= 1.0


def test_intercept_points_keep_the_flyout_invariant_and_the_envelope(run):
    scenario, events = run
    for shot in of(events, "interceptor_launched"):
        battery = scenario.battery(shot.battery_id)
        itype = scenario.interceptor_type(battery.type)
        site = np.asarray(geodetic_to_ecef(battery.lat_deg, battery.lon_deg, battery.alt_m))
        pip = np.asarray(geodetic_to_ecef(shot.pip_lat_deg, shot.pip_lon_deg, shot.pip_alt_m))
        flyout = shot.planned_intercept_t_s - shot.t_s
        # refs §5.5: |PIP − site| = s (t − t_launch) for a straight-line flyout at the average speed
        assert np.linalg.norm(pip - site) == pytest.approx(itype.average_speed_mps * flyout, rel=1e-4)
        assert itype.min_intercept_altitude_m - 1.0 <= shot.pip_alt_m <= itype.max_intercept_altitude_m + 1.0
        lat1, lon1, lat2, lon2 = np.radians([battery.lat_deg, battery.lon_deg, shot.pip_lat_deg, shot.pip_lon_deg])
        ground = MEAN_EARTH_RADIUS_M * np.arccos(np.clip(np.sin(lat1) * np.sin(lat2)
                                                         + np.cos(lat1) * np.cos(lat2) * np.cos(lon2 - lon1), -1, 1))
        assert ground <= itype.max_range_m * 1.01


def test_weapons_hold_fires_nothing():
    engine = Engine(one_missile({"weapons_control_status": "hold"}), SEED)
    engine.submit(launch())
    events = engine.run()
    assert not of(events, "interceptor_launched")
    assert not of(events, "engagement_proposed")
    assert of(events, "threat_evaluated"), "a hostile missile is still evaluated under weapons hold"


def test_a_weapons_hold_order_stops_further_engagements():
    engine = Engine(one_missile(), SEED)
    engine.submit(launch())
    for nation in ("north", "south"):
        engine.submit(SetWeaponsControl(t_s=0.0, source=WHITE_CELL, nation=nation, status="hold"))
    events = engine.run()
    changed = of(events, "weapons_control_changed")
    assert {(c.nation, c.status, c.previous) for c in changed} == {("north", "hold", "tight"),
                                                                    ("south", "hold", "tight")}
    assert not of(events, "interceptor_launched")


@pytest.fixture(scope="module")
def held_track():
    """An engine advanced until Norland holds the missile as a hostile track, with its automated engagement
    authority replaced by a (silent) human seat so that orders can be tried by hand."""
    engine = Engine(one_missile(), SEED)
    engine.battle.human_roles.update({"north.ncc", "south.ncc"})
    engine.submit(launch())
    events = []
    t = LAUNCH_T
    while t < 600.0:
        t += 5.0
        events.extend(engine.advance(t))
        hostile = [tid for tid, ident in engine.battle.identity["north"].items() if ident == "hostile"
                   and tid in engine.battle.tracks["north"]]
        proposals = [p for p in engine.battle.proposals.values() if p.nation == "north" and p.status == "pending"]
        if hostile and proposals:
            return engine, hostile[0], proposals[0], events
    pytest.fail("Norland never held the missile as a hostile track with a pending proposal")


def refusal(engine, order):
    engine.submit(order)
    out = engine.advance(engine.now_s + 0.5)
    refused = [e for e in out if isinstance(e, ev.OrderRefused) and e.order == order.kind]
    accepted = [e for e in out if isinstance(e, ev.OrderAccepted) and e.order == order.kind]
    return (refused[0].reason if refused else None), accepted


def test_orders_that_break_the_rules_are_refused_with_the_reason(held_track):
    engine, track, proposal, _ = held_track
    now = engine.now_s
    cases = [
        (Engage(t_s=now, source="north.adoc", nation="north", battery_id="north.bty1", track_id=track),
         "no engagement authority"),
        (Engage(t_s=now, source="north.ncc", nation="south", battery_id="north.bty1", track_id=track),
         "has no battery"),
        (Engage(t_s=now, source="north.ncc", nation="north", battery_id="north.bty1", track_id="north.T9999"),
         "holds no track"),
        (SetWeaponsControl(t_s=now, source="south.ncc", nation="north", status="free"), "may not set"),
        (SetWeaponsControl(t_s=now, source=WHITE_CELL, nation="north", status="loose"), "must be one of"),
        (Identify(t_s=now, source="north.adoc", nation="north", track_id=track, identity="enemy"),
         "identity must be one of"),
        (RequestSupport(t_s=now, source="north.ncc", nation="north", to_nation="north", track_id=track),
         "cannot request support from itself"),
        (DenyEngagement(t_s=now, source="north.adoc", nation="north", proposal_id=proposal.proposal_id),
         "no engagement authority"),
        (CommsCut(t_s=now, source=WHITE_CELL, msel_id="x", between=("north.ncc", "nowhere"), duration_s=10.0),
         "unknown command node"),
    ]
    for order, expected in cases:
        reason, _ = refusal(engine, order)
        assert reason is not None and expected in reason, (order, reason)


def test_a_comms_cut_stops_a_fire_order_and_weapons_hold_refuses_it(held_track):
    engine, track, _, _ = held_track
    cut = CommsCut(t_s=engine.now_s, source=WHITE_CELL, msel_id="c1", between=("north.ncc", "north.adoc"),
                   duration_s=30.0)
    engine.submit(cut)
    engine.advance(engine.now_s + 0.1)
    fire = Engage(t_s=engine.now_s, source="north.ncc", nation="north", battery_id="north.bty1", track_id=track)
    reason, _ = refusal(engine, fire)
    assert reason is not None and "comms cut between north.ncc and north.adoc" in reason
    engine.advance(engine.now_s + 31.0)  # the cut is over
    engine.submit(SetWeaponsControl(t_s=engine.now_s, source="north.ncc", nation="north", battery_id="north.bty1",
                                    status="hold"))
    engine.advance(engine.now_s + 0.1)
    fire = Engage(t_s=engine.now_s, source="north.ncc", nation="north", battery_id="north.bty1", track_id=track)
    reason, _ = refusal(engine, fire)
    assert reason is not None and "weapons hold" in reason


def test_a_human_denial_closes_the_proposal():
    engine = Engine(one_missile(), SEED)
    engine.battle.human_roles.update({"north.ncc", "south.ncc"})
    engine.submit(launch())
    t = LAUNCH_T
    while t < 600.0 and not engine.battle.proposals:
        t += 5.0
        engine.advance(t)
    assert engine.battle.proposals, "a proposal must reach the human authority"
    proposal = next(iter(engine.battle.proposals.values()))
    engine.submit(DenyEngagement(t_s=engine.now_s, source=proposal.decider, nation=proposal.nation,
                                 proposal_id=proposal.proposal_id, reason="civilian airliner nearby"))
    out = engine.advance(engine.now_s + 1.0)
    decided = [e for e in out if e.kind == "engagement_decided"]
    assert [(d.proposal_id, d.decision, d.reason) for d in decided] == [
        (proposal.proposal_id, "deny", "civilian airliner nearby")]
    assert proposal.status == "denied"


def test_delegated_authority_lets_the_battery_decide():
    engine = Engine(one_missile({"engagement_authority": "delegated"}), SEED)
    engine.submit(launch())
    events = engine.run()
    proposals = of(events, "engagement_proposed")
    assert proposals and all(p.decider == p.battery_id for p in proposals)
    assert of(events, "interceptor_launched")
