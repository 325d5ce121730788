"""Every cross-reference rule has a failing example: (change to the valid base text, path, message, marker).

The marker is a piece of text on the line the problem must point at.
"""

from __future__ import annotations

import re

import pytest

LAUNCH1 = "threat: mrbm-a, actor: red, origin: {lat_deg: -43.9, lon_deg: -176.5},\n     target: north.capital}"
SENSOR_CMD = "command: north.adoc}\nbatteries"
CASES = [
    # duplicate ids, in one namespace for all scenario objects
    ("  - id: south\n", "  - id: north  # again\n", "nations[1].id",
     "duplicate id 'north' (first defined at nations[0].id)", "# again"),
    ("{id: south.ncc, name", "{id: north.ncc, name", "nations[1].command[0].id", "duplicate id 'north.ncc'",
     "{id: north.ncc, name: NCC, role: national, lat_deg: -43.53"),
    ("{id: south.capital,", "{id: north.capital,", "assets[1].id", "duplicate id 'north.capital'", "Christchurch"),
    ("{id: north.bty1,", "{id: north.ewr1,", "batteries[0].id", "first defined at sensors[0].id", "sam-upper"),
    ("id: cm1,", "id: tbm1,", "msel[1].id", "duplicate id 'tbm1'", "kind: route"),
    ("{id: ccc,", "{id: red,", "coordination_cell.id", "duplicate id 'red'", "coordination_cell"),
    # catalog ids: unique, and not already in the bundled catalog
    ("{id: test-srbm, name", "{id: srbm-a, name", "catalog.threats[0].id",
     "catalog id 'srbm-a' is already in the bundled catalog", "{id: srbm-a"),
    ("  threats:\n", "  threats:\n    - {id: test-srbm, name: X, class: drone, speed_mps: 50, altitude_m: 100, "
     "range_km: 100, rcs_m2: 0.1, lethal_radius_m: 1}\n", "catalog.threats[1].id",
     "duplicate catalog id 'test-srbm'", "name: Test SRBM"),
    # unknown ids
    ("owner: south, lat_deg: -43.5321", "owner: sout, lat_deg: -43.5321", "assets[1].owner",
     "unknown nation 'sout'; did you mean 'south'?", "owner: sout"),
    ("owner: north, type: sam-upper", "owner: west, type: sam-upper", "batteries[0].owner",
     "unknown nation 'west'; expected one of: north, south", "owner: west"),
    ("type: ewr-l", "type: ewr-k", "sensors[0].type", "unknown sensor type 'ewr-k'; did you mean 'ewr-l'?", "ewr-k"),
    ("type: sam-upper", "type: ewr-l", "batteries[0].type", "unknown interceptor type 'ewr-l'", "north.bty1"),
    ("parent: north.ncc", "parent: north.nc", "nations[0].command[1].parent",
     "unknown command node 'north.nc'; did you mean 'north.ncc'?", "parent: north.nc,"),
    (SENSOR_CMD, "command: north.hq}\nbatteries", "sensors[0].command", "unknown command node 'north.hq'",
     "north.hq"),
    ("{from: north, to: south", "{from: north, to: east", "sharing[0].to", "unknown nation 'east'", "to: east"),
    ("{from: north, to: south", "{from: nort, to: south", "sharing[0].from", "unknown nation 'nort'", "from: nort"),
    ("members: [north, south]", "members: [north, suoth]", "coordination_cell.members[1]",
     "unknown nation 'suoth'; did you mean 'south'?", "suoth"),
    ("threat: mrbm-a", "threat: mrbm-z", "msel[0].threat", "unknown threat type 'mrbm-z'", "mrbm-z"),
    ("actor: red, origin: {lat_deg: -43.9", "actor: blue, origin: {lat_deg: -43.9", "msel[0].actor",
     "unknown adversary 'blue'", "actor: blue"),
    (LAUNCH1, LAUNCH1.replace("north.capital", "north.capitol"), "msel[0].target",
     "unknown defended asset 'north.capitol'; did you mean 'north.capital'?", "north.capitol"),
    ("sensor: north.ewr1", "sensor: north.ewr2", "msel[3].sensor", "unknown sensor 'north.ewr2'", "north.ewr2"),
    ("between: [north.adoc, ccc]", "between: [north.adoc, cc]", "msel[4].between[1]",
     "unknown command node 'cc'", "between"),
    # ownership and hierarchy
    (SENSOR_CMD, "command: south.ncc}\nbatteries", "sensors[0].command",
     "command node 'south.ncc' belongs to south, not to the owner north", "type: ewr-l"),
    ("parent: north.ncc", "parent: south.ncc", "nations[0].command[1].parent",
     "parent 'south.ncc' is a command node of south, not of north", "parent: south.ncc"),
    ("{id: north.ncc, name: NCC, role: national,", "{id: north.ncc, name: NCC, role: national, parent: north.adoc,",
     "nations[0].command[0].parent", "command hierarchy cycle: north.ncc → north.adoc → north.ncc",
     "parent: north.adoc,"),
    ("{from: north, to: south", "{from: north, to: north", "sharing[0].to", "a nation cannot share with itself",
     "to: north"),
    ("sharing:\n", "sharing:\n  - {from: north, to: south, release: none, update_period_s: 1}\n", "sharing[1]",
     "a second agreement from north to south (first: sharing[0])", "release: all"),
    ("members: [north, south]", "members: [north, north]", "coordination_cell.members[1]",
     "nation 'north' is listed twice", "members"),
    ("between: [north.adoc, ccc]", "between: [ccc, ccc]", "msel[4].between", "a comms cut needs two different nodes",
     "between"),
    # threat classes
    ("threat: mrbm-a", "threat: cm-a, note: x", "msel[0].threat", "threat type 'cm-a' is cruise, not ballistic",
     "cm-a, note: x"),
    ("threat: cm-a", "threat: srbm-a", "msel[1].threat", "threat type 'srbm-a' is ballistic: use kind 'launch'",
     "srbm-a"),
    # launch geometry and times
    ("aim: {lat_deg: -41.5, lon_deg: 175.5}}", "aim: {lat_deg: -41.5, lon_deg: 175.5}, target: north.capital}",
     "msel[2]", "a launch needs exactly one of 'aim' and 'target'", "kind: launch, id: tbm2"),
    (LAUNCH1, LAUNCH1.replace(",\n     target: north.capital", ", note: x"), "msel[0]",
     "a launch needs exactly one of 'aim' and 'target'", "kind: launch, id: tbm1"),
    ("t_s: 500, text", "t_s: 1801, text", "msel[5].t_s",
     "event at t = 1801 s is after the end of the exercise (duration_s 1800)", "1801"),
    ("t_s: 60, threat: mrbm-a", "t_s: 60, count: 3, interval_s: 900, threat: mrbm-a", "msel[0].interval_s",
     "the last of 3 threats leaves at t = 1860 s", "interval_s: 900"),
    ("aim: {lat_deg: -41.5, lon_deg: 175.5}}", "aim: {lat_deg: -41.5, lon_deg: 175.5}, profile: min-energy, "
     "apogee_km: 300}", "msel[2].apogee_km", "apogee_km is only meaningful with profile 'lofted' or 'depressed'",
     "apogee_km"),
    # catalog consistency
    ("min_range_km: 100,", "min_range_km: 600,", "catalog.threats[0].max_range_km",
     "max_range_km (500 km) is below min_range_km (600 km)", "max_range_km: 500"),
    ("range_class: srbm", "range_class: icbm", "catalog.threats[0].range_class",
     "range class icbm does not match max_range_km 500", "range_class: icbm"),
]


