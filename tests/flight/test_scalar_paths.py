"""The Python-float paths for one or a few orbits (`KeplerOrbits.state_one`, the few-orbit path of
`surface_crossing_time`, `geo.ecef_to_geodetic_one`, `geo.up_one`, `geo.eci_state_to_ecef_one`) are
equivalence checks: each must equal the array form it stands in for bit for bit, so that the engine's journals
do not depend on how many tracks a call happens to hold. Their accuracy is tested through the array forms
(Kepler's equation, Vermeille, the sphere closed forms)."""

from __future__ import annotations

import math

import numpy as np
import pytest

import amdx.flight.surface as surface
from amdx.flight.kepler import FLOATS_MATCH_NUMPY, KeplerOrbits
from amdx.geo import (
    WGS84,
    EarthModel,
    ecef_to_eci,
    ecef_to_geodetic,
    ecef_to_geodetic_one,
    ecef_velocity_to_eci,
    eci_state_to_ecef,
    eci_state_to_ecef_one,
    enu_basis,
    geodetic_to_ecef,
    local_velocity_ecef,
    up_one,
)

SPHERE = EarthModel.rotating_sphere()

pytestmark = pytest.mark.skipif(not FLOATS_MATCH_NUMPY, reason="math's functions differ from this numpy's: the "
                                "Python-float paths are switched off")


def _orbits(rng: np.random.Generator, n: int, earth: EarthModel = WGS84) -> KeplerOrbits:
    """Random suborbital and orbital flights: low to high, climbing and diving, eccentric to nearly circular."""
    lat, lon = rng.uniform(-89.0, 89.0, n), rng.uniform(-180.0, 180.0, n)
    alt, speed = rng.uniform(0.0, 1.2e6, n), rng.uniform(300.0, 7600.0, n)
    fpa, az, t0 = rng.uniform(-60.0, 80.0, n), rng.uniform(0.0, 360.0, n), rng.uniform(0.0, 900.0, n)
    r = geodetic_to_ecef(lat, lon, alt, earth)
    v = local_velocity_ecef(lat, lon, az, speed, fpa)
    return KeplerOrbits(ecef_to_eci(r, t0, earth), ecef_velocity_to_eci(r, v, t0, earth), t0, earth.mu_m3_s2)


def test_state_one_equals_states_at_bit_for_bit() -> None:
    rng = np.random.default_rng(11)
    orbits = _orbits(rng, 400)
    t = orbits.t0_s + rng.uniform(-3000.0, 30000.0, 400)  # many turns, both apsides, before the epoch too
    r, v = orbits.states_at(np.arange(400), t)
    one = np.array([orbits.state_one(i, float(t[i])) for i in range(400)])
    assert np.array_equal(one[:, :3], r) and np.array_equal(one[:, 3:], v)
    assert all(math.isnan(x) for x in orbits.state_one(0, math.nan))


@pytest.mark.parametrize("earth", [WGS84, SPHERE], ids=["wgs84", "sphere"])
def test_geodetic_one_and_up_one_equal_the_array_forms(earth: EarthModel) -> None:
    rng = np.random.default_rng(12)
    p = geodetic_to_ecef(rng.uniform(-90.0, 90.0, 3000), rng.uniform(-180.0, 180.0, 3000),
                         rng.uniform(-5e3, 3e6, 3000), earth)
    lat, lon, alt = ecef_to_geodetic(p, earth)
    one = np.array([ecef_to_geodetic_one(*map(float, q), earth) for q in p])
    assert np.array_equal(one, np.stack([lat, lon, alt], axis=-1))
    up = np.array([up_one(float(a), float(b)) for a, b in zip(lat, lon, strict=True)])
    assert np.array_equal(up, enu_basis(lat, lon)[2])


def test_eci_state_to_ecef_one_equals_the_array_form() -> None:
    rng = np.random.default_rng(13)
    r, v, t = rng.normal(0.0, 5e6, (500, 3)), rng.normal(0.0, 5e3, (500, 3)), rng.uniform(0.0, 1e4, 500)
    rr, vv = eci_state_to_ecef(r, v, t, WGS84)
    one = [eci_state_to_ecef_one(tuple(r[i].tolist()), tuple(v[i].tolist()), float(t[i]), WGS84) for i in range(500)]
    assert np.array_equal(np.array([o[0] for o in one]), rr) and np.array_equal(np.array([o[1] for o in one]), vv)


@pytest.mark.parametrize("earth", [WGS84, SPHERE], ids=["wgs84", "sphere"])
def test_few_orbit_crossing_equals_the_array_path(earth: EarthModel, monkeypatch: pytest.MonkeyPatch) -> None:
    """Batches of 1 to FEW_ORBITS orbits (some never coming down, with and without a first guess, a subset by
    index): the Python-float path returns what the array path returns, NaN included."""
    rng = np.random.default_rng(14)
    cases = []
    for trial in range(300):
        n = int(rng.integers(1, surface.FEW_ORBITS + 1))
        orbits = _orbits(rng, n, earth)
        h = rng.uniform(-100.0, 2e4, n) if trial % 2 else 0.0
        kw: dict = {}
        if trial % 3 == 0:
            kw["index"] = rng.permutation(n)[: max(1, n - 1)]
            h = h[: kw["index"].size] if np.ndim(h) else h
        cases.append((orbits, h, kw))
    few = [surface.surface_crossing_time(o, h, earth, **kw) for o, h, kw in cases]
    monkeypatch.setattr(surface, "FEW_ORBITS", 0)
    full = [surface.surface_crossing_time(o, h, earth, **kw) for o, h, kw in cases]
    guessed = [(o, h, dict(kw, t_guess_s=np.nan_to_num(t) + rng.normal(0.0, 2.0, t.shape)))
               for (o, h, kw), t in zip(cases, full, strict=True)]
    full_g = [surface.surface_crossing_time(o, h, earth, **kw) for o, h, kw in guessed]
    monkeypatch.setattr(surface, "FEW_ORBITS", 8)
    few_g = [surface.surface_crossing_time(o, h, earth, **kw) for o, h, kw in guessed]
    assert sum(np.isnan(t).sum() for t in full) > 0 and sum(np.isfinite(t).sum() for t in full) > 100
    for a, b in [*zip(few, full, strict=True), *zip(few_g, full_g, strict=True)]:
        assert a.shape == b.shape and a.dtype == b.dtype and np.array_equal(a, b, equal_nan=True)


