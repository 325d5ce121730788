"""Helpers shared by the scenario tests, handed out by the ``kit`` fixture (pytest runs with importlib mode,
so test modules cannot import each other): a compact valid scenario and an independent great-circle distance."""

from __future__ import annotations

import math
from types import SimpleNamespace

import pytest

from amdx.scenario import Problem, parse_scenario_text

# refs/physics.md, constants table: R_E = 6371.0 km
R_E_KM = 6371.0

BASE_TEXT = """\
exercise:
  name: Test exercise
  epoch: "2026-05-04T06:00:00Z"
  duration_s: 1800
  seed: 1
nations:
  - id: north
    name: Norland
    colour: "#2b6cb0"
    command:
      - {id: north.ncc, name: NCC, role: national, lat_deg: -41.28, lon_deg: 174.78}
      - {id: north.adoc, name: ADOC, role: air_defence, parent: north.ncc, lat_deg: -40.35, lon_deg: 175.61}
  - id: south
    name: Sudmark
    colour: "#2f855a"
    command:
      - {id: south.ncc, name: NCC, role: national, lat_deg: -43.53, lon_deg: 172.64}
adversaries:
  - {id: red, name: Kharad, colour: "#c53030"}
coordination_cell: {id: ccc, name: CCC, members: [north, south], lat_deg: -41.29, lon_deg: 174.78}
sharing:
  - {from: north, to: south, release: all, latency_s: 2.0, update_period_s: 4.0}
assets:
  - {id: north.capital, name: Wellington, owner: north, lat_deg: -41.2865, lon_deg: 174.7762, radius_km: 8,
     value: 100, priority: 1}
  - {id: south.capital, name: Christchurch, owner: south, lat_deg: -43.5321, lon_deg: 172.6362, radius_km: 8,
     value: 100, priority: 1}
sensors:
  - {id: north.ewr1, owner: north, type: ewr-l, lat_deg: -39.65, lon_deg: 176.55, command: north.adoc}
batteries:
  - {id: north.bty1, owner: north, type: sam-upper, lat_deg: -41.2, lon_deg: 174.9, launchers: 4,
     rounds_per_launcher: 4, command: north.adoc}
catalog:
  threats:
    - {id: test-srbm, name: Test SRBM, class: ballistic, range_class: srbm, min_range_km: 100,
       max_range_km: 500, burn_time_s: 60, burnout_altitude_km: 30, boost_downrange_km: 20, rcs_m2: 0.1,
       lethal_radius_m: 50}
msel:
  - {kind: launch, id: tbm1, t_s: 60, threat: mrbm-a, actor: red, origin: {lat_deg: -43.9, lon_deg: -176.5},
     target: north.capital}
  - {kind: route, id: cm1, t_s: 120, threat: cm-a, actor: red, waypoints: [{lat_deg: -42.6, lon_deg: 175.0,
     alt_m: 50}], target: north.capital}
  - {kind: launch, id: tbm2, t_s: 200, threat: test-srbm, actor: red, origin: {lat_deg: -42.6, lon_deg: 177.0},
     aim: {lat_deg: -41.5, lon_deg: 175.5}}
  - {kind: sensor_outage, t_s: 300, sensor: north.ewr1, duration_s: 60}
  - {kind: comms_cut, t_s: 400, between: [north.adoc, ccc], duration_s: 60}
  - {kind: note, t_s: 500, text: "ENDEX in 20 minutes"}
"""
"""A small valid scenario using every section and every MSEL kind (bundled types: mrbm-a, cm-a, ewr-l,
sam-upper)."""


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance on the sphere of refs/physics.md (R_E = 6371 km), km; written here, not imported."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * R_E_KM * math.asin(math.sqrt(h))


def line_of(text: str, fragment: str) -> int:
    """1-based line number of the only line containing ``fragment``."""
    lines = [i + 1 for i, line in enumerate(text.splitlines()) if fragment in line]
    assert len(lines) == 1, f"{fragment!r} is on lines {lines}"
    return lines[0]


def problems_of(text: str, source: str = "test.yaml") -> list[Problem]:
    """The problems of a text that must be invalid."""
    scenario, problems = parse_scenario_text(text, source)
    assert scenario is None and problems, "expected the text to be invalid"
    return problems


def replace_once(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


@pytest.fixture(scope="session")
def kit() -> SimpleNamespace:
    """The helpers above: ``kit.BASE_TEXT``, ``kit.problems_of(text)``, ``kit.replace_once(...)`` …"""
    return SimpleNamespace(BASE_TEXT=BASE_TEXT, haversine_km=haversine_km, line_of=line_of, problems_of=problems_of,
                           replace_once=replace_once)
