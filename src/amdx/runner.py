"""A headless run: drive the engine to the end as fast as the machine allows, record the journal and write
`summary.json`. The engine stays pure; this module does the I/O around it.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import amdx
from amdx.analysis.summary import build_summary
from amdx.collector import exercise_pace
from amdx.engine.core import Engine
from amdx.engine.orders import Order
from amdx.journal.store import JOURNAL_NAME, Journal

SUMMARY_NAME = "summary.json"
WARM_UP_SCENARIO = "accidental_partner_city"
"""The bundled exercise `compile_kernels` runs: short, yet it detects, tracks, fuses, evaluates and engages."""


@dataclass(frozen=True)
class RunResult:
    out_dir: Path
    journal_path: Path
    summary_path: Path
    summary: dict[str, Any]


def run_headless(
    scenario: Any,
    out_dir: Path,
    *,
    seed: int | None = None,
    orders: Iterable[Order] = (),
    scenario_text: str = "",
    step_s: float = 60.0,
) -> RunResult:
    """Run `scenario` to its end with extra `orders`, writing the journal and the summary into `out_dir`.

    Events are flushed to the journal every `step_s` seconds of scenario time (one transaction each), so a
    long run keeps its memory flat and a crash loses at most one step.
    """
    engine = Engine(scenario, seed)
    journal_path = out_dir / JOURNAL_NAME
    meta = {
        "amdx_version": amdx.__version__,
        "scenario_name": scenario.exercise.name,
        "scenario_text": scenario_text,
        "seed": str(engine.seed),
    }
    with exercise_pace(), Journal.create(journal_path, meta) as journal:
        for order in sorted(orders, key=lambda o: o.t_s):
            journal.append_order(order.record())
            engine.submit(order)
        t = 0.0
        while not engine.finished:
            t = min(t + step_s, engine.duration_s)
            journal.append_events(e.record() for e in engine.advance(t))
        summary = build_summary(journal.events(), scenario, engine.seed)
    summary_path = out_dir / SUMMARY_NAME
    summary_path.write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return RunResult(out_dir, journal_path, summary_path, summary)


def compile_kernels() -> float:
    """Compile the engine's numeric kernels now (`amdx.jit`: numba compiles each on first use, then loads it
    from the on-disk cache), by running a short bundled exercise in memory; returns the wall time, s. Cold, on a
    new machine or after any kernel module changed, this takes two to three minutes on two cores (the tracker's
    chunked kernels are most of it); warm, a few seconds. Kernels the exercise does not reach, or reaches with
    other argument types, still compile on their first use."""
    from amdx.scenario import bundled_scenario_path, load_scenario

    start = time.perf_counter()
    Engine(load_scenario(bundled_scenario_path(WARM_UP_SCENARIO)), None).run()
    return time.perf_counter() - start


def kernels_cached() -> bool:
    """Whether the kernel cache of these sources holds compiled kernels already (or kernels are not compiled at
    all, under `NUMBA_DISABLE_JIT`): then `compile_kernels` has nothing to do."""
    import numba

    from amdx.jit import KERNEL_CACHE_DIR

    return bool(numba.config.DISABLE_JIT) or any(KERNEL_CACHE_DIR.rglob("*.nbi"))
