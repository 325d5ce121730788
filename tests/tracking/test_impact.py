"""Impact point prediction: against the solved flight (solve_ballistic) and an independent integration of the
rotating-frame equations (scipy solve_ivp, pymap3d for the WGS84 surface); the 95 % ellipse covers the true
impact at its stated rate over Monte Carlo draws of the state (binomial, 3σ); the Jacobian against finite
differences and the linearised ellipse against a Monte Carlo of the impact; ellipse geometry against an
eigen-decomposition and the χ² quantile."""

from __future__ import annotations

import numpy as np
import pymap3d
import pytest
from scipy.integrate import solve_ivp
from scipy.stats import chi2

from amdx.flight import KeplerOrbits, solve_ballistic
from amdx.geo import eci_state_to_ecef
from amdx.tracking.impact import above_altitude, error_ellipse, impact_jacobians, impact_points, predict_impact

MU = 3.986004418e14  # refs/physics.md constants (WGS84 GM), m³/s²
OMEGA = 7.2921159e-5  # refs/physics.md constants, rad/s


@pytest.fixture(scope="module")
def flight():
    sol = solve_ballistic(30.0, 10.0, 35.0, 25.0)  # 1,500 km, minimum energy, rotating WGS84
    orbit = KeplerOrbits(sol.r_bo_eci_m[None], sol.v_bo_eci_mps[None], [sol.burnout_t_s])

    def state(t):
        r, v = orbit.states([t])
        re, ve = eci_state_to_ecef(r[0, 0], v[0, 0], t)
        return np.concatenate([re, ve])

    return sol, state


def test_impact_of_the_true_state_lands_on_the_solved_impact(flight):
    sol, state = flight
    times = sol.burnout_t_s + np.array([60.0, 300.0, 550.0])
    x = np.stack([state(t) for t in times])
    P = np.broadcast_to(np.diag([5.0**2] * 3 + [0.05**2] * 3), (3, 6, 6))
    for k, t in enumerate(times):
        ip = predict_impact(x[k:k + 1], P[k:k + 1], t)
        assert ip.valid[0]
        assert np.linalg.norm(ip.impact_ecef_m[0] - sol.r_impact_ecef_m) < 30.0
        assert ip.time_to_impact_s[0] == pytest.approx(sol.impact_t_s - t, abs=1.0)
        # and on the aim point given to the solver (geodetic distance, pymap3d)
        e, n, _ = pymap3d.geodetic2enu(ip.impact_lat_deg[0], ip.impact_lon_deg[0], 0.0, sol.aim_lat_deg,
                                       sol.aim_lon_deg, 0.0)
        assert np.hypot(e, n) < 30.0


def _integrate_to_ground(x0):
    """Impact (time after x0, ECEF point) by integrating a = −μr/|r|³ − 2ω×v − ω×(ω×r) with DOP853 and a
    terminal event at WGS84 geodetic altitude 0 (pymap3d)."""
    w = np.array([0.0, 0.0, OMEGA])

    def rhs(_t, y):
        r, v = y[:3], y[3:]
        a = -MU * r / np.linalg.norm(r) ** 3 - 2 * np.cross(w, v) - np.cross(w, np.cross(w, r))
        return np.concatenate([v, a])

    def ground(_t, y):
        return pymap3d.ecef2geodetic(*y[:3])[2]

    ground.terminal, ground.direction = True, -1
    sol = solve_ivp(rhs, (0.0, 5000.0), x0, method="DOP853", rtol=1e-11, atol=1e-6, events=ground)
    return sol.t_events[0][0], sol.y_events[0][0, :3]


def test_impact_matches_an_independent_integration(flight):
    sol, state = flight
    rng = np.random.default_rng(4)
    t = sol.burnout_t_s + 150.0
    # off-nominal states, so the answer is not just the solver's aim point
    x = state(t) + np.concatenate([rng.normal(size=(3, 3)) * 2000.0, rng.normal(size=(3, 3)) * 40.0], axis=1)
    ip = predict_impact(x, np.broadcast_to(np.diag([1.0] * 3 + [1e-4] * 3), (3, 6, 6)), t)
    for k in range(3):
        tof, p = _integrate_to_ground(x[k])
        assert ip.time_to_impact_s[k] == pytest.approx(tof, abs=0.05)
        assert np.linalg.norm(ip.impact_ecef_m[k] - p) < 2.0


