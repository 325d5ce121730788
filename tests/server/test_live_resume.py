"""Resume by replay, in process: a live exercise copied mid-play (the state a kill -9 leaves: the journal committed,
nothing else) and resumed must hold the same journal and carry on exactly as the uninterrupted exercise does,
wherever the wall-clock ticks and the orders fell."""

from __future__ import annotations

import shutil

import numpy as np

from amdx.scenario import bundled_scenario_path, load_scenario
from amdx.server.live import LiveExercise


def _events(live: LiveExercise) -> list[dict]:
    return [{k: v for k, v in r.items() if k != "seq"} for r in live.journal.events()]


def test_a_resumed_exercise_carries_on_as_the_uninterrupted_one(tmp_path):
    scenario = load_scenario(bundled_scenario_path("accidental_partner_city"))
    live = LiveExercise(scenario, tmp_path / "live", seed=4)
    commander = next(s for s in live.seats if s.seat_id == "north.commander")
    # Irregular wall-clock ticks at 20x, as a loaded event loop gives them: scenario times land anywhere, so some
    # kills fall just after an event whose journaled time is rounded down to the microsecond.
    walls = np.cumsum(np.random.default_rng(4).uniform(0.01, 0.3, size=90))
    live.control("speed", 0.0, 20.0)
    live.control("start", 0.0)
    kills = []
    for i, wall in enumerate(walls):
        live.tick(float(wall))
        if i == 20:
            order = {"kind": "set_weapons_control", "nation": "north", "status": "free"}
            assert live.submit(commander, order).status == 200
        if i == 50:  # paused, two orders at one engine time: they must replay together, not one step apart
            live.control("pause", float(wall))
            for status in ("tight", "free"):
                order = {"kind": "set_weapons_control", "nation": "north", "status": status}
                assert live.submit(commander, order).status == 200
            live.tick(float(wall) + 0.05)  # a paused clock does not move the engine
            live.control("resume", float(wall) + 0.1)
        if i >= 20 and i % 2 == 0:
            copy = tmp_path / f"kill-{i}"
            shutil.copytree(tmp_path / "live", copy)
            kills.append((i, copy, _events(live), live.clock))
    assert kills[-1][2][-1]["t_s"] > 60.0
    uninterrupted = _events(live)
    live.close()

    for i, copy, journaled, clock in kills:
        resumed = LiveExercise(scenario, copy, resume=True)
        assert _events(resumed)[:len(journaled)] == journaled, f"kill after tick {i}"
        assert resumed.now_s >= journaled[-1]["t_s"] - 1e-6
        if i == kills[len(kills) // 2][0]:  # after the last order: play on with the live clock's ticks
            resumed.clock = clock
            for wall in walls[i + 1:]:
                resumed.tick(float(wall))
            assert _events(resumed) == uninterrupted
            assert {"weapons_control_changed", "air_picture"} <= {r["kind"] for r in uninterrupted}
        resumed.close()
