"""`battle.path_end`: launch windows cut at the last sample where a predicted path still exists are the windows
of the whole horizon (the samples after every path's end are NaN, never feasible)."""

from __future__ import annotations

import numpy as np

from amdx.c2.envelope import Envelope, window_bounds
from amdx.c2.fire_planning import track_predictor
from amdx.engine.battle import path_end
from amdx.geo import geodetic_to_ecef


def test_path_end_is_one_past_the_last_sample_of_any_path() -> None:
    pos = np.full((3, 10, 3), np.nan)
    pos[0, :4] = 1.0
    pos[2, 2:7] = 1.0  # a gap before it does not matter: the last finite sample counts
    assert path_end(pos) == 7
    assert path_end(pos[0]) == 4
    assert path_end(np.full((2, 5, 3), np.nan)) == 1  # no path at all: one (infeasible) sample


def test_windows_on_the_cut_paths_are_those_of_the_whole_horizon() -> None:
    site = np.asarray(geodetic_to_ecef(32.0, 35.0, 0.0), dtype=np.float64).reshape(3)
    starts = [(31.0, 38.0, 120e3), (31.5, 37.0, 90e3), (30.5, 39.0, 150e3)]
    x = []
    for lat, lon, alt in starts:  # missiles coming down towards the site
        r = np.asarray(geodetic_to_ecef(lat, lon, alt), dtype=np.float64).reshape(3)
        v = (site - r) / np.linalg.norm(site - r) * 2000.0 + r / np.linalg.norm(r) * 600.0
        x.append(np.concatenate([r, v]))
    times = 100.0 + 8.0 * np.arange(113)
    pos, _ = track_predictor(np.array(x), 100.0, [True, True, True])(np.broadcast_to(times, (3, times.size)))
    end = path_end(pos)
    assert 1 < end < times.size and np.isnan(pos[:, end:]).all()
    env = Envelope(min_alt_m=15e3, max_alt_m=150e3, max_range_m=150e3, speed_mps=2500.0, reaction_s=10.0)
    sites = np.broadcast_to(site, (3, 3))
    full = window_bounds(sites, times, pos, env, 100.0)
    cut = window_bounds(sites, times[:end], pos[:, :end], env, 100.0)
    assert full.has_window.any()
    for name in ("has_window", "earliest_launch_s", "latest_launch_s", "earliest_intercept_s",
                 "latest_intercept_s", "earliest_pip_m"):
        np.testing.assert_array_equal(getattr(cut, name), getattr(full, name))
