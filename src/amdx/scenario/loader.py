"""Load a scenario file: YAML → plain data → models, with every problem reported at once by line:column."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from amdx.scenario.catalog import bundled_catalog
from amdx.scenario.models import Scenario
from amdx.scenario.problems import Issue, Problem, ScenarioError
from amdx.scenario.references import check_references
from amdx.scenario.validate import validate_text


def _references(data: dict[str, Any]) -> list[Issue]:
    return check_references(data, bundled_catalog())


def parse_scenario_text(text: str, source: str = "<string>") -> tuple[Scenario | None, list[Problem]]:
    """(scenario, []) for a valid text, else (None, every problem in text order). Never raises for bad input.

    ``source`` is the file name shown in problems.
    """
    return validate_text(text, source, Scenario, _references)


def load_scenario_text(text: str, source: str = "<string>") -> Scenario:
    """The scenario in ``text``; raises ScenarioError (listing every problem) if it is not valid."""
    scenario, problems = parse_scenario_text(text, source)
    if scenario is None:
        raise ScenarioError(problems)
    return scenario


def load_scenario(path: str | Path) -> Scenario:
    """The scenario in the UTF-8 file at ``path``; raises ScenarioError (only) if it cannot be loaded."""
    source = str(path)
    try:
        raw = Path(path).read_bytes()
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise ScenarioError([Problem(source, "<file>", 1, 1, f"cannot read the file: {reason}",
                                     "a readable file", reason)]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line_start = before.rfind(b"\n") + 1
        line = before.count(b"\n") + 1
        col = len(raw[line_start : exc.start].decode("utf-8", errors="replace")) + 1
        found = f"byte 0x{raw[exc.start]:02x}"
        raise ScenarioError([Problem(source, "<file>", line, col, f"the file is not UTF-8 text: {found}",
                                     "UTF-8 text", found)]) from None
    return load_scenario_text(text, source)
