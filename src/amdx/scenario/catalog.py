"""The bundled notional catalog (``catalog/threats.yaml``, ``sensors.yaml``, ``interceptors.yaml``)."""

from __future__ import annotations

from collections import Counter
from functools import lru_cache
from importlib.resources import files

from amdx.scenario.catalog_models import SECTIONS, Catalog
from amdx.scenario.problems import Problem, ScenarioError
from amdx.scenario.validate import validate_text


def catalog_file_text(section: str) -> str:
    """The text of the bundled catalog file of one section (``"threats"``, ``"sensors"``, ``"interceptors"``)."""
    return files("amdx.scenario").joinpath("catalog", f"{section}.yaml").read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def bundled_catalog() -> Catalog:
    """The bundled catalog, read once (it is immutable package data).

    Raises ScenarioError, with every problem, if a bundled file is broken (a packaging bug).
    """
    problems: list[Problem] = []
    parts: dict[str, tuple[object, ...]] = {}
    for section in SECTIONS:
        source = f"catalog/{section}.yaml"
        part, found = validate_text(catalog_file_text(section), source, Catalog)
        problems += found
        if part is not None:
            parts[section] = getattr(part, section)
            problems += [Problem(source, section, 1, 1, f"the {section} file holds a '{other}' section")
                         for other in SECTIONS if other != section and getattr(part, other)]
    if problems:
        raise ScenarioError(problems)
    catalog = Catalog.model_validate(parts)
    repeated = [i for i, n in Counter(catalog.ids()).items() if n > 1]
    if repeated:
        raise ScenarioError([Problem("catalog", "id", 1, 1, f"duplicate catalog id '{i}'") for i in repeated])
    return catalog