@pytest.mark.parametrize(("old", "new", "path", "message", "marker"), CASES,
                         ids=[f"{c[2]}:{c[3][:30]}" for c in CASES])
def test_each_rule_has_a_failing_example(kit, old, new, path, message, marker):
    text = kit.replace_once(kit.BASE_TEXT, old, new)
    problems = kit.problems_of(text)
    matching = [p for p in problems if p.path == path and message in p.message]
    assert matching, "\n".join(map(str, problems))
    assert matching[0].line == kit.line_of(text, marker)


RANGE_CASES = [
    # (aim point, limit named in the message): test-srbm flies 100–500 km from (-42.6, 177.0)
    ((-36.85, 174.76), "beyond the maximum range of test-srbm (500 km)"),
    ((-42.7, 177.5), "inside the minimum range of test-srbm (100 km)"),
]


@pytest.mark.parametrize(("aim", "words"), RANGE_CASES)
def test_aim_points_outside_the_range_band_name_the_distance_and_the_limit(kit, aim, words):
    text = kit.replace_once(kit.BASE_TEXT, "aim: {lat_deg: -41.5, lon_deg: 175.5}",
                            f"aim: {{lat_deg: {aim[0]}, lon_deg: {aim[1]}}}")
    (problem,) = kit.problems_of(text)
    assert problem.path == "msel[2].aim" and words in problem.message
    distance = float(re.search(r"is ([\d.]+) km from the origin", problem.message).group(1))
    assert distance == pytest.approx(kit.haversine_km(-42.6, 177.0, *aim), abs=0.1)
    assert problem.found == f"{distance:.1f} km"


def test_a_target_asset_beyond_range_is_measured_from_the_origin(kit):
    text = kit.replace_once(kit.BASE_TEXT, "origin: {lat_deg: -43.9, lon_deg: -176.5}",
                            "origin: {lat_deg: -20.0, lon_deg: -160.0}")
    (problem,) = kit.problems_of(text)
    assert problem.path == "msel[0].target"
    assert "target 'north.capital' is" in problem.message and "mrbm-a (1300 km)" in problem.message
    distance = float(re.search(r"is ([\d.]+) km", problem.message).group(1))
    assert distance == pytest.approx(kit.haversine_km(-20.0, -160.0, -41.2865, 174.7762), abs=0.1)


def test_a_route_longer_than_its_type_range_is_refused(kit):
    text = kit.replace_once(kit.BASE_TEXT, "waypoints: [{lat_deg: -42.6, lon_deg: 175.0,",
                            "waypoints: [{lat_deg: -10.0, lon_deg: 175.0,")
    (problem,) = kit.problems_of(text)
    length = kit.haversine_km(-10.0, 175.0, -41.2865, 174.7762)
    assert problem.path == "msel[1].waypoints"
    assert f"the route is {length:.1f} km long, beyond the range of cm-a (1500 km)" == problem.message


def test_reference_and_field_problems_come_together_without_knock_on_errors(kit):
    # nation 'north' has a bad colour: its id must still count, so nothing reports "unknown nation 'north'"
    text = kit.replace_once(kit.BASE_TEXT, 'colour: "#2b6cb0"', 'colour: "blue"')
    text = kit.replace_once(text, "sensor: north.ewr1", "sensor: north.ewr9")
    problems = kit.problems_of(text)
    assert [p.path for p in problems] == ["nations[0].colour", "msel[3].sensor"]


def test_bundled_types_and_file_types_are_both_known(kit):
    # test-srbm comes from the file's catalog, mrbm-a and cm-a from the bundled one: the base text is valid
    from amdx.scenario import load_scenario_text

    scenario = load_scenario_text(kit.BASE_TEXT)
    assert scenario.threat_type("test-srbm").max_range_km == 500
    assert scenario.threat_type("mrbm-a") is not None and scenario.threat_type("nope") is None
