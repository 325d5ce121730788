"""Benchmark: the whole engine (flight, radars, local trackers, fusion, pictures, data link) against real time.

    python bench/bench_engine.py [--threats 100 500 2000] [--duration 900] [--seed 1] [--repeats R] [--profile]

The bundled saturation scenario's laydown (two nations, 16 defended assets, 50 batteries, 20 sensors, their data
links) under its raid scaled to N ballistic missiles: the N rounds are shared out over the MSEL's ballistic
launch events (same origins, targets and time span, about five minutes), its cruise missiles are kept. Prints
per N the median wall time of R runs (and each run's), how many times faster than real time the median run went
(the peer is the wall clock itself; issue 4 asks for at least 100x at 500 threats) and the events produced (the
same in every run: the engine is deterministic); then the share of wall time spent in
each engine phase (inclusive times of a few engine methods, timed from outside the engine; nested rows are
indented and part of the row above). `--profile` adds the top cProfile entries of each run. One process, one
thread; the machine is shared, so read the ratios between sizes rather than the absolute figures.

Before the timed runs, a raid of at most 100 missiles over the whole duration runs once untimed: the engine's
compiled kernels (`amdx.jit`) are compiled on a machine's first run and loaded from the on-disk cache after that,
each on its first call, so the warm-up must reach every kernel the runs call (a raid of 20 missiles over 120 s
did not reach the engagements: their kernels compiled inside the first timed run, 13 s of it); the warm-up time
is printed so that one-off cost is seen, not hidden in the first timed run. The runs go at the garbage
collector's exercise pace (`amdx.collector.exercise_pace`), as `amdx run` and the server's engine process do.
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import io
import pstats
import statistics
import time
from collections.abc import Callable
from typing import Any

import amdx.engine.airpicture as airpicture_module
from amdx.collector import exercise_pace
from amdx.engine.airpicture import AirPictures
from amdx.engine.core import Engine
from amdx.engine.fusion import FusionCentre
from amdx.engine.truth import TruthRegistry
from amdx.scenario import bundled_scenario_path, load_scenario
from amdx.sensors.radar_batch import RadarNetwork
from amdx.tracking.bank import TrackerBank

try:  # battle management (threat evaluation, fire planning, engagements), when the engine has it
    from amdx.engine.battle import BattleManager
except ImportError:  # pragma: no cover - an engine without battle management
    BattleManager = None

# (label, indent, owner, attribute): the engine phases timed, inclusive; an indented row is part of the one above
PHASES: tuple[tuple[str, int, Any, str], ...] = (
    ("launch orders (planning, flights)", 0, Engine, "_launch_ballistic"),
    ("radar scans", 0, AirPictures, "radar_scans"),
    ("truth states", 1, TruthRegistry, "states"),
    ("radar model (detections)", 1, RadarNetwork, "scan"),
    ("local trackers", 1, TrackerBank, "step"),
    ("space-based warning", 0, AirPictures, "space_scan"),
    ("pictures", 0, AirPictures, "picture_time"),
    ("fusion", 1, FusionCentre, "fuse"),
    ("impact prediction", 1, airpicture_module, "impact_rows"),
    ("picture entries", 1, airpicture_module, "picture_entries"),
    ("data link (release, deliver)", 0, AirPictures, "release"),
    ("", 0, AirPictures, "deliver"),
    ("battle management cycle", 0, BattleManager, "cycle"),
)


def saturation_raid(n_threats: int, duration_s: float) -> Any:
    """The saturation scenario with its ballistic launches rescaled to `n_threats` rounds in all."""
    base = load_scenario(bundled_scenario_path("saturation"))
    launches = [i for i, e in enumerate(base.msel) if e.kind == "launch"]
    msel = list(base.msel)
    for k, i in enumerate(launches):
        event = msel[i]
        span_s = (event.count - 1) * event.interval_s
        count = n_threats // len(launches) + (1 if k < n_threats % len(launches) else 0)
        interval = span_s / (count - 1) if count > 1 else 0.0
        msel[i] = event.model_copy(update={"count": count, "interval_s": interval}) if count else None
    exercise = base.exercise.model_copy(update={"duration_s": duration_s})
    return base.model_copy(update={"msel": tuple(e for e in msel if e is not None), "exercise": exercise})


class PhaseTimer:
    """Inclusive wall time of the PHASES methods, by wrapping them for the life of the object (bench only)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._saved: list[tuple[Any, str, Any]] = []

    def __enter__(self) -> PhaseTimer:
        for label, _, owner, attr in PHASES:
            original = getattr(owner, attr, None) if owner is not None else None
            if original is None:
                continue
            key = label or self._previous_label(attr)
            self._saved.append((owner, attr, original))
            setattr(owner, attr, self._wrap(key, original))
        return self

    def __exit__(self, *exc: object) -> None:
        for owner, attr, original in reversed(self._saved):
            setattr(owner, attr, original)

    @staticmethod
    def _previous_label(attr: str) -> str:
        labels = [p[0] for p in PHASES]
        index = [p[3] for p in PHASES].index(attr)
        return next(label for label in reversed(labels[:index]) if label)

    def _wrap(self, key: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        seconds = self.seconds

        @functools.wraps(fn)
        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                seconds[key] = seconds.get(key, 0.0) + time.perf_counter() - start

        return timed


def run(n_threats: int, duration_s: float, seed: int, profile: bool) -> tuple[float, int, int, dict[str, float],
                                                                              str]:
    """(wall s, events, threats launched, phase seconds, profile text) of one run."""
    scenario = saturation_raid(n_threats, duration_s)
    profiler = cProfile.Profile() if profile else None
    with PhaseTimer() as phases, exercise_pace():  # the collector's pace of `amdx run` and the server
        start = time.perf_counter()
        if profiler is not None:
            profiler.enable()
        engine = Engine(scenario, seed)
        events = engine.run()
        if profiler is not None:
            profiler.disable()
        wall = time.perf_counter() - start
    text = ""
    if profiler is not None:
        buffer = io.StringIO()
        pstats.Stats(profiler, stream=buffer).sort_stats("tottime").print_stats(25)
        text = buffer.getvalue()
    launched = sum(e.kind == "threat_launched" for e in events)
    return wall, len(events), launched, phases.seconds, text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threats", type=int, nargs="+", default=[100, 500, 2000],
                        help="ballistic missiles in the raid, one run per value")
    parser.add_argument("--duration", type=float, default=900.0, help="scenario seconds per run")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=1, help="runs per value; the median is reported")
    parser.add_argument("--profile", action="store_true", help="also print the top cProfile entries (slower)")
    args = parser.parse_args()
    start = time.perf_counter()
    Engine(saturation_raid(min(100, *args.threats), args.duration), args.seed).run()
    print(f"warm-up (compiles the kernels on a machine's first run, else loads them): "
          f"{time.perf_counter() - start:.1f} s\n")
    print(f"{'threats':>8} {'launched':>9} {'scenario s':>11} {'wall s':>8} {'x real time':>12} {'events':>8}"
          "  runs (s)")
    shares: list[dict[str, float]] = []
    profiles: list[str] = []
    for n in args.threats:
        runs = [run(n, args.duration, args.seed, args.profile) for _ in range(max(1, args.repeats))]
        walls = [r[0] for r in runs]
        wall = statistics.median(walls)
        _, n_events, launched, phases, text = min(runs, key=lambda r: abs(r[0] - wall))
        if len({r[1] for r in runs}) != 1:
            raise SystemExit(f"the runs of {n} threats produced different event counts: not deterministic")
        print(f"{n:>8} {launched:>9} {args.duration:>11.0f} {wall:>8.2f} {args.duration / wall:>11.1f}x "
              f"{n_events:>8}  {', '.join(f'{w:.1f}' for w in walls)}", flush=True)
        shares.append({k: 100.0 * v / wall for k, v in phases.items()})
        profiles.append(text)
    print("\nshare of wall time per engine phase, % (inclusive; indented rows are part of the row above)")
    print(f"{'phase':<38}" + "".join(f"{n:>9}" for n in args.threats))
    for label, indent, _, _ in PHASES:
        if label:
            name = "  " * indent + label
            print(f"{name:<38}" + "".join(f"{s.get(label, 0.0):>9.1f}" for s in shares))
    for n, text in zip(args.threats, profiles, strict=True):
        if text:
            print(f"\n--- cProfile, {n} threats (sorted by own time) ---\n{text}")


if __name__ == "__main__":
    main()
