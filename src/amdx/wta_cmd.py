"""`amdx wta`: solve a static weapon-target assignment instance file and print the result."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Console

from amdx.c2.wta import solve_wta
from amdx.c2.wta_io import WtaInstanceError, read_wta_instance
from amdx.errors import BadInput


def solve_wta_file(path: Path, time_limit_s: float, seed: int = 0) -> dict[str, Any]:
    """Read and solve an instance file: {objective, time_s, assignment, method, optimal, file, ...}.

    `time_s` is the solve time (s), reading excluded. A malformed file raises `BadInput` naming the line.
    """
    try:
        values, pk, units = read_wta_instance(path)
    except WtaInstanceError as exc:
        raise BadInput(str(exc)) from None
    res = solve_wta(values, pk, units, time_limit_s=time_limit_s, seed=seed)
    return {
        "file": str(path),
        "weapon_types": int(pk.shape[0]),
        "targets": int(pk.shape[1]),
        "units": int(units.sum()),
        "objective": res.objective,
        "time_s": res.time_s,
        "method": res.method,
        "optimal": res.optimal,
        "assignment": res.assignment,
    }


def print_wta(console: Console, r: dict[str, Any], max_rows: int = 50) -> None:
    """Print the objective, the solve time and the assignment (one line per weapon type)."""
    proof = "proven optimal" if r["optimal"] else "not proven optimal"
    console.print(f"{r['file']}: {r['weapon_types']} weapon types, {r['targets']} targets, "
                  f"{r['units']} units")
    console.print(f"expected surviving value: {r['objective']:.6f}  ({r['method']}, {proof})")
    console.print(f"solve time: {r['time_s']:.3f} s")
    console.print("assignment (weapon type: target indices, 0-based):")
    rows = r["assignment"]
    for i, targets in enumerate(rows[:max_rows]):
        console.print(f"  {i}: {' '.join(map(str, targets)) if targets else '-'}", soft_wrap=True)
    if len(rows) > max_rows:
        console.print(f"  ... {len(rows) - max_rows} more weapon types (use --json for all)")
