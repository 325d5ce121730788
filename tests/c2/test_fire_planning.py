"""Fire planning (track predictor, pair options, refined intercept) and the engagement outcome rule of the engine.

Expectations: the constant-velocity line p + v·dt, the §5.5 flyout condition of refs/physics.md solved with
scipy's brentq, launch windows worked out by hand with pymap3d (peer library) for altitudes, the closed form of
the divert adjustment pk·(1 − exp(−d²/(2σ²))) (a Rayleigh CDF, scipy.stats.rayleigh) and a Monte Carlo of the
engine's kill rule within 3 standard errors (refs §7).
"""

from __future__ import annotations

import math

import numpy as np
import pymap3d
import pytest
from scipy import stats
from scipy.optimize import brentq

from amdx.c2.envelope import Envelope
from amdx.c2.fire_planning import pair_options, refine_intercept, track_predictor
from amdx.c2.intercept import ballistic_track_predictor
from amdx.c2.kill import divert_adjusted_pk
from amdx.engine.fire import crossrange_miss_m

T_TRACK = 100.0
SITE_LAT, SITE_LON = 30.0, 27.0


def _state(lat: float, lon: float, alt: float, east: float, north: float, up: float) -> np.ndarray:
    pos = np.array(pymap3d.geodetic2ecef(lat, lon, alt))
    vel = np.array(pymap3d.enu2uvw(east, north, up, lat, lon))
    return np.concatenate([pos, vel])


@pytest.fixture(scope="module")
def mixed_states() -> tuple[np.ndarray, np.ndarray]:
    """Rows: aircraft (cv), ballistic, cruise missile (cv), ballistic; the ballistic ones come down within
    about 2–3 minutes of T_TRACK."""
    x = np.stack([
        _state(31.0, 28.0, 9000.0, -230.0, 40.0, 0.0),
        _state(30.0, 27.0, 120e3, -2500.0, 0.0, -300.0),
        _state(29.5, 26.0, 60.0, 10.0, 260.0, 0.0),
        _state(30.5, 28.5, 90e3, -1800.0, -600.0, 200.0),
    ])
    return x, np.array([False, True, False, True])


