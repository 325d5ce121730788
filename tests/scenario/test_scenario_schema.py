"""The exported JSON Schema: a valid Draft 2020-12 schema, closed to unknown keys, documented, and agreeing with
pydantic on the bundled scenarios and on typical mistakes (checked by the independent `jsonschema` package)."""

from __future__ import annotations

import copy
import io

import jsonschema
import pytest
from ruamel.yaml import YAML

from amdx.scenario import bundled_scenario_path, bundled_scenarios, parse_scenario_text, scenario_json_schema


@pytest.fixture(scope="module")
def schema() -> dict:
    return scenario_json_schema()


@pytest.fixture(scope="module")
def validator(schema) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def object_schemas(schema: dict) -> list[tuple[str, dict]]:
    return [("<root>", schema), *schema["$defs"].items()]


def test_schema_is_valid_draft_2020_12(schema):
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


def test_every_mapping_is_closed_and_every_field_documented(schema):
    for name, sub in object_schemas(schema):
        assert sub["type"] == "object" and sub["additionalProperties"] is False, name
        for key, prop in sub["properties"].items():
            assert prop.get("description"), f"{name}.{key} has no description"


def test_units_are_in_the_field_names(schema):
    units = ("_deg", "_m", "_km", "_s", "_mps", "_m2", "_db", "_kg_m2", "_pk", "_probability")
    numeric = {"value", "priority", "seed", "count", "launchers", "rounds_per_launcher", "salvo_size",
               "log_sigma"}  # dimensionless
    for name, sub in object_schemas(schema):
        for key, prop in sub["properties"].items():
            types = {prop.get("type")} | {s.get("type") for s in prop.get("anyOf", [])}
            if types & {"number"}:
                assert key.endswith(units) or key in numeric, f"{name}.{key}"


def plain(text: str) -> dict:
    return YAML(typ="safe").load(text)


@pytest.mark.parametrize("name", sorted(bundled_scenarios()))
def test_bundled_scenarios_validate_against_the_schema(validator, name):
    assert name in bundled_scenarios()
    data = plain(bundled_scenario_path(name).read_text(encoding="utf-8"))
    assert [e.message for e in validator.iter_errors(data)] == []


def test_the_compact_test_scenario_validates_against_the_schema(validator, kit):
    assert [e.message for e in validator.iter_errors(plain(kit.BASE_TEXT))] == []


def _set(path, value):
    def mutate(data):
        node = data
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
    return mutate


def _delete(path):
    def mutate(data):
        node = data
        for key in path[:-1]:
            node = node[key]
        del node[path[-1]]
    return mutate


MISTAKES = {
    "unknown key": _set(("assets", 0, "lat_dg"), 1.0),
    "latitude out of range": _set(("assets", 0, "lat_deg"), 123.4),
    "text for a number": _set(("exercise", "duration_s"), "60"),
    "missing required field": _delete(("sensors", 0, "type")),
    "bad colour": _set(("nations", 0, "colour"), "blue"),
    "unknown msel kind": _set(("msel", 0, "kind"), "teleport"),
    "negative duration": _set(("msel", 3, "duration_s"), -5),
    "pk above one": _set(("catalog", "interceptors"), [{
        "id": "x", "name": "X", "tier": "lower", "engages": ["drone"], "min_intercept_altitude_km": 0,
        "max_intercept_altitude_km": 5, "max_range_km": 10, "average_speed_mps": 500, "reaction_time_s": 5,
        "single_shot_pk": 1.5, "reload_s": 60}]),
    "unknown key in a catalog type": _set(("catalog", "threats", 0, "colour"), "#000000"),
    "non-integer count": _set(("msel", 0, "count"), 2.5),
    "wrong release": _set(("sharing", 0, "release"), "some"),
}


@pytest.mark.parametrize("mistake", sorted(MISTAKES))
def test_schema_and_loader_agree_on_typical_mistakes(validator, kit, mistake):
    data = copy.deepcopy(plain(kit.BASE_TEXT))
    MISTAKES[mistake](data)
    assert list(validator.iter_errors(data)), "the schema accepted it"
    stream = io.StringIO()
    YAML(typ="safe").dump(data, stream)
    scenario, problems = parse_scenario_text(stream.getvalue())
    assert scenario is None and problems, "the loader accepted it"
