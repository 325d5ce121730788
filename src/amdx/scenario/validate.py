"""Validate a YAML text against a model: every problem at once, each placed at its line and column."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from amdx.scenario.problems import Issue, Problem, format_path
from amdx.scenario.translate import describe, expected_keys, issues_from_validation
from amdx.scenario.yaml_source import Positions, read_yaml

M = TypeVar("M", bound=BaseModel)

Checks = Callable[[dict[str, Any]], list[Issue]]
"""Extra checks run on the document's plain data (even when some fields are invalid)."""


def _place(issue: Issue, positions: Positions, source: str) -> Problem:
    line, col = positions.place(issue.loc, issue.at)
    return Problem(source, format_path(issue.loc), line, col, issue.message, issue.expected, issue.found)


def _top_issue(data: Any, model: type[BaseModel]) -> Issue:
    expected = f"a mapping with the keys {', '.join(expected_keys(model))}"
    if data is None:
        return Issue((), "the document is empty", expected, "nothing")
    return Issue((), f"expected a mapping at the top, found {describe(data)}", expected, describe(data))


def validate_text(
    text: str, source: str, model: type[M], checks: Checks | None = None
) -> tuple[M | None, list[Problem]]:
    """(instance, []) for a valid text, else (None, problems in text order). Never raises for bad input."""
    try:
        return _validate(text, source, model, checks)
    except Exception as exc:  # a bug in amdx, not in the file: still report it as a problem, never raise
        message = f"internal error while validating ({type(exc).__name__}: {exc}); please report it"
        return None, [Problem(source, "<top>", 1, 1, message, "", "")]


def _validate(text: str, source: str, model: type[M], checks: Checks | None) -> tuple[M | None, list[Problem]]:
    if not isinstance(text, str):
        return None, [Problem(source, "<top>", 1, 1, f"expected text, found {type(text).__name__}", "text",
                              type(text).__name__)]
    doc = read_yaml(text, source)
    if doc.problems:
        return None, doc.problems
    issues = list(doc.issues)
    instance: M | None = None
    if not isinstance(doc.data, dict):
        issues.append(_top_issue(doc.data, model))
    else:
        elsewhere: list[Issue] = []
        try:
            instance = model.model_validate(doc.data)
        except ValidationError as exc:
            field_issues, elsewhere = issues_from_validation(exc, model)
            # a value the YAML reader already reported (and dropped) is not reported again
            read_locs = {i.loc for i in doc.issues}
            issues += [i for i in field_issues if i.loc not in read_locs]
        if checks is not None:
            issues += checks(doc.data)
        if instance is None and not issues:
            issues += elsewhere  # the model-level check found something the file-level one did not
    problems = sorted({_place(i, doc.positions, source) for i in issues},
                      key=lambda p: (p.line, p.column, p.path, p.message))
    return (instance if not problems else None), problems