def _cv(x: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    dt = (np.asarray(t, dtype=np.float64) - T_TRACK)[..., None]
    return x[:3] + x[3:] * dt, np.broadcast_to(x[3:], (*np.shape(t), 3))


def _kepler(x: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return ballistic_track_predictor(x[None, :], T_TRACK)(np.asarray(t, dtype=np.float64)[..., None])


def test_predictor_scalar_time(mixed_states):
    x, bal = mixed_states
    predict = track_predictor(x, T_TRACK, bal)
    pos, vel = predict(np.float64(130.0))
    assert pos.shape == vel.shape == (4, 3)
    for row in (0, 2):  # constant velocity: exactly p + v·dt
        np.testing.assert_array_equal(pos[row], x[row, :3] + x[row, 3:] * (130.0 - T_TRACK))
        np.testing.assert_array_equal(vel[row], x[row, 3:])
    for row in (1, 3):
        p_ref, v_ref = _kepler(x[row], np.array([130.0]))
        np.testing.assert_allclose(pos[row], p_ref[0, 0], rtol=0, atol=1e-6)
        np.testing.assert_allclose(vel[row], v_ref[0, 0], rtol=0, atol=1e-9)
    # at the track time every row is its own state (the Kepler rows after an ECEF → ECI → ECEF round trip)
    pos0, vel0 = predict(np.float64(T_TRACK))
    np.testing.assert_allclose(pos0, x[:, :3], rtol=0, atol=1e-4)
    np.testing.assert_allclose(vel0, x[:, 3:], rtol=0, atol=1e-7)


def test_predictor_per_track_times_keep_row_order(mixed_states):
    x, bal = mixed_states
    t = np.array([110.0, 125.0, 140.0, 155.0])
    pos, vel = track_predictor(x, T_TRACK, bal)(t)
    assert pos.shape == vel.shape == (4, 3)
    for row in (0, 2):
        ref_p, ref_v = _cv(x[row], t[row])
        np.testing.assert_array_equal(pos[row], ref_p)
        np.testing.assert_array_equal(vel[row], ref_v)
    for row in (1, 3):
        ref_p, ref_v = _kepler(x[row], t[row : row + 1])
        np.testing.assert_allclose(pos[row], ref_p[0, 0], rtol=0, atol=1e-6)
        np.testing.assert_allclose(vel[row], ref_v[0, 0], rtol=0, atol=1e-9)
    # a row's result depends on its own time only: the same batch at shifted times moves only that row
    t2 = t.copy()
    t2[1] += 20.0
    pos2, _ = track_predictor(x, T_TRACK, bal)(t2)
    np.testing.assert_array_equal(pos2[[0, 2, 3]], pos[[0, 2, 3]])
    assert np.linalg.norm(pos2[1] - pos[1]) > 20.0 * 1000.0


def test_predictor_time_grid_per_track_and_end_of_flight(mixed_states):
    x, bal = mixed_states
    K = 7
    t = T_TRACK + np.array([np.linspace(0.0, 60.0, K), np.linspace(5.0, 400.0, K),
                            np.linspace(-20.0, 30.0, K), np.linspace(10.0, 3600.0, K)])
    pos, vel = track_predictor(x, T_TRACK, bal)(t)
    assert pos.shape == vel.shape == (4, K, 3)
    for row in (0, 2):
        ref_p, ref_v = _cv(x[row], t[row])
        np.testing.assert_array_equal(pos[row], ref_p)
        np.testing.assert_array_equal(vel[row], ref_v)
    for row in (1, 3):
        ref_p, ref_v = _kepler(x[row], t[row])
        np.testing.assert_allclose(pos[row], ref_p[:, 0], rtol=0, atol=1e-6)
        np.testing.assert_allclose(vel[row], ref_v[:, 0], rtol=0, atol=1e-9)
    # the ballistic rows come down (NaN) within the grid; the constant-velocity ones never do
    assert np.isnan(pos[1, -1]).all() and np.isnan(pos[3, -1]).all()
    assert np.isfinite(pos[1, 0]).all()
    assert np.isfinite(pos[[0, 2]]).all()
    alt_last_finite = pymap3d.ecef2geodetic(*pos[1, np.isfinite(pos[1, :, 0])][-1])[2]
    assert alt_last_finite > 0.0


def test_predictor_all_constant_velocity_and_all_ballistic(mixed_states):
    x, _ = mixed_states
    t = np.array([[120.0, 150.0], [130.0, 160.0]])
    pos_c, _ = track_predictor(x[[0, 2]], T_TRACK, [False, False])(t)
    for i, row in enumerate((0, 2)):
        np.testing.assert_array_equal(pos_c[i], _cv(x[row], t[i])[0])
    pos_b, _ = track_predictor(x[[3, 1]], T_TRACK, [True, True])(t)  # reversed order stays reversed
    for i, row in enumerate((3, 1)):
        np.testing.assert_allclose(pos_b[i], _kepler(x[row], t[i])[0][:, 0], rtol=0, atol=1e-6)


def _first_root(g, t0: float, t1: float, step: float = 0.5) -> float:
    """The first sign change of g (vectorised) on [t0, t1] (scan, then brentq)."""
    grid = np.arange(t0, t1, step)
    vals = g(grid)
    k = int(np.flatnonzero(np.sign(vals[1:]) != np.sign(vals[:-1]))[0])
    return brentq(g, grid[k], grid[k + 1], xtol=1e-10)


@pytest.mark.parametrize(("north_offset_m", "t_launch", "speed"), [
    (20e3, 110.0, 2000.0), (-35e3, 120.0, 1500.0), (5e3, 105.0, 3000.0)])
def test_refined_intercept_meets_the_flyout_condition_on_a_kepler_path(mixed_states, north_offset_m, t_launch,
                                                                         speed):
    x, _ = mixed_states
    state = x[1]
    predict = track_predictor(state[None, :], T_TRACK, [True])
    # a site on the ground under the track's path, offset north of it
    below, _ = _kepler(state, np.array([175.0]))
    lat, lon, _ = pymap3d.ecef2geodetic(*below[0, 0])
    site = np.array(pymap3d.enu2ecef(0.0, north_offset_m, 0.0, lat, lon, 0.0))
    sol = refine_intercept(site[None, :], predict, speed, t_launch, t_launch + 1.0)
    assert sol.feasible[0]
    t = float(sol.t_s[0])
    assert t > t_launch
    dist = np.linalg.norm(sol.pip_m[0] - site)
    assert abs(dist - speed * (t - t_launch)) < 1.0  # refs §5.5: |PIP − site| = s (t − t_launch), < 1 m
    on_path, _ = predict(np.array([t]))
    np.testing.assert_allclose(sol.pip_m[0], on_path[0], rtol=0, atol=1e-6)  # the point is on the path
    assert sol.flyout_s[0] == pytest.approx(t - t_launch)

    kepler = ballistic_track_predictor(state[None, :], T_TRACK)

    def g(tt):
        tt = np.atleast_1d(np.asarray(tt, dtype=np.float64))
        pos = kepler(tt[:, None])[0][:, 0]
        out = np.linalg.norm(pos - site, axis=-1) - speed * (tt - t_launch)
        return out if out.size > 1 else float(out[0])

    t_ref = _first_root(g, t_launch + 1e-3, 230.0)  # the earliest root of the §5.5 condition, by brentq
    assert t == pytest.approx(t_ref, abs=1e-3)  # 1 m of residual is < 1 ms at these closing speeds


def _path(lat: float, lon: float, east0: float, north0: float, alt: float, east_v: float, times: np.ndarray):
    """ECEF positions of a constant-velocity path flying east_v (m/s) along the site's east axis."""
    e = east0 + east_v * times
    x, y, z = pymap3d.enu2ecef(e, np.full_like(e, north0), np.full_like(e, alt), lat, lon, 0.0)
    return np.stack([x, y, z], axis=-1)


ENV = Envelope(min_alt_m=0.0, max_alt_m=20e3, max_range_m=60e3, speed_mps=1200.0, reaction_s=10.0,
               range_kind="slant")


@pytest.fixture(scope="module")
def window_case():
    site = np.array(pymap3d.geodetic2ecef(SITE_LAT, SITE_LON, 0.0))
    times = np.arange(0.0, 1201.0, 1.0)
    paths = np.stack([
        _path(SITE_LAT, SITE_LON, 150e3, 5e3, 8000.0, -250.0, times),  # crosses the envelope
        _path(SITE_LAT, SITE_LON, 150e3, 5e3, 8000.0, -250.0, times),
        _path(SITE_LAT, SITE_LON, 150e3, 5e3, 8000.0, -250.0, times),
        _path(SITE_LAT, SITE_LON, 150e3, 5e3, 30e3, -250.0, times),  # overflies, above the 20 km ceiling
        _path(SITE_LAT, SITE_LON, 150e3, 80e3, 8000.0, -250.0, times),  # passes 80 km abeam: out of range
    ])
    # the window by hand: slant range and altitude (pymap3d) of every sample, launch = t − r/s ≥ now + reaction
    r = np.linalg.norm(paths[0] - site, axis=-1)
    alt = pymap3d.ecef2geodetic(paths[0, :, 0], paths[0, :, 1], paths[0, :, 2])[2]
    assert np.all((alt > 0.0) & (alt < 20e3))
    launch = times - r / ENV.speed_mps
    ok = (r <= ENV.max_range_m) & (launch >= ENV.reaction_s)
    i0, i1 = int(np.flatnonzero(ok)[0]), int(np.flatnonzero(ok)[-1])
    assert 0 < i0 < i1 < len(times) - 1  # the target enters and leaves the envelope inside the path
    return site, times, paths, {"i0": i0, "i1": i1, "launch": launch}


def _options(window_case, cov, look_s=60.0, pk=0.8, divert=30.0):
    site, times, paths, _ = window_case
    sites = np.broadcast_to(site, (len(paths), 3))
    return pair_options(sites, ENV, pk, divert, times, paths, cov, np.zeros(len(paths)), look_s)


def test_pair_options_window_and_targets_outside_the_envelope(window_case):
    _, times, _, hand = window_case
    cov = np.broadcast_to(25.0**2 * np.eye(3), (5, 3, 3))
    opt = _options(window_case, cov)
    assert opt.has_window.tolist() == [True, True, True, False, False]
    i0, i1 = hand["i0"], hand["i1"]
    assert opt.earliest_intercept_s[0] == times[i0] and opt.latest_intercept_s[0] == times[i1]
    assert opt.earliest_launch_s[0] == pytest.approx(hand["launch"][i0], abs=1e-6)
    assert opt.latest_launch_s[0] == pytest.approx(hand["launch"][i1], abs=1e-6)
    for field in (opt.earliest_launch_s, opt.latest_launch_s, opt.earliest_intercept_s, opt.latest_intercept_s):
        assert np.isnan(field[3:]).all()
    np.testing.assert_array_equal(opt.pk[3:], 0.0)
    assert not opt.second_shot[3:].any()


@pytest.mark.parametrize(("sigma", "divert", "pk"), [(25.0, 30.0, 0.8), (60.0, 30.0, 0.8), (5.0, 40.0, 0.9),
                                                     (100.0, 10.0, 0.7)])
def test_pair_options_pk_for_an_isotropic_covariance(window_case, sigma, divert, pk):
    cov = np.broadcast_to(sigma**2 * np.eye(3), (5, 3, 3))
    opt = _options(window_case, cov, pk=pk, divert=divert)
    expected = pk * (1.0 - math.exp(-divert**2 / (2.0 * sigma**2)))
    assert expected == pytest.approx(pk * stats.rayleigh.cdf(divert, scale=sigma), rel=1e-12)
    np.testing.assert_allclose(opt.pk[:3], expected, rtol=1e-12)
    np.testing.assert_array_equal(opt.pk[3:], 0.0)


def test_pair_options_error_along_the_flyout_is_not_held_against_the_shot(window_case):
    site, _, paths, hand = window_case
    u = paths[0, hand["i0"]] - site
    u /= np.linalg.norm(u)
    along, across = 400.0, 20.0  # large error along the line of flight, small across it
    cov = along**2 * np.outer(u, u) + across**2 * (np.eye(3) - np.outer(u, u))
    opt = _options(window_case, np.broadcast_to(cov, (5, 3, 3)), pk=0.8, divert=30.0)
    np.testing.assert_allclose(opt.pk[:3], 0.8 * (1.0 - math.exp(-30.0**2 / (2.0 * across**2))), rtol=1e-9)
    # a perfect track keeps the single-shot pk
    exact = _options(window_case, np.zeros((5, 3, 3)), pk=0.8, divert=30.0)
    np.testing.assert_allclose(exact.pk[:3], 0.8, rtol=0, atol=1e-12)


def test_pair_options_second_shot_needs_the_look_inside_the_window(window_case):
    _, times, _, hand = window_case
    slack = hand["launch"][hand["i1"]] - times[hand["i0"]]  # latest launch − earliest intercept, by hand
    assert slack > 100.0
    cov = np.broadcast_to(np.eye(3), (5, 3, 3))
    for look, expected in ((slack - 1.0, True), (slack - 1e-3, True), (slack + 1e-3, False), (slack + 50.0, False),
                           (0.0, True)):
        opt = _options(window_case, cov, look_s=look)
        assert opt.second_shot.tolist() == [expected] * 3 + [False, False], look


def test_crossrange_miss_hand_cases_and_cross_product():
    site = np.zeros(3)
    assert crossrange_miss_m(np.array([12.0, 3.0, 4.0]), np.array([10.0, 0.0, 0.0]), site) == pytest.approx(5.0)
    # a target on the line of flight, ahead of or behind the aim point: no cross-range miss
    assert crossrange_miss_m(np.array([25.0, 0.0, 0.0]), np.array([10.0, 0.0, 0.0]), site) == pytest.approx(0.0)
    rng = np.random.default_rng(3)
    for _ in range(200):
        site, aim = rng.normal(scale=6.4e6, size=3), rng.normal(scale=6.4e6, size=3)
        target = aim + rng.normal(scale=100.0, size=3)
        u = (aim - site) / np.linalg.norm(aim - site)
        expected = np.linalg.norm(np.cross(u, target - aim))  # |û × d|: distance from the line site → aim
        assert crossrange_miss_m(target, aim, site) == pytest.approx(expected, rel=1e-9, abs=1e-9)
        # moving the site along the line of flight changes nothing
        far_site = aim - 3.0 * (aim - site)
        assert crossrange_miss_m(target, aim, far_site) == pytest.approx(expected, rel=1e-9, abs=1e-9)


@pytest.mark.parametrize(("case", "pk", "sigma", "divert"), [(0, 0.9, 20.0, 15.0), (1, 0.7, 10.0, 30.0),
                                                             (2, 0.85, 50.0, 50.0), (3, 1.0, 30.0, 45.0)])
def test_engagement_rule_monte_carlo_matches_the_divert_adjusted_pk(case, pk, sigma, divert):
    rng = np.random.default_rng([11, case])
    n = 15000
    site = np.array(pymap3d.geodetic2ecef(SITE_LAT, SITE_LON, 0.0))
    aim = np.array(pymap3d.geodetic2ecef(30.3, 27.4, 25e3))
    errors = rng.normal(scale=sigma, size=(n, 3))  # isotropic 3-D aim error, σ per axis
    draws = rng.random(n)
    kills = 0
    for e, u in zip(errors, draws, strict=True):  # the rule of engine.fire._intercept
        miss = crossrange_miss_m(aim + e, aim, site)
        kills += bool(miss <= divert and u < pk)
    expected = float(divert_adjusted_pk(pk, sigma, divert))
    assert expected == pytest.approx(pk * stats.rayleigh.cdf(divert, scale=sigma), rel=1e-12)
    se = math.sqrt(expected * (1.0 - expected) / n)
    assert abs(kills / n - expected) < 3.0 * se


def _two_body_ecef(x: np.ndarray, t_track: float, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """ECEF states at times t of the ECEF state x at t_track flown as a vacuum two-body orbit by scipy's
    integrator, in the inertial frame of `amdx.geo` (ECEF at t = 0, the Earth turning at ω about +z)."""
    from scipy.integrate import solve_ivp

    from amdx.geo import WGS84

    w, mu = WGS84.omega_rad_s, WGS84.mu_m3_s2

    def turn(a: float) -> np.ndarray:
        return np.array([[math.cos(a), -math.sin(a), 0.0], [math.sin(a), math.cos(a), 0.0], [0.0, 0.0, 1.0]])

    r0 = turn(w * t_track) @ x[:3]
    v0 = turn(w * t_track) @ (x[3:] + np.cross([0.0, 0.0, w], x[:3]))
    sol = solve_ivp(lambda _, s: np.concatenate([s[3:], -mu * s[:3] / np.linalg.norm(s[:3]) ** 3]),
                    (t_track, float(t.max())), np.concatenate([r0, v0]), t_eval=t, rtol=1e-12, atol=1e-6,
                    method="DOP853")
    pos = np.stack([turn(-w * tk) @ sol.y[:3, k] for k, tk in enumerate(t)])
    vel = np.stack([turn(-w * tk) @ sol.y[3:, k] - np.cross([0.0, 0.0, w], pos[k]) for k, tk in enumerate(t)])
    return pos, vel


def test_predictor_mixed_rows_against_scipy_two_body(mixed_states):
    """The ballistic rows of a mixed batch (filled in place among constant-velocity rows) against scipy's
    integration of the two-body problem, not against amdx's own Kepler paths."""
    x, bal = mixed_states
    t = T_TRACK + np.array([[5.0, 30.0, 60.0]] * 4)
    pos, vel = track_predictor(x, T_TRACK, bal)(t)
    for row in (1, 3):
        ref_p, ref_v = _two_body_ecef(x[row], T_TRACK, t[row])
        np.testing.assert_allclose(pos[row], ref_p, rtol=0, atol=0.05)
        np.testing.assert_allclose(vel[row], ref_v, rtol=0, atol=1e-4)
    for row in (0, 2):
        np.testing.assert_array_equal(pos[row], _cv(x[row], t[row])[0])


@pytest.mark.parametrize("ballistic", [[True, True, True, True], [False, True, False, True]])
def test_predictor_refuses_times_of_another_track_count(mixed_states, ballistic):
    x, _ = mixed_states
    predict = track_predictor(x, T_TRACK, ballistic)
    with pytest.raises(ValueError, match="times must be"):
        predict(np.array([110.0, 120.0]))  # 2 times for 4 tracks
    with pytest.raises(ValueError, match="times must be"):
        predict(np.full((2, 3), 110.0))
