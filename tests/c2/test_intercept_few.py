"""Equivalence check: a ballistic predictor evaluates a few (state, time) pairs on Python floats; that path must
return what the array path returns, bit for bit, NaN after impact and for non-ballistic states included."""

from __future__ import annotations

import numpy as np
import pytest

import amdx.c2.intercept as intercept
import amdx.flight.kepler as kepler
import amdx.flight.surface as surface
from amdx.flight.kepler import FLOATS_MATCH_NUMPY
from amdx.geo import WGS84, geodetic_to_ecef, local_velocity_ecef

pytestmark = pytest.mark.skipif(not FLOATS_MATCH_NUMPY, reason="math's functions differ from this numpy's: the "
                                "Python-float paths are switched off")


def test_few_pairs_equal_the_array_path(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(21)
    n = 6
    r = geodetic_to_ecef(rng.uniform(-60.0, 60.0, n), rng.uniform(-180.0, 180.0, n), rng.uniform(1e4, 5e5, n))
    v = local_velocity_ecef(rng.uniform(-60.0, 60.0, n), rng.uniform(-180.0, 180.0, n), rng.uniform(0, 360, n),
                            rng.uniform(1500.0, 4000.0, n), rng.uniform(-40.0, 40.0, n))
    x = np.concatenate([r, v], axis=1)
    x[4, 3:] = 2e4  # hyperbolic: NaN everywhere
    times = [np.float64(100.0), np.array([50.0]), rng.uniform(0.0, 900.0, (n,)), rng.uniform(0.0, 900.0, (1, n)),
             np.array([np.nan] * n)]
    single = [(x[i], t) for i in range(n) for t in (np.float64(rng.uniform(0.0, 900.0)), np.array([3000.0]))]
    pred = intercept.ballistic_track_predictor(x, 10.0, WGS84)
    preds1 = [(intercept.ballistic_track_predictor(xi, 10.0, WGS84), t) for xi, t in single]
    few = [pred(t) for t in times] + [p(t) for p, t in preds1]
    monkeypatch.setattr(intercept, "FEW_STATES", 0)
    monkeypatch.setattr(kepler, "FEW_EVALUATIONS", 0)  # the reference is the array path all the way down
    monkeypatch.setattr(kepler, "_elements_one", lambda *a: None)
    full = [pred(t) for t in times] + [p(t) for p, t in preds1]
    nan_seen = finite_seen = False
    for (pa, va), (pb, vb) in zip(few, full, strict=True):
        for a, b in ((pa, pb), (va, vb)):
            assert a.shape == b.shape and np.array_equal(a, b, equal_nan=True)
        nan_seen |= bool(np.isnan(pb).any())
        finite_seen |= bool(np.isfinite(pb).any())
    assert nan_seen and finite_seen


def test_single_state_prelude_equals_the_array_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """One track state goes to the inertial frame on Python floats (`_inertial_one`); the predictor built from it
    predicts what the array path's predictor predicts, bit for bit (non-elliptic states: NaN in both)."""
    rng = np.random.default_rng(22)
    states = []
    for _ in range(300):
        lat, lon = rng.uniform(-80.0, 80.0), rng.uniform(-180.0, 180.0)
        r = geodetic_to_ecef(lat, lon, rng.uniform(1e3, 8e5))
        v = local_velocity_ecef(lat, lon, rng.uniform(0.0, 360.0), rng.uniform(200.0, 12000.0),
                                rng.uniform(-60.0, 60.0))
        states.append(np.concatenate([r, v]))
    times = rng.uniform(0.0, 2000.0, (300, 3))
    fast = [intercept.ballistic_track_predictor(x, 5.0)(t) for x, t in zip(states, times, strict=True)]
    monkeypatch.setattr(intercept, "_inertial_one", lambda *a: None)
    monkeypatch.setattr(kepler, "FEW_EVALUATIONS", 0)  # the reference is the array path all the way down
    monkeypatch.setattr(kepler, "_elements_one", lambda *a: None)
    monkeypatch.setattr(surface, "FEW_ORBITS", 0)
    slow = [intercept.ballistic_track_predictor(x, 5.0)(t) for x, t in zip(states, times, strict=True)]
    assert sum(bool(np.isnan(p).all()) for p, _ in slow) > 10 and sum(bool(np.isfinite(p).any()) for p, _ in slow) > 100
    for (pa, va), (pb, vb) in zip(fast, slow, strict=True):
        assert np.array_equal(pa, pb, equal_nan=True) and np.array_equal(va, vb, equal_nan=True)
