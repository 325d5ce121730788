"""Engagement figures per nation and coalition against figures counted by hand from hand-built journals."""

from __future__ import annotations

import numpy as np
import pytest

from amdx.analysis.engagements import decision_stats, engagement_summary, percentile

OWNERS = {"north.capital": "north", "south.capital": "south", "south.port": "south", "north.bty1": "north",
          "south.bty1": "south", "north.adoc": "north", "south.adoc": "south"}


@pytest.fixture
def raid(journal):
    return engagement_summary(journal.raid(), ["north", "south"], OWNERS)


def test_north_figures(raid):
    n = raid["nations"]["north"]
    assert n["threats"] == 2  # T1 and T5 aim at north.capital
    assert (n["threats_engaged"], n["threats_destroyed"], n["leakers"], n["impacts_no_asset"]) == (2, 2, 0, 0)
    assert n["value_lost"] == 0.0
    assert n["interceptors_spent"] == 3 and n["interceptors_by_battery"] == {"north.bty1": 3}
    assert n["engagements"] == 3
    assert n["engagements_per_engaged_threat"] == pytest.approx(1.5)  # T1: P1 and P2 (SLS); T3: P5
    assert n["interceptors_per_kill"] == pytest.approx(1.5)  # 3 interceptors, 2 kills
    assert n["cross_nation_engagements"] == 1 and n["support_received"] == 0  # P5 for south; P3 never launched
    assert n["proposals"] == {"proposed": 4, "approved": 3, "denied": 1, "undecided": 0}
    assert n["refused_orders"] == {"weapons hold": 1}
    # decision times 12, 20, 4, 6 s → sorted 4, 6, 12, 20: median (6+12)/2 = 9; p90 at rank 0.9·3 = 2.7:
    # 12 + 0.7·(20 − 12) = 17.6
    assert n["decision_time"] == pytest.approx({"n": 4, "median_s": 9.0, "p90_s": 17.6, "max_s": 20.0})
    # launch → first interceptor: T1 180 − 60 = 120, T3 310 − 200 = 110
    assert n["launch_to_first_interceptor"] == {"n": 2, "median_s": 115.0, "max_s": 120.0}


def test_south_figures_with_a_leaker(raid):
    s = raid["nations"]["south"]
    assert s["threats"] == 3  # T2 (south.port), T3 and T6 (south.capital)
    assert (s["threats_engaged"], s["threats_destroyed"], s["leakers"], s["value_lost"]) == (1, 0, 1, 60.0)
    assert s["interceptors_spent"] == 2 and s["interceptors_by_battery"] == {"south.bty1": 2}
    assert s["engagements_per_engaged_threat"] == 1.0 and s["interceptors_per_kill"] is None
    assert s["cross_nation_engagements"] == 0 and s["support_received"] == 1  # north's P5 defended south.capital
    assert s["proposals"] == {"proposed": 1, "approved": 1, "denied": 0, "undecided": 0}
    assert s["decision_time"] == {"n": 1, "median_s": 30.0, "p90_s": 30.0, "max_s": 30.0}
    assert s["launch_to_first_interceptor"] == {"n": 1, "median_s": 150.0, "max_s": 150.0}  # 250 − 100
    assert s["refused_orders"] == {}


def test_coalition_figures(raid):
    c = raid["coalition"]
    assert (c["threats"], c["threats_engaged"], c["threats_destroyed"]) == (6, 3, 2)
    assert (c["leakers"], c["impacts_no_asset"], c["value_lost"]) == (1, 1, 60.0)  # T2 on south.port; T4 at sea
    assert c["interceptors_spent"] == 5
    assert c["interceptors_by_battery"] == {"north.bty1": 3, "south.bty1": 2}
    assert c["engagements"] == 4 and c["engagements_per_engaged_threat"] == pytest.approx(4 / 3)
    assert c["interceptors_per_kill"] == pytest.approx(2.5)
    assert c["cross_nation_engagements"] == 1
    assert c["proposals"] == {"proposed": 5, "approved": 4, "denied": 1, "undecided": 0}
    # 4, 6, 12, 20, 30: median 12; p90 at rank 3.6: 20 + 0.6·10 = 26
    assert c["decision_time"] == pytest.approx({"n": 5, "median_s": 12.0, "p90_s": 26.0, "max_s": 30.0})
    assert c["launch_to_first_interceptor"] == {"n": 3, "median_s": 120.0, "max_s": 150.0}
    assert c["refused_orders"] == {"weapons hold": 1}
    assert raid["other_refused_orders"] == {"unknown asset": 1}  # the white cell's, no nation's


