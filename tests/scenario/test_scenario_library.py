"""The bundled scenarios and catalog: they validate, and they are what the exercise design asks for.

Facts are read from the files with a plain YAML loader (not amdx's), distances with the test's own haversine.
"""

from __future__ import annotations

import itertools
from importlib.resources import files

import pytest
from ruamel.yaml import YAML

from amdx.scenario import DEFAULT_SCENARIO, bundled_scenario_path, bundled_scenarios, load_scenario, parse_scenario_text

NAMES = ["accidental_open_sea", "accidental_partner_city", "default", "mixed_raid", "provocative_salvo", "salvo",
         "saturation", "single_launch", "wcs_hold"]


def plain(name: str) -> dict:
    return YAML(typ="safe").load(bundled_scenario_path(name).read_text(encoding="utf-8"))


def catalog_types() -> dict[str, dict]:
    out = {}
    for section in ("threats", "sensors", "interceptors"):
        text = files("amdx.scenario").joinpath("catalog", f"{section}.yaml").read_text(encoding="utf-8")
        out.update({t["id"]: t for t in YAML(typ="safe").load(text)[section]})
    return out


def threat_count(event: dict) -> int:
    return event.get("count", 1)


def test_the_library_lists_the_four_scenarios_and_the_default():
    assert set(NAMES) <= set(bundled_scenarios())
    assert DEFAULT_SCENARIO == "default" and DEFAULT_SCENARIO in bundled_scenarios()
    with pytest.raises(ValueError, match="did you mean 'salvo'"):
        bundled_scenario_path("salvoo")


@pytest.mark.parametrize("name", NAMES)
def test_every_bundled_scenario_validates(name):
    path = bundled_scenario_path(name)
    scenario, problems = parse_scenario_text(path.read_text(encoding="utf-8"), path.name)
    assert problems == [] and scenario is not None
    assert load_scenario(path) == scenario


@pytest.mark.parametrize("name", NAMES)
def test_every_threat_is_within_its_type_range(kit, name):
    data, types = plain(name), catalog_types()
    assets = {a["id"]: a for a in data["assets"]}
    for event in data["msel"]:
        if event["kind"] == "launch":
            ttype = types[event["threat"]]
            aim = event.get("aim") or assets[event["target"]]
            d = kit.haversine_km(event["origin"]["lat_deg"], event["origin"]["lon_deg"], aim["lat_deg"],
                                 aim["lon_deg"])
            assert ttype["class"] == "ballistic" and ttype["min_range_km"] <= d <= ttype["max_range_km"], event
        elif event["kind"] == "route":
            ttype = types[event["threat"]]
            points = event["waypoints"] + ([assets[event["target"]]] if event.get("target") else [])
            length = sum(kit.haversine_km(a["lat_deg"], a["lon_deg"], b["lat_deg"], b["lon_deg"])
                         for a, b in itertools.pairwise(points))
            assert ttype["class"] != "ballistic" and length <= ttype["range_km"], event
        assert event["t_s"] <= data["exercise"]["duration_s"]


@pytest.mark.parametrize("name", [n for n in NAMES if n != "saturation"])  # its own test: tests/bench
def test_order_of_battle_follows_the_exercise_design(name):
    data, types = plain(name), catalog_types()
    nations = {n["id"] for n in data["nations"]}
    assert nations == {"north", "south"}
    for nation in data["nations"]:
        roles = {n["role"]: n for n in nation["command"]}
        assert roles["air_defence"]["parent"] == roles["national"]["id"] and "parent" not in roles["national"]
        kinds = sorted(types[s["type"]]["kind"] for s in data["sensors"] if s["owner"] == nation["id"])
        assert [k for k in kinds if k != "space_warning"] == ["early_warning", "fire_control"]
        tiers = [types[b["type"]]["tier"] for b in data["batteries"] if b["owner"] == nation["id"]]
        assert 2 <= len(tiers) <= 3 and set(tiers) == {"upper", "lower"}
        assert sum(a["owner"] == nation["id"] for a in data["assets"]) == 3
    assert set(data["coordination_cell"]["members"]) == nations
    assert {(s["from"], s["to"]) for s in data["sharing"]} == {("north", "south"), ("south", "north")}
    assert [a["id"] for a in data["adversaries"]] == ["red"]


