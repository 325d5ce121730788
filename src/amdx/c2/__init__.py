"""Command and control: engagement kinematics, kill probability, weapon-target assignment."""

from __future__ import annotations

from amdx.c2.wta import WtaResult, greedy_wta, solve_wta, wta_objective
from amdx.c2.wta_io import WtaInstanceError, parse_wta_text, read_wta_instance

__all__ = [
    "WtaInstanceError",
    "WtaResult",
    "greedy_wta",
    "parse_wta_text",
    "read_wta_instance",
    "solve_wta",
    "wta_objective",
]