def test_an_empty_journal_gives_zeros_and_nones():
    out = engagement_summary([], ["north"])
    for f in (out["nations"]["north"], out["coalition"]):
        assert f["threats"] == f["leakers"] == f["interceptors_spent"] == f["engagements"] == 0
        assert f["engagements_per_engaged_threat"] is None and f["interceptors_per_kill"] is None
        assert f["decision_time"] == {"n": 0, "median_s": None, "p90_s": None, "max_s": None}
        assert f["launch_to_first_interceptor"] == {"n": 0, "median_s": None, "max_s": None}
        assert f["proposals"] == {"proposed": 0, "approved": 0, "denied": 0, "undecided": 0}
    assert out["other_refused_orders"] == {}


def test_a_run_without_engagements_counts_leakers_and_misses(journal):
    j = journal
    records = [j.launched(0, "A", target="north.capital"), j.launched(5, "B", target="north.capital"),
               j.impact(300, "A", "north.capital"),
               j.rec("asset_damaged", 300, asset_id="north.capital", owner="north", threat_id="A", distance_m=5.0,
                     value_lost=100.0),
               j.impact(305, "B")]
    out = engagement_summary(records, ["north", "south"], OWNERS)
    n, s = out["nations"]["north"], out["nations"]["south"]
    assert (n["threats"], n["leakers"], n["impacts_no_asset"], n["value_lost"]) == (2, 1, 1, 100.0)
    assert (n["interceptors_spent"], n["threats_engaged"], n["engagements_per_engaged_threat"]) == (0, 0, None)
    assert (s["threats"], s["leakers"], s["value_lost"]) == (0, 0, 0.0)


def test_shots_at_a_false_track_are_spent_but_engage_no_threat(journal):
    j = journal
    records = [j.launched(0, "A"), j.fired(100, "E9", 1, "south", "south.bty1"),
               j.resolved(150, "E9", 1, None, False)]
    out = engagement_summary(records, ["south"])
    s = out["nations"]["south"]
    assert (s["interceptors_spent"], s["engagements"], s["threats_engaged"]) == (1, 1, 0)
    assert s["interceptors_by_battery"] == {"south.bty1": 1}


def test_nations_keep_the_given_order_and_others_follow_sorted(journal):
    j = journal
    records = [j.launched(0, "A"), j.fired(10, "E1", 1, "west", "west.bty1"), j.fired(11, "E2", 1, "east", "e.b")]
    assert list(engagement_summary(records, ["south", "north"])["nations"]) == ["south", "north", "east", "west"]


def test_a_refusal_seen_by_one_nation_is_that_nations(journal):
    r = journal.rec("order_refused", 10, ("controller", "south"), order="engage", source="seat-7", reason="hold")
    out = engagement_summary([r], ["north", "south"])
    assert out["nations"]["south"]["refused_orders"] == {"hold": 1} and out["nations"]["north"]["refused_orders"] == {}


def test_percentile_agrees_with_numpy():
    rng = np.random.default_rng(3)
    for n in (1, 2, 5, 17):
        x = rng.uniform(0, 60, n).tolist()
        for q in (0, 10, 50, 90, 100):
            assert percentile(x, q) == pytest.approx(np.percentile(x, q))
    assert decision_stats([3.0, 1.0, 2.0]) == pytest.approx({"n": 3, "median_s": 2.0, "p90_s": 2.8, "max_s": 3.0})
