"""The models: SI properties by the closed-form unit factors, immutability, UTC epoch, lookups, the merged
catalog, and the consistency check that also guards scenarios built in code."""

from __future__ import annotations

import math

import pytest
from pydantic import ValidationError
from ruamel.yaml import YAML

from amdx.scenario import Scenario, bundled_catalog, load_scenario_text


@pytest.fixture(scope="module")
def scenario(kit) -> Scenario:
    return load_scenario_text(kit.BASE_TEXT)


@pytest.fixture(scope="module")
def data(kit) -> dict:
    return YAML(typ="safe").load(kit.BASE_TEXT)


DEG = math.pi / 180.0


def test_si_properties_convert_the_file_units(scenario, data):
    asset = scenario.assets[0]
    assert asset.radius_m == data["assets"][0]["radius_km"] * 1000.0
    assert scenario.exercise.duration_s == 1800.0
    srbm = scenario.threat_type("test-srbm")
    assert (srbm.min_range_m, srbm.max_range_m, srbm.burnout_altitude_m, srbm.boost_downrange_m) == (
        100e3, 500e3, 30e3, 20e3)
    radar = scenario.sensor_type("ewr-l")
    assert radar.instrumented_range_m == radar.instrumented_range_km * 1e3
    assert radar.reference_snr == pytest.approx(10 ** (radar.reference_snr_db / 10))
    assert radar.azimuth_sigma_rad == pytest.approx(radar.azimuth_sigma_deg * DEG)
    assert radar.elevation_max_rad == pytest.approx(radar.elevation_max_deg * DEG)
    upper = scenario.interceptor_type("sam-upper")
    assert upper.max_intercept_altitude_m == upper.max_intercept_altitude_km * 1e3
    assert scenario.threat_type("cm-a").range_m == scenario.threat_type("cm-a").range_km * 1e3
    assert scenario.batteries[0].rounds_total == 16
    assert scenario.sensors[0].boresight_rad == 0.0


def test_models_are_frozen(scenario):
    with pytest.raises(ValidationError):
        scenario.assets[0].radius_km = 1.0  # type: ignore[misc]
    assert isinstance(scenario.assets, tuple) and isinstance(scenario.nations[0].command, tuple)


def test_epoch_is_kept_in_utc(kit):
    text = kit.replace_once(kit.BASE_TEXT, '"2026-05-04T06:00:00Z"', '"2026-05-04T18:00:00+12:00"')
    exercise = load_scenario_text(text).exercise
    assert exercise.epoch.utcoffset().total_seconds() == 0 and exercise.epoch.hour == 6
    assert exercise.epoch_iso == "2026-05-04T06:00:00Z"


def test_launch_times_follow_count_and_interval(kit):
    text = kit.replace_once(kit.BASE_TEXT, "t_s: 60, threat: mrbm-a", "t_s: 60, count: 3, interval_s: 12.5, "
                            "threat: mrbm-a")
    launch = load_scenario_text(text).msel[0]
    assert launch.launch_times_s == (60.0, 72.5, 85.0) and launch.last_launch_s == 85.0


def test_lookups_by_id(scenario):
    assert scenario.asset("south.capital").name == "Christchurch"
    assert scenario.nation("north").name == "Norland"
    assert scenario.command_node("north.adoc").parent == "north.ncc"
    assert scenario.sensor("north.ewr1").type == "ewr-l" and scenario.battery("north.bty1").launchers == 4
    assert scenario.asset("nowhere") is None and scenario.command_node("ccc") is None
    assert scenario.sharing[0].from_nation == "north" and scenario.sharing[0].to_nation == "south"


def test_catalog_is_the_bundled_one_plus_the_file_types(scenario):
    bundled = bundled_catalog()
    ids = scenario.catalog.ids()
    assert set(bundled.ids()) < set(ids)
    assert "test-srbm" in ids and "test-srbm" not in bundled.ids()
    assert len(ids) == len(set(ids)) == len(bundled.ids()) + 1


def test_dump_and_validate_round_trip(scenario):
    again = Scenario.model_validate(scenario.model_dump(by_alias=True, mode="json"))
    assert again == scenario


def test_scenarios_built_in_code_are_checked_for_references_too(scenario):
    raw = scenario.model_dump(by_alias=True)
    raw["assets"][0]["owner"] = "atlantis"
    with pytest.raises(ValidationError, match="unknown nation 'atlantis'"):
        Scenario.model_validate(raw)
    raw = scenario.model_dump(by_alias=True)
    clash = dict(raw["catalog"]["threats"][0], name="Another srbm-a")
    raw["catalog"]["threats"] = [*raw["catalog"]["threats"], clash]
    with pytest.raises(ValidationError, match="already in the bundled catalog"):
        Scenario.model_validate(raw)


def test_a_radar_type_declares_its_detection_model():
    import pytest
    from pydantic import ValidationError

    from amdx.scenario import bundled_catalog
    from amdx.scenario.catalog_models import RadarType

    base = bundled_catalog().sensor_type("fcr-c").model_dump(by_alias=True)
    assert base["detection_model"] == "albersheim" and base["pulses_integrated"] == 8
    with pytest.raises(ValidationError, match="single look"):
        RadarType.model_validate({**base, "id": "x", "detection_model": "swerling1", "pulses_integrated": 4})
