"""The scenario: file format (pydantic models), loading with line-numbered errors, catalog and library.

Load with :func:`load_scenario`; every problem of a file is reported at once in a :class:`ScenarioError`.
Models convert units once: consumers read SI properties (``asset.radius_m``, ``threat.max_range_m``).
"""

from __future__ import annotations

from amdx.scenario.catalog import bundled_catalog
from amdx.scenario.catalog_models import (
    AircraftType,
    BallisticThreatType,
    Catalog,
    CruiseMissileType,
    DroneType,
    InterceptorType,
    RadarType,
    SensorType,
    SpaceWarningType,
    ThreatType,
)
from amdx.scenario.library import DEFAULT_SCENARIO, bundled_scenario_path, bundled_scenarios
from amdx.scenario.loader import load_scenario, load_scenario_text, parse_scenario_text
from amdx.scenario.models import (
    Adversary,
    Asset,
    Battery,
    CommandNode,
    CoordinationCell,
    Exercise,
    Nation,
    Scenario,
    Sensor,
    Sharing,
)
from amdx.scenario.msel import (
    CommsCutEvent,
    GeoPoint,
    LaunchEvent,
    MselEvent,
    NoteEvent,
    RouteEvent,
    SensorOutageEvent,
    Waypoint,
)
from amdx.scenario.problems import Problem, ScenarioError
from amdx.scenario.schema import scenario_json_schema

__all__ = [
    "DEFAULT_SCENARIO",
    "Adversary",
    "AircraftType",
    "Asset",
    "BallisticThreatType",
    "Battery",
    "Catalog",
    "CommandNode",
    "CommsCutEvent",
    "CoordinationCell",
    "CruiseMissileType",
    "DroneType",
    "Exercise",
    "GeoPoint",
    "InterceptorType",
    "LaunchEvent",
    "MselEvent",
    "Nation",
    "NoteEvent",
    "Problem",
    "RadarType",
    "RouteEvent",
    "Scenario",
    "ScenarioError",
    "Sensor",
    "SensorOutageEvent",
    "SensorType",
    "Sharing",
    "SpaceWarningType",
    "ThreatType",
    "Waypoint",
    "bundled_catalog",
    "bundled_scenario_path",
    "bundled_scenarios",
    "load_scenario",
    "load_scenario_text",
    "parse_scenario_text",
    "scenario_json_schema",
]
