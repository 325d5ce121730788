"""Hand-built journals for the analysis tests: lists of `{"kind", "t_s", "visible_to", "data"}` records whose
figures are computed by hand in the tests (times in s)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest


def rec(kind: str, t_s: float, visible_to: tuple[str, ...] = ("controller",), **data: Any) -> dict[str, Any]:
    return {"kind": kind, "t_s": float(t_s), "visible_to": list(visible_to), "data": data}


def launched(t_s: float, tid: str, cls: str = "ballistic", target: str | None = None) -> dict[str, Any]:
    return rec("threat_launched", t_s, threat_id=tid, threat_type="srbm-a", threat_class=cls, actor="red",
               msel_id="m1", origin_lat_deg=-44.0, origin_lon_deg=-176.5, aim_lat_deg=-41.0, aim_lon_deg=174.0,
               target=target, profile=None)


def mark(t_s: float, tid: str, nation: str, step: str, ref: str = "", detail: str = "") -> dict[str, Any]:
    return rec("response_mark", t_s, threat_id=tid, nation=nation, step=step, ref=ref, detail=detail)


def proposed(t_s: float, pid: str, nation: str, battery: str, requested_by: str | None = None) -> dict[str, Any]:
    return rec("engagement_proposed", t_s, (nation,), proposal_id=pid, nation=nation, decider=f"{nation}.adoc",
               battery_id=battery, track_id="T-1", shots=1, kill_probability=0.8, value_at_risk=100.0,
               earliest_launch_t_s=t_s, latest_launch_t_s=t_s + 100.0, requested_by=requested_by, planner="ccc")


def decided(t_s: float, pid: str, nation: str, decision: str, dt_s: float) -> dict[str, Any]:
    return rec("engagement_decided", t_s, (nation,), proposal_id=pid, nation=nation, decider=f"{nation}.adoc",
               decision=decision, reason="", decision_time_s=dt_s)


def fired(t_s: float, eid: str, shot: int, nation: str, battery: str) -> dict[str, Any]:
    return rec("interceptor_launched", t_s, (nation,), engagement_id=eid, shot=shot, nation=nation,
               battery_id=battery, track_id="T-1", planned_intercept_t_s=t_s + 50.0, pip_lat_deg=-41.0,
               pip_lon_deg=174.0, pip_alt_m=30000.0, rounds_left=10)


def resolved(t_s: float, eid: str, shot: int, tid: str | None, killed: bool) -> dict[str, Any]:
    return rec("intercept_resolved", t_s, engagement_id=eid, shot=shot, threat_id=tid, killed=killed,
               kill_probability=0.8, miss_m=None if tid is None else (2.0 if killed else 40.0))


def assessed(t_s: float, eid: str, nation: str, assessment: str) -> dict[str, Any]:
    return rec("kill_assessed", t_s, (nation,), engagement_id=eid, nation=nation, battery_id=f"{nation}.bty1",
               track_id="T-1", assessment=assessment)


def destroyed(t_s: float, tid: str, eid: str, nation: str, battery: str) -> dict[str, Any]:
    return rec("threat_destroyed", t_s, threat_id=tid, engagement_id=eid, nation=nation, battery_id=battery)


def impact(t_s: float, tid: str, *assets: str) -> dict[str, Any]:
    return rec("threat_impact", t_s, threat_id=tid, lat_deg=-41.0, lon_deg=174.0, miss_distance_m=100.0,
               assets_hit=list(assets))


def raid_journal() -> list[dict[str, Any]]:
    """Six threats against north (north.capital 100) and south (south.capital 100, south.port 60).

    T1 (launch 60, at north.capital): detected 128, own track 140, south's partner track 146, hostile 150,
      evaluated 155, proposed 160 (P1), approved 172 after 12 s, fired 180, missed 240, assessed survived 250;
      shoot-look-shoot: P2 proposed 252, approved 256 after 4 s, fired 260, destroyed 300, assessed killed 310.
    T2 (launch 100, at south.port): north's cross-nation proposal P3 denied at 230 after 20 s; south's P4
      approved at 240 after 30 s, two shots at 250, both miss (320, 321); impact 400 on south.port (60 lost).
    T3 (cruise, launch 200, at south.capital): north's P5 for south (requested_by south) approved at 300 after
      6 s, fired 310, destroyed 350.
    T4 (launch 500, no target): evaluated "threatens nothing" at 560; impact 900 hitting nothing.
    T5 (aircraft, launch 600): route completed 1500.   T6 (launch 1700): still flying at the end (1800).
    Refused: one north.adoc order (weapons hold) and one white-cell order (unknown asset).
    """
    return [
        rec("exercise_started", 0.0, name="x", seed=1, duration_s=1800.0, epoch="2026-01-01T00:00:00Z"),
        launched(60, "T1", target="north.capital"),
        launched(100, "T2", target="south.port"),
        rec("first_detection", 128, threat_id="T1", nation="north", sensor_id="north.ewr1"),
        rec("first_track", 140, threat_id="T1", nation="north", track_id="N-1", source="own"),
        rec("first_track", 146, threat_id="T1", nation="south", track_id="S-9", source="north"),
        mark(150, "T1", "north", "identified_hostile", "N-1", "hostile"),
        mark(155, "T1", "north", "evaluated", "N-1", "threatens north.capital"),
        proposed(160, "P1", "north", "north.bty1"),
        mark(160, "T1", "north", "proposed", "P1"),
        rec("order_refused", 165, order="engage", source="north.adoc", reason="weapons hold"),
        decided(172, "P1", "north", "approve", 12.0),
        mark(172, "T1", "north", "decided", "P1", "approve"),
        fired(180, "P1", 1, "north", "north.bty1"),
        mark(180, "T1", "north", "interceptor_launch", "P1"),
        launched(200, "T3", cls="cruise", target="south.capital"),
        proposed(210, "P3", "north", "north.bty1", requested_by="south"),
        proposed(220, "P4", "south", "south.bty1"),
        decided(230, "P3", "north", "deny", 20.0),
        decided(240, "P4", "south", "approve", 30.0),
        resolved(240, "P1", 1, "T1", False),
        fired(250, "P4", 1, "south", "south.bty1"),
        fired(250, "P4", 2, "south", "south.bty1"),
        assessed(250, "P1", "north", "survived"),
        proposed(252, "P2", "north", "north.bty1"),
        mark(252, "T1", "north", "proposed", "P2"),
        decided(256, "P2", "north", "approve", 4.0),
        fired(260, "P2", 1, "north", "north.bty1"),
        proposed(294, "P5", "north", "north.bty1", requested_by="south"),
        mark(294, "T3", "north", "proposed", "P5"),
        decided(300, "P5", "north", "approve", 6.0),
        resolved(300, "P2", 1, "T1", True),
        destroyed(300, "T1", "P2", "north", "north.bty1"),
        fired(310, "P5", 1, "north", "north.bty1"),
        assessed(310, "P2", "north", "killed"),
        resolved(320, "P4", 1, "T2", False),
        resolved(321, "P4", 2, "T2", False),
        resolved(350, "P5", 1, "T3", True),
        destroyed(350, "T3", "P5", "north", "north.bty1"),
        impact(400, "T2", "south.port"),
        rec("asset_damaged", 400, asset_id="south.port", owner="south", threat_id="T2", distance_m=100.0,
            value_lost=60.0),
        launched(500, "T4"),
        mark(560, "T4", "north", "evaluated", "N-7", "threatens nothing"),
        launched(600, "T5", cls="aircraft", target="north.capital"),
        rec("order_refused", 700, order="launch_ballistic", source="white", reason="unknown asset"),
        impact(900, "T4"),
        rec("route_completed", 1500, threat_id="T5", lat_deg=-40.0, lon_deg=175.0),
        launched(1700, "T6", target="south.capital"),
        rec("exercise_ended", 1800.0),
    ]


def fake_scenario(nations: tuple[str, ...] = ("north", "south")) -> SimpleNamespace:
    """The few scenario fields `build_summary` reads."""
    assets = [SimpleNamespace(id="north.capital", owner="north", value=100.0),
              SimpleNamespace(id="south.capital", owner="south", value=100.0),
              SimpleNamespace(id="south.port", owner="south", value=60.0)]
    return SimpleNamespace(
        exercise=SimpleNamespace(name="hand-built"),
        nations=[SimpleNamespace(id=n, command=[SimpleNamespace(id=f"{n}.adoc")]) for n in nations],
        assets=assets,
        batteries=[SimpleNamespace(id=f"{n}.bty1", owner=n) for n in nations],
    )


@pytest.fixture
def journal() -> SimpleNamespace:
    """Record builders and the hand-built raid (see `raid_journal`)."""
    return SimpleNamespace(rec=rec, launched=launched, mark=mark, proposed=proposed, decided=decided, fired=fired,
                           resolved=resolved, assessed=assessed, destroyed=destroyed, impact=impact,
                           raid=raid_journal, scenario=fake_scenario)
