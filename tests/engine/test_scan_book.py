"""`ThreatMarks` against the plain rule: entry (nation, threat) is whether the nation's set holds the threat's
id, the last column (false alarms) always held; the table follows changes of the threats and growing sets."""

from __future__ import annotations

import numpy as np

from amdx.engine.scan_book import ThreatMarks


def _rule(nations, sets, ids):
    return np.array([[i in sets[n] for i in ids] + [True] for n in nations], dtype=bool)


def test_threat_marks_follow_the_threats_and_the_growing_sets():
    rng = np.random.default_rng(3)
    nations = ["blue", "red", "green"]
    sets: dict[str, set[str | None]] = {n: set() for n in nations}
    marks = ThreatMarks(nations, sets)
    assert marks.row == {"blue": 0, "red": 1, "green": 2}
    pool = [f"T{k}" for k in range(40)]
    for _ in range(200):
        ids = tuple(rng.choice(pool, size=int(rng.integers(0, 25)), replace=False).tolist())
        if rng.random() < 0.5:
            sets[nations[int(rng.integers(3))]].add(pool[int(rng.integers(40))])
        table = marks.table(ids)
        assert table.shape == (3, len(ids) + 1)
        np.testing.assert_array_equal(table, _rule(nations, sets, ids))
        # a report's truth index picks its column, −1 (a false alarm) the last: always held
        assert table[:, -1].all()
