"""Motion models: CV against its textbook matrices, the ballistic model against the Kepler flight and finite
differences, and the masked prediction of mixed batches."""

from __future__ import annotations

import numpy as np
import pytest

from amdx.flight import KeplerOrbits, solve_ballistic
from amdx.geo import WGS84, eci_state_to_ecef, geodetic_to_ecef
from amdx.tracking.models import (
    MotionModel,
    ballistic_acceleration,
    ballistic_gravity_gradient,
    ballistic_predict,
    ballistic_propagate,
    cv_predict,
    predict,
    predict_rows,
    white_noise_acceleration_q,
)


def _random_cov(rng, k, n):
    a = rng.normal(size=(k, n, n))
    return a @ a.transpose(0, 2, 1) + n * np.eye(n)


def _textbook_cv(dt, q):
    """F and Q of the discretised white-noise-acceleration model (Bar-Shalom, Li & Kirubarajan §6.2.2)."""
    i3 = np.eye(3)
    F = np.block([[i3, dt * i3], [0 * i3, i3]])
    Q = q * np.block([[dt**3 / 3 * i3, dt**2 / 2 * i3], [dt**2 / 2 * i3, dt * i3]])
    return F, Q


def test_cv_predict_is_f_p_ft_plus_q():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(7, 6)) * 1e3
    P = _random_cov(rng, 7, 6)
    dt = rng.uniform(0.1, 12.0, 7)
    x0, p0 = x.copy(), P.copy()
    xn, pn = cv_predict(x, P, dt, 3.5)
    for i in range(7):
        F, Q = _textbook_cv(dt[i], 3.5)
        np.testing.assert_allclose(xn[i], F @ x[i], rtol=1e-12, atol=1e-9)
        np.testing.assert_allclose(pn[i], F @ P[i] @ F.T + Q, rtol=1e-12, atol=1e-9)
    np.testing.assert_array_equal(x, x0)  # inputs untouched
    np.testing.assert_array_equal(P, p0)


def test_white_noise_q_matches_textbook():
    _, Q = _textbook_cv(4.0, 2.0)
    np.testing.assert_allclose(white_noise_acceleration_q(4.0, 2.0, 3), np.broadcast_to(Q, (3, 6, 6)))


def _kepler_truth(times_s):
    """ECEF states of a 1,500 km minimum-energy flight (solve_ballistic, Kepler free flight)."""
    sol = solve_ballistic(30.0, 10.0, 35.0, 25.0)
    orbit = KeplerOrbits(sol.r_bo_eci_m[None], sol.v_bo_eci_mps[None], [sol.burnout_t_s])
    r, v = orbit.states(times_s)
    re, ve = eci_state_to_ecef(r[0], v[0], times_s)
    return np.hstack([re, ve]), sol


def test_ballistic_model_follows_the_kepler_flight():
    t = np.arange(0.0, 600.0, 10.0)
    x, _ = _kepler_truth(t)
    xp, _ = ballistic_propagate(x[:-1], 10.0)
    assert np.max(np.linalg.norm(xp[:, :3] - x[1:, :3], axis=1)) < 1e-3  # m
    assert np.max(np.linalg.norm(xp[:, 3:] - x[1:, 3:], axis=1)) < 1e-5  # m/s
    # one long prediction (60 s, 12 sub-steps) stays on the orbit too
    xl, _ = ballistic_propagate(x[:1], 300.0)
    assert np.linalg.norm(xl[0, :3] - x[30, :3]) < 1e-2


def test_ballistic_acceleration_at_rest_on_the_equator():
    # at rest in ECEF on the equator: gravity −μ/r² plus the centrifugal ω² r, both radial (closed form)
    r = geodetic_to_ecef(0.0, 0.0, 0.0)[None]
    a = ballistic_acceleration(r, np.zeros((1, 3)))
    rr = WGS84.a_m
    assert a[0, 0] == pytest.approx(-WGS84.mu_m3_s2 / rr**2 + WGS84.omega_rad_s**2 * rr, rel=1e-12)
    assert abs(a[0, 1]) < 1e-12 and abs(a[0, 2]) < 1e-12


def test_ballistic_coriolis_term():
    # above the pole (r along z) gravity is along −z and the centrifugal term vanishes: the y component is
    # the Coriolis term −2ω×v alone, −2ω·1000 m/s for a velocity along +x
    r = np.array([[0.0, 0.0, 7.0e6]])
    v = np.array([[1000.0, 0.0, 0.0]])
    a = ballistic_acceleration(r, v)
    assert a[0, 1] == pytest.approx(-2.0 * WGS84.omega_rad_s * 1000.0, rel=1e-12)
    assert a[0, 0] == pytest.approx(0.0, abs=1e-12)


def test_gravity_gradient_matches_finite_differences_of_the_acceleration():
    r = np.array([[6.5e6, 1.2e6, 2.0e6], [-3.0e6, 4.0e6, 5.5e6]])
    grad = ballistic_gravity_gradient(r)
    v = np.zeros_like(r)
    for j in range(3):
        d = np.zeros(3)
        d[j] = 1.0
        num = (ballistic_acceleration(r + d, v) - ballistic_acceleration(r - d, v)) / 2.0
        np.testing.assert_allclose(grad[:, :, j], num, rtol=1e-6, atol=1e-12)
    np.testing.assert_array_equal(grad, grad.transpose(0, 2, 1))


