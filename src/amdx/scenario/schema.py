"""The JSON Schema of the scenario file format, for editors (completion, unknown keys flagged)."""

from __future__ import annotations

from typing import Any

from amdx.scenario.models import Scenario

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def scenario_json_schema() -> dict[str, Any]:
    """JSON Schema (Draft 2020-12) of a scenario file, from the models' declarations.

    Every mapping has ``additionalProperties: false``. Cross-references (ids that must exist, ranges of threat
    types) are beyond JSON Schema: only the loader checks them.
    """
    schema = Scenario.model_json_schema(by_alias=True, mode="validation")
    return {"$schema": SCHEMA_DIALECT, **schema, "title": "amdx scenario"}
