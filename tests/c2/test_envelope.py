"""Kinematic envelope and launch window of a battery against a predicted path; defended footprint (§6.3)."""

from __future__ import annotations

import numpy as np
import pymap3d
import pytest
from pymap3d.vincenty import vdist

from amdx.c2.envelope import Envelope, launch_window, window_bounds
from amdx.c2.footprint import defended, footprint_collapses, footprint_extents, footprint_margin_s
from amdx.flight import BallisticFlights, solve_ballistic
from amdx.geo import destination_point, geodetic_to_ecef
from amdx.scenario.catalog_models import InterceptorType

UPPER = Envelope(min_alt_m=40e3, max_alt_m=150e3, max_range_m=200e3, speed_mps=2500.0, reaction_s=10.0)


def test_envelope_from_an_interceptor_type_is_in_si_units():
    itype = InterceptorType.model_validate(dict(
        id="t-upper", name="Test upper tier", tier="upper", engages=["ballistic"],
        min_intercept_altitude_km=40.0, max_intercept_altitude_km=150.0, max_range_km=200.0,
        average_speed_mps=2500.0, reaction_time_s=10.0, single_shot_pk=0.8, reload_s=900.0))
    assert Envelope.from_interceptor(itype) == UPPER
    assert Envelope.from_interceptor(itype, "slant").range_kind == "slant"
    with pytest.raises(ValueError):
        Envelope(min_alt_m=5e3, max_alt_m=1e3, max_range_m=1e3, speed_mps=1.0, reaction_s=0.0)


@pytest.fixture(scope="module")
def srbm_path():
    sol = solve_ballistic(30.0, 20.0, 30.0, 27.0)  # about 675 km, apogee about 205 km
    flights = BallisticFlights.from_solutions([sol])
    t = np.arange(0.0, sol.impact_t_s, 1.0)
    pos = flights.position_ecef(t)[0]
    return t, pos


def _site(back_m):
    lat, lon = destination_point(30.0, 27.0, 270.0, back_m)  # on the ground track, uprange of the aim point
    return geodetic_to_ecef(lat, lon, 0.0)


def _independent(site, t, pos, env, now):
    """Per-sample feasibility with pymap3d (altitude; Vincenty ground range) and the straight-line flyout."""
    lat, lon, alt = pymap3d.ecef2geodetic(pos[:, 0], pos[:, 1], pos[:, 2])
    slat, slon, _ = pymap3d.ecef2geodetic(*site)
    ground, _ = vdist(np.full(t.size, slat), np.full(t.size, slon), lat, lon)
    launch = t - np.linalg.norm(pos - site, axis=-1) / env.speed_mps
    ok = (alt >= env.min_alt_m) & (alt <= env.max_alt_m) & (ground <= env.max_range_m)
    return ok & (launch >= now + env.reaction_s), alt, np.asarray(ground), launch


def test_window_intercepts_lie_inside_the_band_and_range(srbm_path):
    t, pos = srbm_path
    site = _site(60e3)
    w = launch_window(site, t, pos, UPPER, now_s=100.0)
    assert w.has_window
    ok_ref, alt, ground, launch = _independent(site, t, pos, UPPER, 100.0)
    np.testing.assert_allclose(w.launch_s, launch, atol=1e-6)
    np.testing.assert_allclose(w.alt_m, alt, atol=1e-3)
    # the envelope's ground range is a spherical great circle: within 0.5 % of the ellipsoid's geodesic
    np.testing.assert_allclose(w.range_m, ground, rtol=5e-3)
    near_limit = np.abs(ground - UPPER.max_range_m) < 5e-3 * UPPER.max_range_m
    np.testing.assert_array_equal(w.feasible[~near_limit], ok_ref[~near_limit])
    f = w.feasible
    assert np.all((alt[f] >= 40e3) & (alt[f] <= 150e3) & (ground[f] <= 200e3 * 1.005))
    assert w.earliest_launch_s == launch[f].min() and w.latest_launch_s == launch[f].max()
    np.testing.assert_array_equal(w.earliest_pip_m, pos[w.earliest_index])
    assert w.earliest_intercept_s == t[w.earliest_index]
    # meeting condition: the interceptor launched at the window's time reaches the point when the target does
    flown = np.linalg.norm(w.earliest_pip_m - site) / UPPER.speed_mps
    assert w.earliest_launch_s + flown == pytest.approx(w.earliest_intercept_s, abs=1e-9)


def test_earliest_launch_respects_the_reaction_time(srbm_path):
    t, pos = srbm_path
    site = _site(60e3)
    free = launch_window(site, t, pos, UPPER, now_s=0.0)
    now = free.earliest_launch_s + 30.0  # decide late: the reaction time now binds
    w = launch_window(site, t, pos, UPPER, now_s=now)
    assert w.has_window
    assert np.all(w.launch_s[w.feasible] >= now + UPPER.reaction_s)
    assert w.earliest_launch_s >= now + UPPER.reaction_s
    step = np.nanmax(np.abs(np.diff(w.launch_s)))  # the window is resolved to one sample
    assert w.earliest_launch_s - (now + UPPER.reaction_s) <= step
    assert w.latest_launch_s == free.latest_launch_s
    late = launch_window(site, t, pos, UPPER, now_s=t[-1])
    assert not late.has_window and np.isnan(late.earliest_launch_s) and late.earliest_index == -1


