"""Predicted intercept point against refs/physics.md §5.5 and miss at closest approach against §5.1."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import brentq, minimize_scalar

from amdx.c2.intercept import (
    ballistic_track_predictor,
    closest_approach,
    hermite_path,
    intercept_constant_velocity,
    intercept_on_path,
)
from amdx.flight import BallisticFlights, solve_ballistic
from amdx.geo import destination_point, ecef_to_geodetic, geodetic_to_ecef

KM = 1000.0

# refs/physics.md §5.5 worked examples, km, km/s, s: r0, v_T, s, t0, t, PIP (None: no solution)
PIP_ROWS = [
    ((40, 30, 0), (-0.3, 0, 0), 1.0, 0.0, 40.861, (27.742, 30, 0)),
    ((100, 0, 20), (-2.0, 0, -0.5), 1.5, 0.0, 28.678, (42.643, 0, 5.661)),
    ((50, 50, 10), (0.2, -0.4, 0), 0.45, 0.0, 247.352, (99.470, -48.941, 10)),
    ((30, 0, 0), (0.5, 0, 0), 0.4, 0.0, None, None),
]


@pytest.mark.parametrize(("r0", "v", "s", "t0", "t", "pip"), PIP_ROWS)
def test_worked_examples(r0, v, s, t0, t, pip):
    sol = intercept_constant_velocity(np.zeros(3), np.array(r0) * KM, np.array(v) * KM, s * KM, t0)
    if t is None:
        assert not sol.feasible and np.isnan(sol.t_s) and np.isnan(sol.pip_m).all()
        return
    assert sol.feasible
    assert sol.t_s == pytest.approx(t, abs=5e-4)  # table printed to 1 ms
    np.testing.assert_allclose(sol.pip_m, np.array(pip) * KM, atol=0.5)  # printed to 1 m
    assert sol.flyout_s == pytest.approx(t - t0, abs=5e-4)


def test_worked_example_with_a_launch_delay():
    # refs §5.5 row 2 ((40, 30, 0) km, (−0.3, 0, 0) km/s, s = 1 km/s, "t0 = 5": t = 36.715 s,
    # PIP (28.985, 30, 0) km) was computed with the linear coefficient printed there, 2(r0·v − s² t0).
    # Expanding |r0 + v t| = s (t − t0) gives + s² t0, and the printed row violates the section's own
    # invariant (|PIP| = 41.715 km ≠ s (t − 5 s) = 31.715 km). The printed numbers are the launch at
    # t0 = −5 s; the launch at +5 s is checked against a scipy root.
    r0, v = np.array([40.0, 30.0, 0.0]) * KM, np.array([-0.3, 0.0, 0.0]) * KM
    early = intercept_constant_velocity(np.zeros(3), r0, v, KM, -5.0)
    assert early.t_s == pytest.approx(36.715, abs=5e-4)
    np.testing.assert_allclose(early.pip_m, np.array([28.985, 30.0, 0.0]) * KM, atol=0.5)
    late = intercept_constant_velocity(np.zeros(3), r0, v, KM, 5.0)
    t_ref = brentq(lambda t: np.linalg.norm(r0 + v * t) - KM * (t - 5.0), 5.0, 200.0, xtol=1e-12)
    assert late.t_s == pytest.approx(t_ref, abs=1e-9)
    assert late.t_s > 40.861  # a later launch against an approaching target meets it later (row 1: t0 = 0)


def test_invariant_to_machine_precision_and_smallest_root():
    rng = np.random.default_rng(55)
    n = 2000
    site = rng.uniform(-50e3, 50e3, (n, 3))
    r0 = rng.uniform(-300e3, 300e3, (n, 3))
    v = rng.normal(0.0, 1500.0, (n, 3))
    s = rng.uniform(300.0, 3000.0, n)
    t0 = rng.uniform(-20.0, 20.0, n)
    tref = rng.uniform(-10.0, 10.0, n)
    sol = intercept_constant_velocity(site, r0, v, s, t0, tref)
    ok = sol.feasible
    assert 0.2 * n < ok.sum() < n  # both outcomes are exercised
    dist = np.linalg.norm(sol.pip_m[ok] - site[ok], axis=-1)
    # refs §5.5 invariant |PIP − site|/s = t − t0
    np.testing.assert_allclose(dist / s[ok], sol.t_s[ok] - t0[ok], rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(sol.pip_m[ok], r0[ok] + v[ok] * (sol.t_s[ok] - tref[ok])[:, None], rtol=1e-12)
    assert np.all(sol.t_s[ok] > t0[ok])
    # smallest root: the gap |r(t) − site| − s (t − t0) stays positive between launch and intercept
    for i in np.flatnonzero(ok)[:50]:
        tt = np.linspace(t0[i], sol.t_s[i], 200)[1:-1]
        gap = np.linalg.norm(r0[i] + v[i] * (tt - tref[i])[:, None] - site[i], axis=-1) - s[i] * (tt - t0[i])
        assert np.all(gap > 0.0)
    # no solution: the same gap never reaches zero over a long horizon
    for i in np.flatnonzero(~ok)[:50]:
        tt = t0[i] + np.linspace(0.0, 1e5, 20001)[1:]
        gap = np.linalg.norm(r0[i] + v[i] * (tt - tref[i])[:, None] - site[i], axis=-1) - s[i] * (tt - t0[i])
        assert np.all(gap > 0.0)


def test_equal_speeds_use_the_linear_root():
    # head-on at the interceptor's own speed: |L − s t| = s t  →  t = L / (2 s)
    sol = intercept_constant_velocity(np.zeros(3), [80e3, 0.0, 0.0], [-1000.0, 0.0, 0.0], 1000.0)
    assert sol.t_s == pytest.approx(40.0, rel=1e-14)
    # receding at the interceptor's own speed: never caught
    assert not intercept_constant_velocity(np.zeros(3), [80e3, 0.0, 0.0], [1000.0, 0.0, 0.0], 1000.0).feasible


def test_broadcast_over_batteries_and_tracks_equals_pairwise():
    rng = np.random.default_rng(3)
    sites = rng.uniform(-20e3, 20e3, (4, 1, 3))
    pos = rng.uniform(-200e3, 200e3, (1, 6, 3))
    vel = rng.normal(0.0, 800.0, (1, 6, 3))
    batch = intercept_constant_velocity(sites, pos, vel, 1500.0, 2.0)
    assert batch.t_s.shape == (4, 6) and batch.pip_m.shape == (4, 6, 3)
    for b in range(4):
        for k in range(6):
            one = intercept_constant_velocity(sites[b, 0], pos[0, k], vel[0, k], 1500.0, 2.0)
            np.testing.assert_equal(one.t_s, batch.t_s[b, k])


def test_path_version_against_a_constant_velocity_target_equals_the_closed_form():
    r0 = np.array([[120e3, -40e3, 30e3], [-60e3, 90e3, 5e3]])
    v = np.array([[-900.0, 200.0, -100.0], [300.0, -600.0, 0.0]])
    sites = np.array([[1e3, 2e3, 0.0], [-3e3, 0.0, 0.0]])

    def predict(t):
        t = np.asarray(t, dtype=float)
        return r0 + v * t[..., None], np.broadcast_to(v, (*t.shape, 3))

    closed = intercept_constant_velocity(sites, r0, v, 1200.0, 7.0)
    path = intercept_on_path(sites, predict, 1200.0, 7.0, tol_m=1e-6)
    np.testing.assert_allclose(path.t_s, closed.t_s, rtol=1e-12)
    np.testing.assert_allclose(path.pip_m, closed.pip_m, atol=1e-6)


@pytest.fixture(scope="module")
def srbm():
    sol = solve_ballistic(30.0, 20.0, 30.0, 27.0)  # about 675 km, minimum energy, WGS84, rotating
    return sol, BallisticFlights.from_solutions([sol])


def _predictor(flights):
    def predict(t):
        t = np.asarray(t, dtype=float)
        pos, vel = flights.states_ecef(t.reshape(1, -1))
        return pos[0].reshape(*t.shape, 3), vel[0].reshape(*t.shape, 3)
    return predict


def test_ballistic_path_intercept_meets_the_flyout_condition(srbm):
    sol, flights = srbm
    lat, lon = destination_point(30.0, 27.0, 270.0, np.array([0.0, 30e3, 80e3, 150e3]))
    sites = geodetic_to_ecef(lat, lon, 0.0)
    t_launch = np.array([200.0, 220.0, 250.0, 150.0])
    speed = 2500.0
    predict = _predictor(flights)
    res = intercept_on_path(sites, predict, speed, t_launch)
    assert res.feasible.all()
    on_path, _ = predict(res.t_s)
    np.testing.assert_allclose(res.pip_m, on_path, atol=1e-6)
    dist = np.linalg.norm(res.pip_m - sites, axis=-1)
    np.testing.assert_allclose(dist, speed * (res.t_s - t_launch), atol=1.0)  # refs §5.5 condition, < 1 m
    assert np.all(res.t_s < sol.impact_t_s)
    for i in range(4):  # the earliest such point: no crossing between launch and the intercept
        tt = np.linspace(t_launch[i], res.t_s[i], 400)[1:-1]
        pos, _ = predict(tt)
        assert np.all(np.linalg.norm(pos - sites[i], axis=-1) > speed * (tt - t_launch[i]))
    # the same on a sampled path with cubic Hermite interpolation (5 s samples)
    tk = np.arange(0.0, sol.impact_t_s, 5.0)
    pk, vk = flights.states_ecef(tk)
    sampled = intercept_on_path(sites, hermite_path(tk, pk[0], vk[0]), speed, t_launch)
    np.testing.assert_allclose(sampled.pip_m, res.pip_m, atol=1.0)


def test_ballistic_path_cannot_be_reached_before_impact(srbm):
    sol, flights = srbm
    lat, lon = destination_point(30.0, 27.0, 90.0, 400e3)  # far beyond the aim point
    site = geodetic_to_ecef(lat, lon, 0.0)
    res = intercept_on_path(site, _predictor(flights), 1000.0, sol.impact_t_s - 100.0)
    assert not res.feasible and np.isnan(res.t_s) and np.isnan(res.pip_m).all()
    alt = ecef_to_geodetic(sol.r_impact_ecef_m)[2]
    assert abs(alt) < 1.0  # the path the test relies on ends on the surface


def test_intercept_from_a_ballistic_track_state(srbm):
    sol, flights = srbm
    t_track = 150.0
    pos, vel = flights.states_ecef([t_track])
    x = np.concatenate([pos[0, 0], vel[0, 0]])
    predict = ballistic_track_predictor(np.stack([x, x]), t_track)
    t = np.linspace(t_track, sol.impact_t_s - 1e-3, 50)
    p_track, v_track = predict(t[:, None])  # times (50, 1) against the two tracks (2,)
    p_true, v_true = flights.states_ecef(t)
    assert p_track.shape == (50, 2, 3)
    np.testing.assert_allclose(p_track[:, 0], p_true[0], atol=1e-3)  # both are the same vacuum free flight
    np.testing.assert_allclose(v_track[:, 1], v_true[0], atol=1e-6)
    assert np.isnan(predict(np.array([sol.impact_t_s + 1.0, sol.impact_t_s + 3600.0]))[0]).all()
    sites = geodetic_to_ecef(30.0, np.array([26.5, 26.0]), 0.0)
    res = intercept_on_path(sites, predict, 2500.0, 200.0)
    assert res.feasible.all()
    dist = np.linalg.norm(res.pip_m - sites, axis=-1)
    np.testing.assert_allclose(dist, 2500.0 * (res.t_s - 200.0), atol=1.0)  # refs §5.5 condition
    truth, _ = flights.states_ecef(res.t_s)
    np.testing.assert_allclose(res.pip_m, truth[0], atol=1e-3)
    # above escape speed (√(2μ/r) ≈ 11.2 km/s) there is no elliptic path: NaN, not an error
    escaping = ballistic_track_predictor(np.array([6.4e6, 0.0, 0.0, 0.0, 12e3, 0.0]), 0.0)
    assert np.isnan(escaping(np.array([1.0]))[0]).all()


def test_hermite_path_reproduces_a_cubic_and_is_nan_outside():
    def cubic(t):
        pos = np.stack([t**3 - 2 * t, 4 * t**2, 5.0 - t], axis=-1)
        return pos, np.stack([3 * t**2 - 2, 8 * t, -np.ones_like(t)], axis=-1)

    tk = np.array([0.0, 1.5, 2.0, 4.0])
    pos, vel = cubic(tk)
    predict = hermite_path(tk, pos, vel)
    t = np.linspace(0.0, 4.0, 57)
    p, v = predict(t)
    p_ref, v_ref = cubic(t)
    np.testing.assert_allclose(p, p_ref, atol=1e-12)
    np.testing.assert_allclose(v, v_ref, atol=1e-12)
    p_out, _ = predict(np.array([-0.1, 4.1]))
    assert np.isnan(p_out).all()


def test_miss_at_closest_approach():
    # refs §5.1: t* = −(R·V)/|V|², miss = |R + V t*|; a crossing at 100 m offset closes at t* = 10 s
    t_star, miss = closest_approach([1000.0, 100.0, 0.0], [-100.0, 0.0, 0.0])
    assert t_star == pytest.approx(10.0) and miss == pytest.approx(100.0)
    t_star, miss = closest_approach([3.0, 4.0, 0.0], [0.0, 0.0, 0.0])
    assert t_star == 0.0 and miss == pytest.approx(5.0)
    rng = np.random.default_rng(9)
    R, V = rng.normal(0, 5e3, (20, 3)), rng.normal(0, 500.0, (20, 3))
    t_star, miss = closest_approach(R, V)
    for i in range(20):  # against a numerical minimisation of the distance
        opt = minimize_scalar(lambda t, i=i: np.linalg.norm(R[i] + V[i] * t), bounds=(-1e3, 1e3),
                              method="bounded", options={"xatol": 1e-9})
        assert miss[i] == pytest.approx(opt.fun, abs=1e-3)
        assert t_star[i] == pytest.approx(opt.x, abs=1e-3)


def test_a_single_ballistic_state_predicts_at_a_single_time():
    # one state (6,) and a scalar time give (3,) arrays, equal to the batched call's row
    from amdx.c2.intercept import ballistic_track_predictor

    x = np.array([6.4e6, 0.0, 0.0, 0.0, 7000.0, 1000.0])
    one, _ = ballistic_track_predictor(x, 100.0)(np.array(120.0))
    many, _ = ballistic_track_predictor(x[None, :], 100.0)(np.array([120.0]))
    assert one.shape == (3,)
    np.testing.assert_array_equal(one, many[0])


def test_intercepts_on_kepler_paths_are_those_of_the_generic_iteration(srbm):
    # KeplerPredictor takes the compiled pass of intercept_on_path; the same predictor hidden behind a plain
    # function takes the generic loop (one predict call per iteration): same times and points to the bit, and
    # the refs §5.5 condition |PIP − site| = s (t − t_launch) at each feasible one
    from amdx.c2.intercept import KeplerPredictor, kepler_paths

    sol, flights = srbm
    t_track = 150.0
    pos, vel = flights.states_ecef([t_track, t_track + 20.0])
    x = np.concatenate([pos[0], vel[0]], axis=-1)  # two states of the same flight
    x = np.concatenate([x, [[6.4e6, 0.0, 0.0, 0.0, 12e3, 0.0]]])  # and one above escape speed: no path
    fast = KeplerPredictor(kepler_paths(x, t_track))
    sites = geodetic_to_ecef(30.0, np.array([26.5, 26.0, 26.0]), 0.0)
    for guess in (None, np.array([250.0, 260.0, 250.0]), np.array([sol.impact_t_s + 50.0, 200.0, 200.0])):
        a = intercept_on_path(sites, fast, 2500.0, 200.0, guess)
        b = intercept_on_path(sites, lambda t: fast(t), 2500.0, 200.0, guess)
        for field in ("t_s", "pip_m", "flyout_s", "feasible"):
            np.testing.assert_array_equal(getattr(a, field), getattr(b, field))
        assert not a.feasible[2]
        ok = a.feasible
        assert ok.any()
        dist = np.linalg.norm(a.pip_m[ok] - sites[ok], axis=-1)
        np.testing.assert_allclose(dist, 2500.0 * (a.t_s[ok] - 200.0), atol=1.0)
    p, v = fast(np.array([[200.0, 210.0], [205.0, 215.0], [200.0, 200.0]]))
    p_ref, v_ref = ballistic_track_predictor(x, t_track)(np.array([[200.0, 205.0, 200.0], [210.0, 215.0, 200.0]]))
    np.testing.assert_array_equal(p, p_ref.swapaxes(0, 1))  # track axis first, the same states
    np.testing.assert_array_equal(v, v_ref.swapaxes(0, 1))
    p_true, v_true = flights.states_ecef([200.0, 210.0])  # row 0 is the flight's own state: its vacuum free flight
    np.testing.assert_allclose(p[0], p_true[0], atol=1e-3)
    np.testing.assert_allclose(v[0], v_true[0], atol=1e-6)
    assert np.isnan(p[2]).all()  # no path above escape speed
    out = np.zeros((2, 3))
    with pytest.raises(ValueError, match="rows must give each"):  # a row past the batch: refused, not written
        fast.fill(np.full(2, 200.0), np.array([0, 1, 2]), out, out.copy())
    with pytest.raises(ValueError, match="times must be"):
        fast(np.full(2, 200.0))
