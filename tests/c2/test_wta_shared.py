"""The heuristic on a published benchmark instance (shared/data/wta, Andersen, Pavlikov & Toffolo 2022)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from amdx.c2 import read_wta_instance, solve_wta

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "wta"
pytestmark = pytest.mark.skipif(not (DATA / "best_known.csv").is_file(),
                                reason="shared/data/wta (benchmark instances) is not beside the repository")


def _best_known(name: str) -> float:
    with (DATA / "best_known.csv").open(newline="") as fh:
        return next(float(r["best_known_objective"]) for r in csv.DictReader(fh) if r["instance"] == name)


def test_wta_50x100x1_within_one_percent_of_best_known():
    values, pk, units = read_wta_instance(DATA / "wta_50x100x1.txt.gz")
    assert pk.shape == (50, 100) and values.shape == (100,) and list(set(units)) == [1]
    res = solve_wta(values, pk, units, method="heuristic", time_limit_s=4.0, seed=0)
    assert all(len(t) <= 1 for t in res.assignment)
    # best known objective from best_known.csv (shared/data/wta), proven optimal by the authors for mu = 1
    assert res.objective <= _best_known("wta_50x100x1") * 1.01
    assert res.objective >= _best_known("wta_50x100x1") * (1 - 1e-6)  # nobody beats a proven optimum
    assert res.time_s < 6.0
