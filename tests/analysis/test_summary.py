"""`build_summary` gains `timeline` and `engagements`, stays JSON-ready and deterministic; the printed summary
shows them and stays readable for many threats."""

from __future__ import annotations

import io
import json

from rich.console import Console

from amdx.analysis.summary import build_summary
from amdx.summary_table import MAX_ROWS, print_summary

EXISTING_KEYS = ["scenario", "seed", "end_t_s", "threats", "assets", "air_picture", "totals"]


def _printed(summary) -> str:
    out = io.StringIO()
    print_summary(Console(file=out, width=240, color_system=None), summary)
    return out.getvalue()


def test_summary_keeps_its_keys_and_adds_timeline_and_engagements(journal):
    s = build_summary(journal.raid(), journal.scenario(), 1)
    assert list(s) == [*EXISTING_KEYS, "timeline", "engagements"]
    assert [th["threat_id"] for th in s["timeline"]] == [th["id"] for th in s["threats"]]
    assert list(s["engagements"]["nations"]) == ["north", "south"]
    # the scenario's owners attribute north.adoc's refusal and north.bty1's shots to north
    assert s["engagements"]["nations"]["north"]["refused_orders"] == {"weapons hold": 1}
    assert s["engagements"]["coalition"]["leakers"] == 1
    outcomes = {th["id"]: th["outcome"] for th in s["threats"]}
    assert outcomes == {"T1": "destroyed by north (north.bty1)", "T2": "hit south.port", "T3":
                        "destroyed by north (north.bty1)", "T4": "impact, no asset", "T5": "route completed",
                        "T6": "in flight at end"}
    assert {a["id"]: a["value_lost"] for a in s["assets"]} == {"north.capital": 0.0, "south.capital": 0.0,
                                                              "south.port": 60.0}


def test_summary_is_json_ready_and_deterministic_in_key_order(journal):
    a = build_summary(journal.raid(), journal.scenario(), 1)
    b = build_summary(iter(journal.raid()), journal.scenario(), 1)
    text = json.dumps(a)
    assert text == json.dumps(b)  # same keys in the same order, not only equal dicts
    assert json.loads(text) == a


def test_an_empty_journal_gives_an_empty_but_whole_summary(journal):
    s = build_summary([], journal.scenario(), 0)
    assert s["timeline"] == [] and s["threats"] == []
    assert s["engagements"]["coalition"]["threats"] == 0
    json.dumps(s)
    text = _printed(s)
    assert "engagements per nation and coalition" in text and "swift-response timeline" not in text


def test_printed_summary_shows_the_timeline_and_the_engagement_tables(journal):
    text = _printed(build_summary(journal.raid(), journal.scenario(), 1))
    assert "swift-response timeline" in text
    assert "engagements per nation and coalition" in text and "engagement decisions" in text
    t1 = next(line for line in text.splitlines() if line.startswith("│ T1 ") and "killed +240" in line)
    for cell in ("+68", "+80", "+90", "+95", "+112", "+120", "+180", "+190", "killed +240 north.bty1"):
        assert cell in t1
    t4 = next(line for line in text.splitlines() if line.startswith("│ T4 ") and "impact +400 no asset" in line)
    assert "+60*" in t4
    coalition = [line for line in text.splitlines() if line.startswith("│ coalition")]
    assert len(coalition) == 2 and "12/26/30" in coalition[1] and "120/150" in coalition[1]
    assert "not shown" not in text


def test_many_threats_print_only_the_first_rows(journal):
    j = journal
    records = [j.launched(10 * i, f"M{i:03d}") for i in range(MAX_ROWS + 13)]
    records += [j.impact(1000 + i, f"M{i:03d}") for i in range(MAX_ROWS + 13)]
    s = build_summary(records, j.scenario(), 2)
    assert len(s["timeline"]) == MAX_ROWS + 13
    text = _printed(s)
    assert f"M{MAX_ROWS - 1:03d}" in text and f"M{MAX_ROWS:03d}" not in text
    assert "13 more threats not shown" in text


def test_the_totals_line_counts_in_plain_english(journal):
    s = build_summary(journal.raid(), journal.scenario(), 1)
    last = _printed(s).strip().splitlines()[-1]
    tot = s["totals"]
    assert tot["asset_hits"] == 1  # the fixture's one hit: singular
    assert last == (f"{tot['threats']} threats, {tot['impacts']} impact{'s' if tot['impacts'] != 1 else ''}, "
                    f"1 asset hit; value lost {tot['value_lost']:g} of {tot['value_defended']:g}")
