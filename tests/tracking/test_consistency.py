"""Filter consistency: average NEES and NIS over N = 50 Monte Carlo runs inside the 95 % χ² intervals of
refs/physics.md §4, for the constant-velocity model (truth from the same linear model) and the ballistic model
(truth: a solve_ballistic Kepler flight seen by a radar), and the harness self-test (P × 4 → below,
P × 0.25 → above).

All runs are one batch for the batched filter. The averages ε̄ are taken at `N_CHECKPOINTS` time steps, each
over its own group of 50 independent runs: successive steps of the same runs are strongly correlated (the
ballistic truth has no process noise, so an estimate's error barely changes from one scan to the next), while
independent groups make "inside the interval for about 95 % of the steps" a binomial count (refs §4)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import chi2

from amdx.flight import KeplerOrbits, solve_ballistic
from amdx.geo import eci_state_to_ecef, enu_basis, geodetic_to_ecef
from amdx.tracking.filters import BatchEKF
from amdx.tracking.models import MotionModel

N_RUNS = 50
N_CHECKPOINTS = 40
NEES_BOUNDS_6DOF_N50 = (5.078, 6.997)  # refs/physics.md §4 table, dof 6, N = 50
NIS_BOUNDS_3DOF_N50 = (2.360, 3.716)  # refs/physics.md §4 table, dof 3, N = 50
MIN_FRACTION_INSIDE = 0.85  # "about 95 % of the time steps" (refs §4): P(Bin(40, 0.05) > 6) < 1 %


def test_table_bounds_are_the_chi2_quantiles():
    # refs/physics.md §4: [χ²_{Nn}(0.025)/N, χ²_{Nn}(0.975)/N], tolerance ±0.001 (refs §7)
    for (lo, hi), dof in ((NEES_BOUNDS_6DOF_N50, 6), (NIS_BOUNDS_3DOF_N50, 3)):
        assert chi2.ppf(0.025, N_RUNS * dof) / N_RUNS == pytest.approx(lo, abs=1e-3)
        assert chi2.ppf(0.975, N_RUNS * dof) / N_RUNS == pytest.approx(hi, abs=1e-3)


def _nees(err, P):
    return np.einsum("ki,kij,kj->k", err, np.linalg.inv(P), err)


def _radar_cov(pos, radar, sigma_r=30.0, sigma_ang=1.5e-3):
    """ECEF covariance of a position measured in range and two angles (polar noise, first order)."""
    los = pos - radar
    rng = np.linalg.norm(los, axis=-1, keepdims=True)
    u = los / rng
    a = np.cross(u, np.array([0.0, 0.0, 1.0]))
    a /= np.linalg.norm(a, axis=-1, keepdims=True)
    b = np.cross(u, a)
    basis = np.stack([u, a, b], axis=-1)  # columns: range, two cross-range directions
    d = np.stack([np.full(rng[..., 0].shape, sigma_r**2), (rng[..., 0] * sigma_ang) ** 2,
                  (rng[..., 0] * sigma_ang) ** 2], axis=-1)
    return np.einsum("...ij,...j,...kj->...ik", basis, d, basis)


def _run_filter(ekf, model, x0, P0, truth, times, R_seq, rng):
    """Run N batched filters on one truth (N, K, 6) with measurements drawn per run; return per-step
    (NEES (K, N), NIS (K, N), P (K, N, 6, 6), errors (K, N, 6))."""
    n = x0.shape[0]
    x = x0 + np.einsum("ij,kj->ki", np.linalg.cholesky(P0), rng.normal(size=(n, 6)))
    P = np.broadcast_to(P0, (n, 6, 6)).copy()
    models = np.full(n, model)
    out_nees, out_nis, out_p, out_e = [], [], [], []
    for k in range(1, len(times)):
        x, P = ekf.predict(x, P, models, times[k] - times[k - 1])
        R = R_seq[k]
        z = truth[:, k, :3] + np.einsum("kij,kj->ki", np.linalg.cholesky(R), rng.normal(size=(n, 3)))
        res = ekf.update(x, P, z, R)
        x, P = res.x, res.P
        err = truth[:, k] - x
        out_nees.append(_nees(err, P))
        out_nis.append(res.nis)
        out_p.append(P)
        out_e.append(err)
    return np.array(out_nees), np.array(out_nis), np.array(out_p), np.array(out_e)


def _fraction_inside(avg, bounds):
    return float(np.mean((avg >= bounds[0]) & (avg <= bounds[1])))


def _checkpoint_means(stat):
    """ε̄ at N_CHECKPOINTS steps spread over the run, step j averaged over run group j (N_RUNS runs)."""
    steps = np.linspace(0, stat.shape[0] - 1, N_CHECKPOINTS).round().astype(int)
    groups = stat[steps].reshape(N_CHECKPOINTS, N_CHECKPOINTS, N_RUNS)
    return groups[np.arange(N_CHECKPOINTS), np.arange(N_CHECKPOINTS)].mean(axis=1)


def _cv_runs(seed):
    rng = np.random.default_rng(seed)
    q, dt, steps = 5.0, 2.0, 60
    i3 = np.eye(3)
    F = np.block([[i3, dt * i3], [0 * i3, i3]])
    Q = q * np.block([[dt**3 / 3 * i3, dt**2 / 2 * i3], [dt**2 / 2 * i3, dt * i3]])
    start = np.concatenate([geodetic_to_ecef(45.0, 7.0, 8000.0), [150.0, -200.0, 20.0]])
    n = N_RUNS * N_CHECKPOINTS
    truth = np.empty((n, steps, 6))
    truth[:, 0] = start
    lq = np.linalg.cholesky(Q)
    for k in range(1, steps):
        truth[:, k] = truth[:, k - 1] @ F.T + rng.normal(size=(n, 6)) @ lq.T
    radar = geodetic_to_ecef(44.0, 6.0, 0.0)
    R_seq = _radar_cov(truth[:, :, :3], radar).transpose(1, 0, 2, 3)
    P0 = np.diag([300.0**2] * 3 + [50.0**2] * 3)
    ekf = BatchEKF(q_cv_m2_s3=q)
    return _run_filter(ekf, MotionModel.CONSTANT_VELOCITY, truth[:, 0], P0, truth, dt * np.arange(steps),
                       R_seq, rng)


def _ballistic_runs(seed):
    rng = np.random.default_rng(seed)
    sol = solve_ballistic(30.0, 10.0, 35.0, 25.0)  # 1,500 km, minimum energy, rotating WGS84
    times = sol.burnout_t_s + 100.0 + 5.0 * np.arange(80)  # 400 s of mid-course, a scan every 5 s
    orbit = KeplerOrbits(sol.r_bo_eci_m[None], sol.v_bo_eci_mps[None], [sol.burnout_t_s])
    r, v = orbit.states(times)
    re, ve = eci_state_to_ecef(r[0], v[0], times)
    n = N_RUNS * N_CHECKPOINTS
    truth = np.broadcast_to(np.hstack([re, ve]), (n, times.size, 6))
    radar = geodetic_to_ecef(33.0, 20.0, 0.0)
    R_seq = np.broadcast_to(_radar_cov(re, radar)[:, None], (times.size, n, 3, 3))
    P0 = np.diag([1000.0**2] * 3 + [100.0**2] * 3)
    ekf = BatchEKF(q_ballistic_m2_s3=0.0)  # the Kepler truth has no process noise
    return _run_filter(ekf, MotionModel.BALLISTIC, truth[:, 0], P0, truth, times, R_seq, rng)


@pytest.fixture(scope="module")
def cv_runs():
    return _cv_runs(11)


@pytest.fixture(scope="module")
def ballistic_runs():
    return _ballistic_runs(12)


@pytest.mark.parametrize("which", ["cv", "ballistic"])
def test_average_nees_inside_chi2_bounds(which, cv_runs, ballistic_runs):
    avg = _checkpoint_means((cv_runs if which == "cv" else ballistic_runs)[0])
    assert _fraction_inside(avg, NEES_BOUNDS_6DOF_N50) >= MIN_FRACTION_INSIDE
    assert NEES_BOUNDS_6DOF_N50[0] <= avg.mean() <= NEES_BOUNDS_6DOF_N50[1]


@pytest.mark.parametrize("which", ["cv", "ballistic"])
def test_average_nis_inside_chi2_bounds(which, cv_runs, ballistic_runs):
    avg = _checkpoint_means((cv_runs if which == "cv" else ballistic_runs)[1])
    assert _fraction_inside(avg, NIS_BOUNDS_3DOF_N50) >= MIN_FRACTION_INSIDE
    assert NIS_BOUNDS_3DOF_N50[0] <= avg.mean() <= NIS_BOUNDS_3DOF_N50[1]


@pytest.mark.parametrize("which", ["cv", "ballistic"])
def test_harness_fails_in_the_right_direction(which, cv_runs, ballistic_runs):
    # refs/physics.md §4 self-test: inflating P (× 4) must read pessimistic (below the interval),
    # deflating it (× 0.25) optimistic (above)
    _, _, P, err = cv_runs if which == "cv" else ballistic_runs
    flat_e, flat_p = err.reshape(-1, 6), P.reshape(-1, 6, 6)
    for factor, side in ((4.0, "below"), (0.25, "above")):
        avg = _checkpoint_means(_nees(flat_e, factor * flat_p).reshape(err.shape[:2]))
        assert _fraction_inside(avg, NEES_BOUNDS_6DOF_N50) < 0.2
        if side == "below":
            assert np.mean(avg < NEES_BOUNDS_6DOF_N50[0]) > 0.8
        else:
            assert np.mean(avg > NEES_BOUNDS_6DOF_N50[1]) > 0.8


def test_radar_covariance_helper_is_polar():
    # the helper's R has the range variance along the line of sight (self-check of the test's own tool)
    radar = geodetic_to_ecef(0.0, 0.0, 0.0)
    pos = radar + 1e5 * enu_basis(0.0, 0.0)[0]  # due east
    R = _radar_cov(pos, radar)
    u = (pos - radar) / 1e5
    assert u @ R @ u == pytest.approx(30.0**2)
    assert np.trace(R) == pytest.approx(30.0**2 + 2 * (1e5 * 1.5e-3) ** 2)