def test_ellipse_covers_the_true_impact_at_its_stated_rate(flight):
    sol, state = flight
    rng = np.random.default_rng(10)
    t = sol.burnout_t_s + 250.0
    n = 600
    # a typical track covariance: 150 m position, 3 m/s velocity, correlated
    a = rng.normal(size=(6, 6)) * 0.3 + np.eye(6)
    P = np.diag([150.0] * 3 + [3.0] * 3) @ (a @ a.T / 2.0) @ np.diag([150.0] * 3 + [3.0] * 3)
    draws = state(t) + rng.multivariate_normal(np.zeros(6), P, size=n)
    ip = predict_impact(draws, np.broadcast_to(P, (n, 6, 6)), t, confidence=0.95)
    assert ip.valid.all()
    assert ip.scale == pytest.approx(2.4477, abs=1e-4)  # √χ²₂(0.95)
    e, nn, _ = pymap3d.ecef2enu(*sol.r_impact_ecef_m, ip.impact_lat_deg, ip.impact_lon_deg, 0.0)
    d = np.stack([e, nn], axis=-1)
    m2 = np.einsum("ki,kij,kj->k", d, np.linalg.inv(ip.cov_en_m2), d)
    rate = np.mean(m2 <= ip.scale**2)
    half_width = 3.0 * np.sqrt(0.95 * 0.05 / n)  # binomial, 3σ
    assert abs(rate - 0.95) <= half_width
    # the stated impact-time sigma matches the spread of the predicted times over the draws (the standard
    # deviation of a sample of 600 normal values is within ±3 × σ/√(2n) ≈ 9 % of the truth)
    spread = np.std(ip.impact_t_s - sol.impact_t_s)
    assert np.mean(ip.time_to_impact_sigma_s) == pytest.approx(spread, rel=3.0 / np.sqrt(2 * n))
    assert abs(np.mean(ip.impact_t_s - sol.impact_t_s)) < 3.0 * spread / np.sqrt(n)


def test_error_ellipse_geometry():
    rng = np.random.default_rng(1)
    a = rng.normal(size=(50, 2, 2))
    cov = a @ a.transpose(0, 2, 1) + 0.1 * np.eye(2)
    major, minor, az = error_ellipse(cov, 0.95)
    k = np.sqrt(chi2.ppf(0.95, 2))
    w, v = np.linalg.eigh(cov)
    np.testing.assert_allclose(major, k * np.sqrt(w[:, 1]), rtol=1e-10)
    np.testing.assert_allclose(minor, k * np.sqrt(w[:, 0]), rtol=1e-10)
    # the major axis points along the leading eigenvector; (east, north) = (sin az, cos az)
    axis = np.stack([np.sin(np.radians(az)), np.cos(np.radians(az))], axis=-1)
    np.testing.assert_allclose(np.abs(np.einsum("ki,ki->k", axis, v[:, :, 1])), 1.0, atol=1e-9)
    assert np.all((az >= 0.0) & (az < 180.0))


def test_states_that_do_not_come_down_are_invalid(flight):
    sol, state = flight
    t = sol.burnout_t_s + 100.0
    x = np.stack([state(t), state(t)])
    x[1, 3:] *= 4.0  # ~13 km/s: escape speed, no impact
    ip = predict_impact(x, np.broadcast_to(np.eye(6), (2, 6, 6)), t)
    assert list(ip.valid) == [True, False]
    assert np.isnan(ip.impact_t_s[1]) and np.isfinite(ip.impact_t_s[0])


def test_a_covariance_with_nan_terms_gives_no_prediction_and_counts_must_match(flight):
    sol, state = flight
    t = sol.burnout_t_s + 100.0
    P = np.stack([np.eye(6), np.eye(6)])
    P[1, 2, 4] = P[1, 4, 2] = np.nan
    ip = predict_impact(np.stack([state(t), state(t)]), P, t)
    assert list(ip.valid) == [True, False]
    assert np.isnan([ip.impact_t_s[1], ip.semi_major_m[1], ip.impact_lat_deg[1]]).all()
    with pytest.raises(ValueError, match="one 6x6 covariance per state"):
        predict_impact(np.stack([state(t), state(t)]), np.eye(6), t)  # one covariance for two states


@pytest.mark.parametrize("altitude_m", [-500.0, 0.0, 1_000.0, 30_000.0])
def test_above_altitude_is_the_geodetic_altitude_test(altitude_m):
    """`above_altitude` against pymap3d's geodetic altitude of every point: points from 5 km below to 40 km
    above the ellipsoid at all latitudes (a band within 1 m of the threshold included), far ones, and NaN states
    (never above); positions alone as well as states; other shapes refused."""
    rng = np.random.default_rng(11)
    n = 6000
    lat, lon = rng.uniform(-90.0, 90.0, n), rng.uniform(-180.0, 180.0, n)
    alt = np.concatenate([rng.uniform(-5_000.0, 40_000.0, 4000), altitude_m + rng.uniform(-1.0, 1.0, 1500),
                          rng.uniform(1e5, 1e7, 500)])
    x = np.zeros((n + 2, 6))
    x[:n, :3] = np.column_stack(pymap3d.geodetic2ecef(lat, lon, alt))
    x[n:, :3] = np.nan
    h = np.concatenate([pymap3d.ecef2geodetic(x[:n, 0], x[:n, 1], x[:n, 2])[2], [np.nan, np.nan]])
    sure = np.abs(h - altitude_m) > 1e-6  # the two conversions agree to far better than this
    expected = h > altitude_m
    got = above_altitude(x, altitude_m)
    assert got.dtype == np.bool_ and np.array_equal(got[sure], expected[sure]) and sure.sum() > n - 10
    assert np.array_equal(above_altitude(x[:, :3], altitude_m), got)
    assert 0 < got.sum() < n
    with pytest.raises(ValueError, match="expected"):
        above_altitude(x[:, :2], altitude_m)
    with pytest.raises(ValueError, match="expected"):
        above_altitude(x[0], altitude_m)