def test_state_transition_matrix_matches_finite_differences():
    x, _ = _kepler_truth(np.array([150.0, 400.0]))
    _, phi = ballistic_propagate(x, 30.0)
    for row in range(2):
        num = np.zeros((6, 6))
        for j in range(6):
            d = np.zeros(6)
            d[j] = 10.0 if j < 3 else 0.1
            plus, _ = ballistic_propagate(x[row:row + 1] + d, 30.0)
            minus, _ = ballistic_propagate(x[row:row + 1] - d, 30.0)
            num[:, j] = (plus - minus)[0] / (2 * d[j])
        np.testing.assert_allclose(phi[row], num, rtol=1e-6, atol=1e-7)


def _ballistic_rhs_with_stm(_t, y):
    """The ballistic equations of `models` written out independently: ẋ = [v, −μ r/|r|³ − 2ω×v − ω×(ω×r)] and
    Φ̇ = A Φ with A = ∂ẋ/∂x, for solve_ivp (state and row-major Φ in one vector of 42)."""
    mu, w = WGS84.mu_m3_s2, WGS84.omega_rad_s
    r, v = y[:3], y[3:6]
    omega = np.array([0.0, 0.0, w])
    rn = np.linalg.norm(r)
    acc = -mu * r / rn**3 - 2.0 * np.cross(omega, v) - np.cross(omega, np.cross(omega, r))
    cross = np.array([[0.0, -w, 0.0], [w, 0.0, 0.0], [0.0, 0.0, 0.0]])  # [ω×]
    A = np.zeros((6, 6))
    A[:3, 3:] = np.eye(3)
    A[3:, :3] = -mu / rn**3 * (np.eye(3) - 3.0 * np.outer(r, r) / rn**2) - cross @ cross
    A[3:, 3:] = -2.0 * cross
    return np.concatenate([v, acc, (A @ y[6:].reshape(6, 6)).ravel()])


@pytest.mark.parametrize("dt", [1.0, 10.0, -7.0, 60.0])
def test_compiled_prediction_matches_solve_ivp_on_the_ballistic_equations(dt):
    from scipy.integrate import solve_ivp

    x, _ = _kepler_truth(np.array([60.0, 250.0, 480.0]))
    P = _random_cov(np.random.default_rng(8), 3, 6) * 100.0
    xn, pn = ballistic_predict(x, P, dt, 0.5)
    _, Q = _textbook_cv(dt, 0.5)
    for i in range(3):
        sol = solve_ivp(_ballistic_rhs_with_stm, (0.0, dt), np.concatenate([x[i], np.eye(6).ravel()]),
                        method="DOP853", rtol=1e-12, atol=1e-9)
        ref_x, phi = sol.y[:6, -1], sol.y[6:, -1].reshape(6, 6)
        np.testing.assert_allclose(xn[i, :3], ref_x[:3], rtol=0, atol=1e-4)  # m
        np.testing.assert_allclose(xn[i, 3:], ref_x[3:], rtol=0, atol=1e-6)  # m/s
        np.testing.assert_allclose(pn[i], phi @ P[i] @ phi.T + Q, rtol=1e-8, atol=1e-8 * np.abs(pn[i]).max())


def test_ballistic_predict_covariance_is_phi_p_phit_plus_q():
    x, _ = _kepler_truth(np.array([200.0]))
    P = _random_cov(np.random.default_rng(3), 1, 6)
    _, phi = ballistic_propagate(x, 8.0)
    _, pn = ballistic_predict(x, P, 8.0, 0.5)
    _, Q = _textbook_cv(8.0, 0.5)
    np.testing.assert_allclose(pn[0], phi[0] @ P[0] @ phi[0].T + Q, rtol=1e-10)


def test_predict_splits_by_model_code():
    x, _ = _kepler_truth(np.array([100.0, 200.0, 300.0]))
    P = _random_cov(np.random.default_rng(4), 3, 6)
    model = np.array([MotionModel.BALLISTIC, MotionModel.CONSTANT_VELOCITY, MotionModel.BALLISTIC])
    xn, pn = predict(x, P, model, 5.0, 2.0, 0.1)
    xc, pc = cv_predict(x[1:2], P[1:2], 5.0, 2.0)
    xb, pb = ballistic_predict(x[[0, 2]], P[[0, 2]], 5.0, 0.1)
    np.testing.assert_array_equal(xn[1:2], xc)
    np.testing.assert_array_equal(pn[1:2], pc)
    np.testing.assert_array_equal(xn[[0, 2]], xb)
    np.testing.assert_array_equal(pn[[0, 2]], pb)
    # the ballistic rows land on the Kepler flight 5 s later, the CV row on the straight line
    later, _ = _kepler_truth(np.array([105.0, 205.0, 305.0]))
    assert np.max(np.linalg.norm(xn[[0, 2], :3] - later[[0, 2], :3], axis=1)) < 1e-3
    np.testing.assert_allclose(xn[1, :3], x[1, :3] + 5.0 * x[1, 3:], rtol=1e-14)


