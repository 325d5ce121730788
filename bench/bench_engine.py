"""Benchmark: the whole engine (flight, radars, local trackers, fusion, data link) against real time.

    python bench/bench_engine.py [--threats 100 500 2000] [--duration 900] [--seed 1]

The bundled default scenario's laydown (two nations, their radars and data links) under a raid of N ballistic
missiles launched over the first two minutes from the adversary's launch area at the defended assets (round
robin), with the scripted MSEL removed. Prints the wall time of each run, how many times faster than real time it
ran (the peer is the wall clock itself), and the events produced. One process, one thread; the machine is shared,
so read the ratios between sizes rather than the absolute figures.
"""

from __future__ import annotations

import argparse
import time

from amdx.engine.core import Engine
from amdx.engine.orders import WHITE_CELL, LaunchBallistic
from amdx.scenario import bundled_scenario_path, load_scenario


def raid(n_threats: int, duration_s: float, seed: int) -> tuple[float, int]:
    base = load_scenario(bundled_scenario_path("default"))
    exercise = base.exercise.model_copy(update={"duration_s": duration_s})
    scenario = base.model_copy(update={"msel": (), "exercise": exercise})
    engine = Engine(scenario, seed)
    assets = [a.id for a in scenario.assets]
    for i in range(n_threats):
        engine.submit(LaunchBallistic(
            t_s=120.0 * i / n_threats, source=WHITE_CELL, threat_id=f"r{i}", threat_type="mrbm-a", actor="red",
            origin_lat_deg=-43.9 + 0.3 * ((i * 7) % 11) / 11, origin_lon_deg=-176.5 + 0.3 * ((i * 5) % 13) / 13,
            target=assets[i % len(assets)]))
    start = time.perf_counter()
    events = engine.run()
    return time.perf_counter() - start, len(events)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threats", type=int, nargs="+", default=[100, 500, 2000])
    parser.add_argument("--duration", type=float, default=900.0, help="scenario seconds per run")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print(f"{'threats':>8} {'scenario s':>11} {'wall s':>8} {'x real time':>12} {'events':>8}")
    for n in args.threats:
        wall, n_events = raid(n, args.duration, args.seed)
        print(f"{n:>8} {args.duration:>11.0f} {wall:>8.2f} {args.duration / wall:>11.1f}x {n_events:>8}")


if __name__ == "__main__":
    main()
