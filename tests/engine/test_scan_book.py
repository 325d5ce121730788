"""`ThreatMarks` against the plain rule: a report is held when its nation's set holds its threat's id, a false
alarm (truth index −1) always; the marks follow new threats, changing snapshots and growing sets."""

from __future__ import annotations

import numpy as np

from amdx.engine.scan_book import ThreatMarks, report_serials
from amdx.engine.truth import TruthStates


def _snapshot(ids, serial_of):
    m = len(ids)
    return TruthStates(0.0, tuple(ids), np.zeros((m, 3)), np.zeros((m, 3)), np.ones(m), np.ones(m, bool),
                       np.zeros(m, bool), np.array([serial_of[i] for i in ids], dtype=np.int64))


def test_threat_marks_follow_the_threats_and_the_growing_sets():
    rng = np.random.default_rng(3)
    nations = ["blue", "red", "green"]
    sets: dict[str, set[str | None]] = {n: set() for n in nations}
    serial_of: dict[str, int] = {}
    marks = ThreatMarks(nations, sets, serial_of)
    assert marks.row == {"blue": 0, "red": 1, "green": 2}
    for _ in range(300):
        if rng.random() < 0.3:  # new threats arrive, numbered in order as the registry numbers them
            first = len(serial_of)
            serial_of.update((f"T{first + k}", first + k) for k in range(int(rng.integers(1, 6))))
        known = list(serial_of)
        if known and rng.random() < 0.4:
            sets[nations[int(rng.integers(3))]].add(known[int(rng.integers(len(known)))])
        ids = rng.permutation(known)[: int(rng.integers(0, len(known) + 1))].tolist()
        n_reports = int(rng.integers(0, 30))
        nation = rng.integers(0, 3, n_reports)
        truth_index = rng.integers(-1, len(ids), n_reports) if ids else np.full(n_reports, -1)
        held = marks.held(nation, report_serials(_snapshot(ids, serial_of), truth_index))
        rule = [t < 0 or ids[t] in sets[nations[k]] for k, t in zip(nation.tolist(), truth_index.tolist(), strict=True)]
        np.testing.assert_array_equal(held, np.array(rule, dtype=bool).reshape(-1))


def test_launch_columns_are_the_lists_as_arrays_as_they_grow():
    """`LaunchColumns` against np.asarray of the whole lists after every growth (also when nothing was added)."""
    from amdx.engine.scan_book import LaunchColumns

    rng = np.random.default_rng(9)
    launches: dict[str, list] = {"ids": [], "launch_t_s": [], "burnout_t_s": [], "launch_ecef_m": [],
                                 "heading_rad": []}
    columns = LaunchColumns()
    for _ in range(40):
        for _ in range(int(rng.integers(0, 4))):
            launches["ids"].append(f"M{len(launches['ids'])}")
            launches["launch_t_s"].append(float(rng.uniform(0, 100)))
            launches["burnout_t_s"].append(float(rng.uniform(100, 200)))
            launches["launch_ecef_m"].append(rng.normal(size=3) * 6.4e6)
            launches["heading_rad"].append(np.float64(rng.uniform(0, 6.28)))
        got = columns.arrays(launches)
        want = [np.asarray(launches[n], dtype=np.float64) for n in ("launch_t_s", "burnout_t_s", "launch_ecef_m",
                                                                     "heading_rad")]
        want[2] = want[2].reshape(-1, 3)
        for a, b in zip(got, want, strict=True):
            assert a.shape == b.shape and np.array_equal(a, b) and not a.flags.writeable