def test_predict_rows_predicts_each_row_in_place_as_it_would_be_predicted_alone():
    x, _ = _kepler_truth(np.array([100.0, 200.0, 300.0, 400.0]))
    P = _random_cov(np.random.default_rng(5), 4, 6)
    model = np.array([MotionModel.BALLISTIC, MotionModel.CONSTANT_VELOCITY, MotionModel.BALLISTIC,
                      MotionModel.BALLISTIC], dtype=np.int8)
    xr, pr = x.copy(), P.copy()
    rows, steps = np.array([2, 0, 1]), np.array([12.0, 1.0, 7.0])  # sub-steps of their own: 3, 1 and CV
    predict_rows(xr, pr, model, rows, steps, 2.0, 0.1)
    for r, dt in zip(rows, steps, strict=True):
        xa, pa = predict(x[r:r + 1], P[r:r + 1], model[r:r + 1], dt, 2.0, 0.1)
        np.testing.assert_array_equal(xr[r], xa[0])
        np.testing.assert_array_equal(pr[r], pa[0])
    np.testing.assert_array_equal(xr[3], x[3])  # a row not given is untouched
    np.testing.assert_array_equal(pr[3], P[3])
    later, _ = _kepler_truth(np.array([312.0]))  # and the 12 s ballistic step lands on the Kepler flight
    assert np.linalg.norm(xr[2, :3] - later[0, :3]) < 1e-3
    with pytest.raises(IndexError):
        predict_rows(xr, pr, model, [4], [1.0], 2.0, 0.1)
    with pytest.raises(ValueError):
        predict_rows(xr[:, :3], pr, model, [0], [1.0], 2.0, 0.1)
    with pytest.raises(ValueError, match="distinct"):
        predict_rows(xr, pr, model, [1, 1], [1.0, 1.0], 2.0, 0.1)


def test_rows_fault_matches_the_plain_rule():
    """`rows_fault` against the plain-Python rule: 1 for an index outside [0, n), else 2 for a repeat when
    distinct rows are asked for, else 0."""
    from amdx.tracking.motion_kernels import rows_fault

    def rule(rows, n, distinct):
        if any(not 0 <= r < n for r in rows):
            return 1
        return 2 if distinct and len(set(rows)) < len(rows) else 0

    rng = np.random.default_rng(5)
    for _ in range(300):
        n = int(rng.integers(0, 12))
        rows = rng.integers(-2, n + 2, size=int(rng.integers(0, 8))).tolist()
        for distinct in (True, False):
            assert rows_fault(np.array(rows, dtype=np.intp), n, distinct) == rule(rows, n, distinct)


@pytest.mark.parametrize("k", [31, 32, 33, 70])
def test_chunked_prediction_of_many_rows_against_solve_ivp(k):
    """Ballistic rows go through the compiled prediction by chunks of 32 tracks (`motion_kernels.CHUNK`): with k
    rows across chunk edges, in scrambled order with gaps and different sub-step counts, each row is predicted
    as solve_ivp integrates the ballistic equations and Φ P Φᵀ + Q, and exactly as it would be predicted alone."""
    from scipy.integrate import solve_ivp

    rng = np.random.default_rng(k)
    x, _ = _kepler_truth(rng.uniform(60.0, 480.0, k + 3))
    P = _random_cov(rng, k + 3, 6) * 100.0
    model = np.full(k + 3, MotionModel.BALLISTIC, dtype=np.int8)
    rows = rng.permutation(k + 3)[:k]  # three rows left out
    steps = rng.choice([1.0, 2.5, 7.0], k)  # 1, 2 or 3 sub-steps of at most 3 s
    xr, pr = x.copy(), P.copy()
    predict_rows(xr, pr, model, rows, steps, 2.0, 0.5, max_substep_s=3.0)
    for m in sorted({0, k // 2, k - 1, *range(30, min(k, 34))}):
        r, dt = rows[m], steps[m]
        sol = solve_ivp(_ballistic_rhs_with_stm, (0.0, dt), np.concatenate([x[r], np.eye(6).ravel()]),
                        method="DOP853", rtol=1e-12, atol=1e-9)
        phi = sol.y[6:, -1].reshape(6, 6)
        _, Q = _textbook_cv(dt, 0.5)
        np.testing.assert_allclose(xr[r, :3], sol.y[:3, -1], rtol=0, atol=1e-4)
        np.testing.assert_allclose(pr[r], phi @ P[r] @ phi.T + Q, rtol=1e-7, atol=1e-8 * np.abs(pr[r]).max())
    for r, dt in zip(rows, steps, strict=True):
        xa, pa = predict(x[r:r + 1], P[r:r + 1], model[r:r + 1], dt, 2.0, 0.5, max_substep_s=3.0)
        np.testing.assert_array_equal(xr[r], xa[0])
        np.testing.assert_array_equal(pr[r], pa[0])
    left = np.setdiff1d(np.arange(k + 3), rows)
    np.testing.assert_array_equal(xr[left], x[left])