def _flight_state(lat0, lon0, lat1, lon1, fraction):
    """ECEF state and time at `fraction` of the powered-flight-to-impact time of a solved flight."""
    sol = solve_ballistic(lat0, lon0, lat1, lon1)
    orbit = KeplerOrbits(sol.r_bo_eci_m[None], sol.v_bo_eci_mps[None], [sol.burnout_t_s])
    t = sol.burnout_t_s + fraction * (sol.impact_t_s - sol.burnout_t_s)
    r, v = orbit.states([t])
    re, ve = eci_state_to_ecef(r[0, 0], v[0, 0], t)
    return np.concatenate([re, ve]), t


@pytest.mark.parametrize("route", [(30.0, 10.0, 35.0, 25.0), (0.0, 0.0, 40.0, 60.0), (20.0, 40.0, 25.0, 42.0)])
def test_impact_jacobian_matches_finite_differences(route):
    """The Jacobian of the impact point and time against central differences of `impact_points` (1 m, 1 mm/s),
    from just after burnout to a second before impact."""
    for fraction in (0.01, 0.5, 0.9, 0.998):
        x, t = _flight_state(*route, fraction)
        t_imp, p_imp, jac = impact_jacobians(x, t)
        t_ref, p_ref = impact_points(x, t)
        assert t_imp[0] == t_ref[0] and np.array_equal(p_imp, p_ref)
        fd = np.empty((4, 6))
        for j, step in enumerate([1.0] * 3 + [1e-3] * 3):
            dx = np.zeros(6)
            dx[j] = step
            (tp,), (pp,) = impact_points(x + dx, t)
            (tm,), (pm,) = impact_points(x - dx, t)
            fd[:3, j], fd[3, j] = (pp - pm) / (2 * step), (tp - tm) / (2 * step)
        np.testing.assert_allclose(jac[0], fd, rtol=0, atol=1e-5 * np.abs(fd).max())


@pytest.mark.parametrize("fraction, sigmas", [(0.05, (3000.0, 60.0)), (0.5, (300.0, 5.0)), (0.9, (150.0, 3.0))])
def test_linearised_ellipse_matches_monte_carlo(fraction, sigmas):
    """Ellipse axes, azimuth, impact-time sigma and mean point against a seeded Monte Carlo of `impact_points`
    over N(x, P) (20,000 draws), from a 120 km ellipse just after burnout (as large as the saturation raid's
    largest) to a 900 m one near impact: within the sampling error (a standard deviation from n draws: ±1/√(2n)
    relative, here 4 such; a mean: 4σ/√n) plus the linearisation's own, checked below 0.5 % (1 % of σ for the
    mean: the linearised mean omits the second-order shift)."""
    x, t = _flight_state(30.0, 10.0, 35.0, 25.0, fraction)
    rng = np.random.default_rng(21)
    a = rng.normal(size=(6, 6)) * 0.3 + np.eye(6)
    scale = np.diag([sigmas[0]] * 3 + [sigmas[1]] * 3)
    P = scale @ (a @ a.T / 2.0) @ scale
    ip = predict_impact(x[None], P[None], t)
    n = 20_000
    t_mc, p_mc = impact_points(rng.multivariate_normal(x, P, size=n), t)
    assert np.isfinite(t_mc).all()
    lat, lon = ip.impact_lat_deg[0], ip.impact_lon_deg[0]
    e, nn, _ = pymap3d.ecef2enu(*p_mc.T, lat, lon, 0.0)
    d = np.stack([e, nn], axis=1)
    cov = np.cov(d.T, bias=True)
    major, minor, az = error_ellipse(cov)
    rel = 4.0 / np.sqrt(2 * n) + 0.005
    assert ip.semi_major_m[0] == pytest.approx(major, rel=rel)
    assert ip.semi_minor_m[0] == pytest.approx(minor, rel=rel)
    assert ip.time_to_impact_sigma_s[0] == pytest.approx(np.std(t_mc), rel=rel)
    assert abs(ip.major_axis_azimuth_deg[0] - az) < 1.0  # axes ratio 0.5-0.65: well defined
    # the mean point and time: the state's own impact, within the sampling error of the Monte Carlo mean
    sd = np.sqrt(np.diag(cov))
    assert np.all(np.abs(d.mean(axis=0)) < 4.0 * sd / np.sqrt(n) + 0.01 * sd)
    assert abs(ip.impact_t_s[0] - t_mc.mean()) < 4.0 * np.std(t_mc) / np.sqrt(n) + 0.01 * np.std(t_mc)
