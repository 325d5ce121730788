"""Bundled example scenarios (``library/*.yaml``): real geography, fictional nations, notional equipment."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from amdx.scenario.references import did_you_mean

DEFAULT_SCENARIO = "default"
"""Name of the scenario used when none is given."""


def bundled_scenarios() -> list[str]:
    """Names of the bundled scenarios, sorted (``"default"``, ``"salvo"``, …)."""
    library = files("amdx.scenario").joinpath("library")
    return sorted(p.name.removesuffix(".yaml") for p in library.iterdir() if p.name.endswith(".yaml"))


def bundled_scenario_path(name: str) -> Path:
    """Path of a bundled scenario file by name; ValueError for an unknown name."""
    names = bundled_scenarios()
    if name not in names:
        raise ValueError(f"no bundled scenario '{name}'{did_you_mean(name, names)} (known: {', '.join(names)})")
    return Path(str(files("amdx.scenario").joinpath("library", f"{name}.yaml")))
