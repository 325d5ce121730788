"""A battery's rounds: taken fullest launcher first, reloaded from the magazine, unfired rounds given back."""

from __future__ import annotations

import pytest

from amdx.engine.battle_state import BatteryState
from amdx.scenario import bundled_scenario_path, load_scenario


@pytest.fixture()
def battery():
    scenario = load_scenario(bundled_scenario_path("default"))
    spec = scenario.batteries[0].model_copy(update={"launchers": 2, "rounds_per_launcher": 2, "reserve_rounds": 3})
    return BatteryState.from_spec(spec, scenario, scenario.nations[0].doctrine)


def test_rounds_are_taken_reloaded_and_given_back(battery):
    assert battery.rounds == 4 and battery.reserve == 3
    assert battery.take(3) == 3 and battery.loaded == [0, 1]  # 2 from launcher 1, then the fuller one
    assert battery.to_reload() == [0] and battery.reserve == 1  # launcher 1 refills with 2 of the 3 spares
    assert battery.to_reload() == []  # already on its way
    assert battery.reload(0) == 2 and battery.loaded == [2, 1]
    assert battery.take(10) == 3 and battery.loaded == [0, 0]  # no more than there is
    assert battery.to_reload() == [0] and battery.reserve == 0  # the last spare goes to launcher 1
    battery.give_back(2)  # two unfired rounds: launcher 1 has room for one beside its incoming reload
    assert battery.loaded == [1, 1] and battery.reserve == 0
    assert battery.reload(0) == 1 and battery.loaded == [2, 1] and battery.rounds == 3
