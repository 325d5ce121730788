"""The per-threat swift-response timeline against latencies computed by hand from hand-built journals."""

from __future__ import annotations

from amdx.analysis.timeline import response_timelines


def _by_id(records):
    return {th["threat_id"]: th for th in response_timelines(records)}


def test_an_empty_journal_has_no_timelines():
    assert response_timelines([]) == []


def test_latencies_of_each_step_are_times_after_launch(journal):
    t1 = _by_id(journal.raid())["T1"]
    assert t1["launch_t_s"] == 60.0 and t1["class"] == "ballistic" and t1["target"] == "north.capital"
    north = t1["nations"]["north"]
    # launch 60 s: detection 128, own track 140, hostile 150, evaluation 155, proposal 160, decision 172,
    # interceptor 180, first intercept 240, first kill assessment 250
    expected = {"first_detection": 68.0, "first_track": 80.0, "identified_hostile": 90.0, "evaluated": 95.0,
                "proposed": 100.0, "decided": 112.0, "interceptor_launch": 120.0, "intercept": 180.0,
                "kill_assessment": 190.0}
    assert {step: v["after_launch_s"] for step, v in north.items()} == expected
    assert list(north) == list(expected)  # response order
    assert north["first_detection"]["t_s"] == 128.0 and north["first_detection"]["detail"] == "north.ewr1"
    assert north["evaluated"]["detail"] == "threatens north.capital"
    assert north["decided"]["detail"] == "approve"
    assert north["intercept"]["detail"] == "missed"  # the first shot missed; SLS's second killed
    assert north["kill_assessment"]["detail"] == "survived"
    assert t1["nations"]["south"] == {"first_partner_track": {"t_s": 146.0, "after_launch_s": 86.0,
                                                              "detail": "north"}}
    assert t1["first"]["first_partner_track"]["nation"] == "south"
    assert t1["first"]["interceptor_launch"] == {"t_s": 180.0, "after_launch_s": 120.0, "nation": "north",
                                                 "detail": "P1"}


def test_shoot_look_shoot_gives_two_engagements_and_ends_destroyed(journal):
    t1 = _by_id(journal.raid())["T1"]
    assert t1["engagements"] == ["P1", "P2"] and t1["engaged_by"] == ["north"]
    assert [(i["t_s"], i["after_launch_s"], i["engagement_id"], i["battery_id"]) for i in t1["interceptors"]] == [
        (180.0, 120.0, "P1", "north.bty1"), (260.0, 200.0, "P2", "north.bty1")]
    assert [(i["t_s"], i["killed"], i["miss_m"]) for i in t1["intercepts"]] == [(240.0, False, 40.0),
                                                                               (300.0, True, 2.0)]
    assert [(k["t_s"], k["assessment"]) for k in t1["kill_assessments"]] == [(250.0, "survived"), (310.0, "killed")]
    assert t1["end"] == {"outcome": "destroyed", "t_s": 300.0, "after_launch_s": 240.0, "nation": "north",
                         "battery_id": "north.bty1", "engagement_id": "P2", "assets_hit": []}


def test_engagements_without_markers_are_mapped_through_the_intercept_outcome(journal):
    """T2 has no response markers: its salvo P4 maps to it through `intercept_resolved`, and so do P4's proposal
    and decision."""
    t2 = _by_id(journal.raid())["T2"]
    south = t2["nations"]["south"]
    assert {s: v["after_launch_s"] for s, v in south.items()} == {
        "proposed": 120.0, "decided": 140.0, "interceptor_launch": 150.0, "intercept": 220.0}
    assert [i["shot"] for i in t2["interceptors"]] == [1, 2] and t2["engagements"] == ["P4"]
    assert t2["end"]["outcome"] == "impact" and t2["end"]["after_launch_s"] == 300.0
    assert t2["end"]["assets_hit"] == ["south.port"]


def test_a_cross_nation_engagement_is_on_the_defended_threat(journal):
    t3 = _by_id(journal.raid())["T3"]
    assert t3["class"] == "cruise" and t3["engaged_by"] == ["north"] and t3["engagements"] == ["P5"]
    assert t3["nations"]["north"]["decided"]["after_launch_s"] == 100.0  # approved at 300, launched at 200
    assert t3["end"]["outcome"] == "destroyed" and t3["end"]["after_launch_s"] == 150.0


def test_unengaged_threats_end_in_impact_route_or_flight(journal):
    th = _by_id(journal.raid())
    assert th["T4"]["first"]["evaluated"]["detail"] == "threatens nothing"
    assert th["T4"]["first"]["evaluated"]["after_launch_s"] == 60.0
    assert (th["T4"]["end"]["outcome"], th["T4"]["end"]["after_launch_s"], th["T4"]["end"]["assets_hit"]) == (
        "impact", 400.0, [])
    assert (th["T5"]["end"]["outcome"], th["T5"]["end"]["t_s"]) == ("route_completed", 1500.0)
    assert th["T6"]["end"]["outcome"] == "in_flight" and th["T6"]["end"]["t_s"] is None
    for tid in ("T4", "T5", "T6"):
        assert th[tid]["interceptors"] == [] and th[tid]["engaged_by"] == []


def test_timelines_come_in_launch_order(journal):
    assert [th["threat_id"] for th in response_timelines(journal.raid())] == ["T1", "T2", "T3", "T4", "T5", "T6"]


def test_the_earliest_time_of_a_step_wins_across_sources(journal):
    """A marker at 90 s after a typed event at 95 s for the same step: 90 wins; ties keep journal order."""
    j = journal
    records = [j.launched(0, "A"), j.mark(0, "A", "north", "proposed", "E1"),
               j.fired(95, "E1", 1, "north", "north.bty1"),
               j.mark(90, "A", "north", "interceptor_launch", "E1", "first"),
               j.mark(90, "A", "north", "interceptor_launch", "E1", "second")]
    step = response_timelines(records)[0]["nations"]["north"]["interceptor_launch"]
    assert (step["t_s"], step["detail"]) == (90.0, "first")


def test_an_unknown_step_is_kept_after_the_known_ones(journal):
    j = journal
    records = [j.launched(10, "A"), j.mark(30, "A", "north", "zz_new_step"), j.mark(20, "A", "north", "evaluated")]
    assert list(response_timelines(records)[0]["nations"]["north"]) == ["evaluated", "zz_new_step"]


def test_latencies_are_rounded_to_the_journals_microsecond(journal):
    j = journal
    records = [j.launched(60.000001, "A"), j.rec("first_detection", 183.183802, threat_id="A", nation="north",
                                                 sensor_id="s")]
    assert response_timelines(records)[0]["first"]["first_detection"]["after_launch_s"] == 123.183801