def test_a_path_that_never_enters_the_band_has_no_window():
    az = 90.0
    lat, lon = destination_point(30.0, 20.0, az, np.linspace(0.0, 300e3, 301))
    pos = geodetic_to_ecef(lat, lon, 10e3)  # a cruise path at 10 km, below the 40 km floor
    t = np.arange(301) * 1.0
    w = launch_window(geodetic_to_ecef(30.0, 21.0, 0.0), t, pos, UPPER, now_s=0.0)
    assert not w.has_window and not w.feasible.any() and np.isnan(w.earliest_pip_m).all()
    lower = Envelope(min_alt_m=50.0, max_alt_m=25e3, max_range_m=60e3, speed_mps=1400.0, reaction_s=8.0)
    w2 = launch_window(geodetic_to_ecef(30.0, 21.0, 0.0), t, pos, lower, now_s=0.0)
    assert w2.has_window  # the same path is inside the lower tier's band
    assert np.all(w2.range_m[w2.feasible] <= 60e3)


def test_nan_samples_are_infeasible_and_batches_broadcast(srbm_path):
    t, pos = srbm_path
    pos = pos.copy()
    pos[::7] = np.nan
    sites = np.stack([_site(d) for d in (0.0, 60e3, 150e3)])[:, None, :]  # (3, 1, 3)
    paths = np.stack([pos, pos + 1e3])[None]  # (1, 2, K, 3)
    w = launch_window(sites, t, paths, UPPER, now_s=50.0)
    assert w.earliest_launch_s.shape == (3, 2) and w.feasible.shape == (3, 2, t.size)
    assert not w.feasible[..., ::7].any()
    for b in range(3):
        for k in range(2):
            one = launch_window(sites[b, 0], t, paths[0, k], UPPER, now_s=50.0)
            np.testing.assert_array_equal(one.feasible, w.feasible[b, k])
            np.testing.assert_equal(one.latest_launch_s, w.latest_launch_s[b, k])



@pytest.mark.parametrize(("back_m", "now"), [(60e3, 100.0), (150e3, 0.0), (0.0, 50.0), (60e3, 1e9)])
def test_window_bounds_are_the_ends_of_the_independent_window(srbm_path, back_m, now):
    """`window_bounds` (the range only where the other constraints hold) against the brute-force window of the
    pymap3d reference: the earliest and latest feasible launches, their samples, times and points; away from
    the range limit, where the reference's geodesic and the envelope's sphere agree on feasibility."""
    t, pos = srbm_path
    site = _site(back_m)
    ok_ref, _, ground, launch = _independent(site, t, pos, UPPER, now)
    if np.any(np.abs(ground[ok_ref] - UPPER.max_range_m) < 5e-3 * UPPER.max_range_m):
        pytest.skip("a feasible sample lies at the range limit, where the two range models may disagree")
    b = window_bounds(site, t, pos, UPPER, now)
    assert bool(b.has_window) == bool(ok_ref.any())
    if not ok_ref.any():
        assert b.earliest_index == -1 and b.latest_index == -1 and np.isnan(b.earliest_pip_m).all()
        return
    lo = int(np.flatnonzero(ok_ref)[np.argmin(launch[ok_ref])])
    hi = int(np.flatnonzero(ok_ref)[np.argmax(launch[ok_ref])])
    assert (b.earliest_index, b.latest_index) == (lo, hi)
    assert b.earliest_launch_s == pytest.approx(launch[lo], abs=1e-6)
    assert b.latest_launch_s == pytest.approx(launch[hi], abs=1e-6)
    assert (b.earliest_intercept_s, b.latest_intercept_s) == (t[lo], t[hi])
    np.testing.assert_array_equal(b.earliest_pip_m, pos[lo])
    np.testing.assert_array_equal(b.latest_pip_m, pos[hi])

# --- defended footprint, refs/physics.md §6.3 --------------------------------------------------------------
# refs §6.3 base case [CALC]: V_t = 2 km/s, γ = 40°, h_c = 100 km, t_L = 10 s, v_i = 1 km/s, h 15–40 km
BASE = dict(threat_speed_mps=2000.0, reentry_angle_rad=np.radians(40.0), commit_alt_m=100e3,
            launch_delay_s=10.0, interceptor_speed_mps=1000.0, min_alt_m=15e3, max_alt_m=40e3)
_AXIS = np.arange(-200, 201) * 1e3
GRID = np.stack(np.meshgrid(_AXIS, _AXIS, indexing="ij"), axis=-1)  # 1 km grid, x east, y north