def test_default_opens_with_an_accidental_launch_at_sea_then_a_salvo_and_air_threats(kit):
    data, types = plain("default"), catalog_types()
    assert 1500 <= data["exercise"]["duration_s"] <= 2100  # about 30 minutes
    threats = sorted((e for e in data["msel"] if e["kind"] in ("launch", "route")), key=lambda e: e["t_s"])
    first = threats[0]
    assert first["kind"] == "launch" and "aim" in first
    for asset in data["assets"]:  # the aim falls well away from every defended asset
        assert kit.haversine_km(first["aim"]["lat_deg"], first["aim"]["lon_deg"], asset["lat_deg"],
                                asset["lon_deg"]) > 100.0
    # one origin in the Chatham Islands area
    assert kit.haversine_km(first["origin"]["lat_deg"], first["origin"]["lon_deg"], -43.9, -176.5) < 150.0
    salvo = [e for e in threats[1:] if e["kind"] == "launch"]
    assert 3 <= sum(threat_count(e) for e in salvo) <= 4
    owners = {a["id"]: a["owner"] for a in data["assets"]}
    assert {owners[e["target"]] for e in salvo} == {"north", "south"}
    classes = [types[e["threat"]]["class"] for e in threats if e["kind"] == "route"]
    assert "cruise" in classes and "aircraft" in classes


def test_single_salvo_and_mixed_raid_hold_what_their_names_say():
    single = [e for e in plain("single_launch")["msel"] if e["kind"] in ("launch", "route")]
    assert len(single) == 1 and single[0]["kind"] == "launch" and threat_count(single[0]) == 1
    data = plain("salvo")
    owners = {a["id"]: a["owner"] for a in data["assets"]}
    launches = [e for e in data["msel"] if e["kind"] == "launch"]
    assert sum(threat_count(e) for e in launches) >= 3 and {owners[e["target"]] for e in launches} == {"north", "south"}
    types = catalog_types()
    raid = {types[e["threat"]]["class"] for e in plain("mixed_raid")["msel"] if "threat" in e}
    assert raid == {"ballistic", "cruise", "aircraft", "drone"}


def test_bundled_files_say_they_are_notional():
    for name in NAMES:
        assert "notional" in bundled_scenario_path(name).read_text(encoding="utf-8").splitlines()[0].lower()
    for section in ("threats", "sensors", "interceptors"):
        first = files("amdx.scenario").joinpath("catalog", f"{section}.yaml").read_text(encoding="utf-8")
        assert "notional" in first.splitlines()[0].lower()


# Conventional range classes of ballistic missiles by maximum range (public classification): SRBM up to
# 1000 km, MRBM 1000–3000 km, IRBM 3000–5500 km, ICBM beyond 5500 km.
RANGE_CLASSES = {"srbm": (0, 1000), "mrbm": (1000, 3000), "irbm": (3000, 5500), "icbm": (5500, 20000)}
# refs/physics.md §1.2: apogee altitude of the minimum-energy trajectory for a ground range, km
MIN_ENERGY_APOGEE_KM = {300: 74.1, 600: 146.4, 1300: 307.9, 3000: 655.2}


def test_bundled_catalog_holds_the_named_types_with_consistent_numbers():
    types = catalog_types()
    for type_id, max_km in (("srbm-a", 300), ("srbm-b", 600), ("mrbm-a", 1300), ("irbm-a", 3000)):
        t = types[type_id]
        assert t["class"] == "ballistic" and t["max_range_km"] == max_km
        lo, hi = RANGE_CLASSES[t["range_class"]]
        assert lo <= t["max_range_km"] <= hi and t["min_range_km"] < t["max_range_km"]
        # burnout happens on the way up: below the apogee of the minimum-energy trajectory at full range
        assert t["burnout_altitude_km"] < MIN_ENERGY_APOGEE_KM[max_km]
    assert {types[i]["class"] for i in ("cm-a", "ac-strike", "uav-a")} == {"cruise", "aircraft", "drone"}
    for t in types.values():
        if "single_shot_pk" in t:
            assert 0 <= t["single_shot_pk"] <= 1
            assert t["min_intercept_altitude_km"] <= t["max_intercept_altitude_km"]