def test_few_evaluations_equal_the_array_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """`states_at`, `components_at` and `states_rows` on up to FEW_EVALUATIONS pairs go through `state_one`;
    the arrays (shapes, values, NaN for NaN times) are those of the array path."""
    import amdx.flight.kepler as kepler

    rng = np.random.default_rng(15)
    orbits = _orbits(rng, 30)
    calls = []
    for k in range(200):
        n = int(rng.integers(1, kepler.FEW_EVALUATIONS + 1))
        idx = rng.integers(0, 30, n)
        t = orbits.t0_s[idx] + rng.uniform(-500.0, 5000.0, n)
        if k % 10 == 0:
            t[0] = np.nan
        calls.append(lambda o, idx=idx, t=t: o.states_at(idx, t))
        calls.append(lambda o, idx=idx, t=t: o.states_at(idx, t, velocity=False))
        calls.append(lambda o, idx=idx, t=t: o.components_at(idx, t))
        calls.append(lambda o, i=int(idx[0]), t=float(t[-1]): o.states_at(i, t))  # 0-d
        calls.append(lambda o, s=int(idx[0]) % 25, t=t[:4]: o.states_rows(s, s + 5, t))
    few = [c(orbits) for c in calls]
    monkeypatch.setattr(kepler, "FEW_EVALUATIONS", 0)
    full = [c(orbits) for c in calls]
    for a, b in zip(few, full, strict=True):
        for x, y in zip(a, b, strict=True):
            if y is None:
                assert x is None
                continue
            for xx, yy in (zip(x, y, strict=True) if isinstance(y, tuple) else [(x, y)]):
                assert xx.shape == yy.shape and xx.dtype == yy.dtype and np.array_equal(xx, yy, equal_nan=True)


def test_components_equal_the_stacked_forms() -> None:
    """`components_at`, `ecef_components_to_geodetic` and `up_components` are the stacked forms taken apart."""
    from amdx.geo import ecef_components_to_geodetic, up_components

    rng = np.random.default_rng(16)
    orbits = _orbits(rng, 200)
    idx = rng.integers(0, 200, 500)
    t = orbits.t0_s[idx] + rng.uniform(-500.0, 5000.0, 500)
    (x, y, z), v = orbits.components_at(idx, t)
    r_s, v_s = orbits.states_at(idx, t)
    assert v is not None and np.array_equal(np.stack([x, y, z], axis=-1), r_s)
    assert np.array_equal(np.stack(v, axis=-1), v_s)
    assert all(np.array_equal(a, b) for a, b in zip(ecef_components_to_geodetic(x, y, z), ecef_to_geodetic(r_s),
                                                    strict=True))
    lat, lon, _ = ecef_to_geodetic(r_s)
    assert np.array_equal(np.stack(up_components(lat, lon), axis=-1), enu_basis(lat, lon)[2])


def test_one_orbit_construction_equals_the_array_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """A one-orbit `KeplerOrbits` takes its elements from Python floats (`_elements_one`); every attribute equals
    the array path's bit for bit, and states the array path refuses (hyperbolic, rectilinear) still raise."""
    import amdx.flight.kepler as kepler

    rng = np.random.default_rng(17)
    cases = []
    for i in range(2000):
        r = rng.normal(size=3)
        r *= rng.uniform(6.3e6, 8e6) / np.linalg.norm(r)
        v = rng.normal(size=3) * rng.uniform(10.0, 12000.0)
        if i % 50 == 0:  # circular
            v = np.cross([0.0, 0.0, 1.0], r)
            v *= np.sqrt(kepler.MU_EARTH_M3_S2 / np.linalg.norm(r)) / np.linalg.norm(v)
        if i % 97 == 0:  # rectilinear
            v = r / np.linalg.norm(r) * 3000.0
        cases.append((r[None], v[None], rng.uniform(0.0, 900.0)))

    def build(case: tuple) -> kepler.KeplerOrbits | None:
        try:
            return kepler.KeplerOrbits(*case)
        except ValueError:
            return None

    fast = [build(c) for c in cases]
    monkeypatch.setattr(kepler, "_elements_one", lambda *a: None)
    slow = [build(c) for c in cases]
    names = ("t0_s", "a_m", "e", "p_hat", "q_hat", "b_m", "mean_motion", "m0", "_m_at_zero", "_ap", "_bq")
    assert sum(s is None for s in slow) > 100 and sum(s is not None and s.e[0] < 1e-13 for s in slow) > 10
    for f, s in zip(fast, slow, strict=True):
        assert (f is None) == (s is None)
        if s is None or f is None:
            continue
        for name in names:
            a, b = np.asarray(getattr(f, name)), np.asarray(getattr(s, name))
            assert a.shape == b.shape and np.array_equal(a, b), name