def _area_km2(**variant):
    return int(defended(GRID, **{**BASE, **variant}).sum())


@pytest.mark.parametrize(("variant", "area", "toward", "away", "half"), [
    ({}, 9189, 36, 72, 54),  # refs §6.3 table, [CALC], 1 km grid
    ({"interceptor_speed_mps": 1500.0}, 21545, 64, 100, 82),
    ({"interceptor_speed_mps": 700.0}, 4157, 18, 54, 36),
    ({"launch_delay_s": 30.0}, 3385, 14, 50, 32),
    ({"min_alt_m": 25e3}, 5383, 11, 71, 41),
    ({"threat_speed_mps": 3000.0}, 2949, 12, 48, 30),
])
@pytest.mark.parametrize("heading_deg", [0.0, 90.0])
def test_footprint_table(variant, area, toward, away, half, heading_deg):
    model = {**BASE, **variant, "threat_heading_rad": np.radians(heading_deg)}
    mask = defended(GRID, **model)
    assert abs(int(mask.sum()) - area) <= 0.01 * area  # one grid cell is 1 km²
    ext = np.array(footprint_extents(GRID, mask, np.radians(heading_deg))) / 1e3
    np.testing.assert_allclose(ext, [toward, away, half], atol=1.0)  # within the 1 km grid


def test_footprint_margin_is_the_best_altitude():
    # the closed-form maximiser against a dense scan of f(h) written out from refs §6.3
    rng = np.random.default_rng(63)
    aim = rng.uniform(-150e3, 150e3, (150, 2))
    heading = 0.7
    margin = footprint_margin_s(aim, threat_heading_rad=heading, **BASE)
    g = BASE["reentry_angle_rad"]
    up = -np.array([np.sin(heading), np.cos(heading)])
    h = np.linspace(BASE["min_alt_m"], BASE["max_alt_m"], 20001)
    p_xy = aim[:, None, :] + (h / np.tan(g))[None, :, None] * up
    dist = np.sqrt((p_xy**2).sum(-1) + h**2)
    descent = BASE["threat_speed_mps"] * np.sin(g)
    f = (BASE["commit_alt_m"] - h) / descent - BASE["launch_delay_s"] - dist / BASE["interceptor_speed_mps"]
    best = f.max(axis=1)
    assert np.all(margin >= best - 1e-9)
    np.testing.assert_allclose(margin, best, atol=1e-4)


def test_footprint_properties():
    vi = [_area_km2(interceptor_speed_mps=v) for v in (600.0, 800.0, 1000.0, 1500.0, 2000.0)]
    tl = [_area_km2(launch_delay_s=x) for x in (0.0, 10.0, 20.0, 30.0, 40.0)]
    vt = [_area_km2(threat_speed_mps=v) for v in (1500.0, 2000.0, 2500.0, 3000.0)]
    hm = [_area_km2(min_alt_m=h) for h in (5e3, 15e3, 25e3, 35e3)]
    assert np.all(np.diff(vi) > 0) and np.all(np.diff(tl) < 0)
    assert np.all(np.diff(vt) < 0) and np.all(np.diff(hm) < 0)
    mask = defended(GRID, **BASE)  # heading north: the ground track is the y axis
    np.testing.assert_array_equal(mask, mask[::-1, :])  # symmetric across the ground track
    toward, away, _ = footprint_extents(GRID, mask, 0.0)
    assert away > toward  # shifted away from the threat's approach


def test_footprint_collapses_when_the_interceptor_cannot_climb_to_the_floor():
    g = BASE["reentry_angle_rad"]
    descent = BASE["threat_speed_mps"] * np.sin(g)

    def best_possible(tl):
        # refs §6.3: the best any aim point can do is meet the threat at h_min straight above D
        return (BASE["commit_alt_m"] - BASE["min_alt_m"]) / descent - tl - BASE["min_alt_m"] / 1000.0

    tl_edge = (BASE["commit_alt_m"] - BASE["min_alt_m"]) / descent - BASE["min_alt_m"] / 1000.0
    star = np.array([0.0, BASE["min_alt_m"] / np.tan(g)])  # aim point with P(h_min) straight above D
    for tl, collapsed in ((tl_edge + 1.0, True), (tl_edge - 1.0, False)):
        model = {**BASE, "launch_delay_s": tl}
        assert footprint_collapses(**{k: v for k, v in model.items() if k != "max_alt_m"}) == collapsed
        margins = footprint_margin_s(GRID, **model)
        assert (margins.max() >= 0.0) == (not collapsed)
        assert footprint_margin_s(star, **model) == pytest.approx(best_possible(tl), abs=1e-9)
        assert margins.max() <= best_possible(tl) + 1e-9
    assert footprint_margin_s(GRID[:2, :2], **{**BASE, "min_alt_m": 50e3}).max() == -np.inf  # empty band
