"""Motion models for batches of 6-state ECEF tracks: constant velocity, ballistic (gravity, rotating frame).

State: x = [x y z vx vy vz], ECEF (frame of `amdx.geo`), m and m/s; covariance P (k, 6, 6) in the same units.
Every function is batched over k tracks (leading axis), pure (inputs never mutated) and vectorised; the time
step `dt_s` is a scalar or one value per track (k,), s, and may be zero.

- **Constant velocity (CV)**: x(t + dt) = [r + v dt, v]; process noise is white-noise acceleration of spectral
  density q (m²/s³) on each axis (Bar-Shalom, Li & Kirubarajan 2001, §6.2.2):
  Q = q [[dt³/3 I, dt²/2 I], [dt²/2 I, dt I]]. The covariance is propagated block-wise
  (F = [[I, dt I], [0, I]] makes F P Fᵀ a few elementwise operations on 3×3 blocks): 10,000 tracks stay cheap.
- **Ballistic**: two-body gravity seen from the rotating ECEF frame,
  a = −μ r/|r|³ − 2ω×v − ω×(ω×r), ω = ω ẑ (no J2, no drag). Propagated by `n` equal RK4 sub-steps of at most
  `max_substep_s`, integrating the state-transition matrix Φ (dΦ/dt = A(x) Φ, A the Jacobian of the dynamics)
  alongside the state, so the EKF covariance prediction is P' = Φ P Φᵀ + Q with the same white-noise Q as CV
  (spectral density `q`, standing for unmodelled accelerations: J2, drag, manoeuvres).

Model codes (`MotionModel`) are small ints stored per track; `predict` propagates both groups with masks.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np
from numpy.typing import ArrayLike, NDArray

from amdx.geo import WGS84, EarthModel

_Array = NDArray[np.float64]

DEFAULT_MAX_SUBSTEP_S = 5.0
"""Longest RK4 sub-step of the ballistic model, s (against the Kepler solution of a 1,500 km flight: below
1e-6 m of position error per 10 s step)."""


class MotionModel(IntEnum):
    """Motion model code carried by each track."""

    CONSTANT_VELOCITY = 0
    BALLISTIC = 1


def _dt_column(dt_s: ArrayLike, k: int) -> _Array:
    """Time steps as a (k,) float array."""
    return np.broadcast_to(np.asarray(dt_s, dtype=np.float64), (k,))


def white_noise_acceleration_q(dt_s: ArrayLike, q_m2_s3: ArrayLike, k: int) -> _Array:
    """Process noise Q (k, 6, 6) of white-noise acceleration with spectral density q (m²/s³, scalar or (k,)),
    over time steps dt_s (s, scalar or (k,)): Q = q [[dt³/3 I, dt²/2 I], [dt²/2 I, dt I]]."""
    dt = _dt_column(dt_s, k)
    q = np.broadcast_to(np.asarray(q_m2_s3, dtype=np.float64), (k,))
    out = np.zeros((k, 6, 6))
    i3 = np.arange(3)
    out[:, i3, i3] = (q * dt**3 / 3.0)[:, None]
    out[:, i3, i3 + 3] = (q * dt**2 / 2.0)[:, None]
    out[:, i3 + 3, i3] = (q * dt**2 / 2.0)[:, None]
    out[:, i3 + 3, i3 + 3] = (q * dt)[:, None]
    return out


def cv_predict(x: ArrayLike, P: ArrayLike, dt_s: ArrayLike, q_m2_s3: ArrayLike) -> tuple[_Array, _Array]:
    """Constant-velocity prediction of states x (k, 6) and covariances P (k, 6, 6) over dt_s (s).

    Returns (x', P') with x' = F x and P' = F P Fᵀ + Q, F = [[I, dt I], [0, I]], Q from
    `white_noise_acceleration_q`. The result P' is exactly symmetric when P is.
    """
    x = np.asarray(x, dtype=np.float64)
    P = np.asarray(P, dtype=np.float64)
    k = x.shape[0]
    dt = _dt_column(dt_s, k)
    d1 = dt[:, None, None]
    q = np.broadcast_to(np.asarray(q_m2_s3, dtype=np.float64), (k,))
    x_new = np.empty_like(x)
    x_new[:, :3] = x[:, :3] + dt[:, None] * x[:, 3:]
    x_new[:, 3:] = x[:, 3:]
    a, b, bt, c = P[:, :3, :3], P[:, :3, 3:], P[:, 3:, :3], P[:, 3:, 3:]
    p_new = np.empty_like(P)
    b_new = b + d1 * c
    p_new[:, :3, :3] = a + d1 * (b + bt) + d1 * d1 * c
    p_new[:, :3, 3:] = b_new
    p_new[:, 3:, :3] = bt + d1 * c
    p_new[:, 3:, 3:] = c
    i3 = np.arange(3)
    p_new[:, i3, i3] += (q * dt**3 / 3.0)[:, None]
    p_new[:, i3, i3 + 3] += (q * dt**2 / 2.0)[:, None]
    p_new[:, i3 + 3, i3] += (q * dt**2 / 2.0)[:, None]
    p_new[:, i3 + 3, i3 + 3] += (q * dt)[:, None]
    return x_new, p_new


def ballistic_acceleration(r_m: ArrayLike, v_mps: ArrayLike, earth: EarthModel = WGS84) -> _Array:
    """Acceleration (k, 3), m/s², of a body in two-body gravity seen from the rotating ECEF frame:
    a = −μ r/|r|³ − 2ω×v − ω×(ω×r) with ω = ω ẑ (positions r (k, 3) m, velocities v (k, 3) m/s, ECEF)."""
    r = np.asarray(r_m, dtype=np.float64)
    v = np.asarray(v_mps, dtype=np.float64)
    r2 = np.einsum("ij,ij->i", r, r)
    return _acceleration(r, v, earth.mu_m3_s2 / (r2 * np.sqrt(r2)), earth)


def _acceleration(r: _Array, v: _Array, k3: _Array, earth: EarthModel) -> _Array:
    """`ballistic_acceleration` given k3 = μ/|r|³ (k,)."""
    w = earth.omega_rad_s
    g = (-k3)[:, None] * r
    # x: 2ω v_y + ω² x, y: −2ω v_x + ω² y (Coriolis and centrifugal), both rows in one operation
    g[:, :2] += _CORIOLIS * w * v[:, 1::-1] + w * w * r[:, :2]
    return g


_CORIOLIS = np.array([2.0, -2.0])
"""The signs and factor of the Coriolis terms of the x and y accelerations (times ω and v_y, v_x)."""


def ballistic_gravity_gradient(r_m: ArrayLike, earth: EarthModel = WGS84) -> _Array:
    """∂a/∂r (k, 3, 3), 1/s², of `ballistic_acceleration`: −μ/|r|³ (I − 3 r̂ r̂ᵀ) + ω² diag(1, 1, 0).
    (∂a/∂v is the constant −2[ω×] = [[0, 2ω, 0], [−2ω, 0, 0], [0, 0, 0]].)"""
    r = np.asarray(r_m, dtype=np.float64)
    r2 = np.einsum("ij,ij->i", r, r)
    return _gravity_gradient(r, r2, earth.mu_m3_s2 / (r2 * np.sqrt(r2)), earth)


def _gravity_gradient(r: _Array, r2: _Array, k3: _Array, earth: EarthModel) -> _Array:
    """`ballistic_gravity_gradient` given r2 = |r|² and k3 = μ/|r|³ (k,)."""
    out = (3.0 * k3 / r2)[:, None, None] * (r[:, :, None] * r[:, None, :])
    flat = out.reshape(-1, 9)  # a view: its columns 0, 4, 8 are the diagonal
    flat[:, ::4] -= k3[:, None]
    flat[:, :5:4] += earth.omega_rad_s**2
    return out


def _state_derivative(x: _Array, earth: EarthModel) -> tuple[_Array, _Array, _Array]:
    """(ẋ, |r|², μ/|r|³) of ballistic states x (k, 6): the quantities the STM's derivative shares."""
    r, v = x[:, :3], x[:, 3:]
    r2 = np.einsum("ij,ij->i", r, r)
    k3 = earth.mu_m3_s2 / (r2 * np.sqrt(r2))
    xdot = np.empty_like(x)
    xdot[:, :3] = v
    xdot[:, 3:] = _acceleration(r, v, k3, earth)
    return xdot, r2, k3


def _derivatives(x: _Array, phi: _Array, earth: EarthModel) -> tuple[_Array, _Array]:
    """(ẋ, Φ̇ = A Φ) for the ballistic model; A = [[0, I], [G, W]], W = −2[ω×]."""
    xdot, r2, k3 = _state_derivative(x, earth)
    r = x[:, :3]
    phi_p, phi_v = phi[:, :3, :], phi[:, 3:, :]
    phidot = np.empty_like(phi)
    phidot[:, :3, :] = phi_v
    lower = _gravity_gradient(r, r2, k3, earth) @ phi_p
    lower[:, :2, :] += (_CORIOLIS * earth.omega_rad_s)[:, None] * phi_v[:, 1::-1, :]
    phidot[:, 3:, :] = lower
    return xdot, phidot


def _derivatives_at_identity(x: _Array, earth: EarthModel) -> tuple[_Array, _Array]:
    """`_derivatives` where Φ = I (the first stage of a step): Φ̇ = A itself, [[0, I], [G, W]], without the
    products by the identity."""
    xdot, r2, k3 = _state_derivative(x, earth)
    r = x[:, :3]
    phidot = np.zeros((x.shape[0], 6, 6))
    phidot[:, :3, 3:] = np.eye(3)
    phidot[:, 3:, :3] = _gravity_gradient(r, r2, k3, earth)
    w2 = 2.0 * earth.omega_rad_s
    phidot[:, 3, 4] = w2
    phidot[:, 4, 3] = -w2
    return xdot, phidot


def ballistic_propagate(x: ArrayLike, dt_s: ArrayLike, earth: EarthModel = WGS84,
                        max_substep_s: float = DEFAULT_MAX_SUBSTEP_S) -> tuple[_Array, _Array]:
    """Ballistic states x (k, 6) propagated over dt_s (s, scalar or (k,), may be negative) by RK4.

    All tracks take the same number of sub-steps, ceil(max|dt| / max_substep_s), each track its own length
    dt/n. Returns (x' (k, 6), Φ (k, 6, 6)), Φ = ∂x'/∂x the state-transition matrix integrated with the state.
    """
    x0 = np.array(x, dtype=np.float64)
    k = x0.shape[0]
    dt = _dt_column(dt_s, k)
    phi = np.broadcast_to(np.eye(6), (k, 6, 6)).copy()
    if k == 0:
        return x0, phi
    n = max(1, int(np.ceil(np.max(np.abs(dt)) / max_substep_s)))
    h = dt / n
    h1, h3 = h[:, None], h[:, None, None]
    xs = x0
    for i in range(n):
        k1x, k1p = _derivatives_at_identity(xs, earth) if i == 0 else _derivatives(xs, phi, earth)
        k2x, k2p = _derivatives(xs + 0.5 * h1 * k1x, phi + 0.5 * h3 * k1p, earth)
        k3x, k3p = _derivatives(xs + 0.5 * h1 * k2x, phi + 0.5 * h3 * k2p, earth)
        k4x, k4p = _derivatives(xs + h1 * k3x, phi + h3 * k3p, earth)
        xs = xs + h1 / 6.0 * (k1x + 2.0 * k2x + 2.0 * k3x + k4x)
        phi = phi + h3 / 6.0 * (k1p + 2.0 * k2p + 2.0 * k3p + k4p)
    return xs, phi


def ballistic_predict(x: ArrayLike, P: ArrayLike, dt_s: ArrayLike, q_m2_s3: ArrayLike,
                      earth: EarthModel = WGS84,
                      max_substep_s: float = DEFAULT_MAX_SUBSTEP_S) -> tuple[_Array, _Array]:
    """EKF prediction, ballistic model: x' by RK4, P' = Φ P Φᵀ + Q (white-noise acceleration q, m²/s³).
    States (k, 6) and covariances (k, 6, 6), ECEF; dt_s in s (scalar or (k,))."""
    P = np.asarray(P, dtype=np.float64)
    x_new, phi = ballistic_propagate(x, dt_s, earth, max_substep_s)
    p_new = phi @ P @ phi.transpose(0, 2, 1)
    p_new = 0.5 * (p_new + p_new.transpose(0, 2, 1))
    return x_new, p_new + white_noise_acceleration_q(dt_s, q_m2_s3, x_new.shape[0])


def predict(x: ArrayLike, P: ArrayLike, model: ArrayLike, dt_s: ArrayLike, q_cv_m2_s3: float,
            q_ballistic_m2_s3: float, earth: EarthModel = WGS84,
            max_substep_s: float = DEFAULT_MAX_SUBSTEP_S) -> tuple[_Array, _Array]:
    """Predict every track with its own model (`model` (k,) of `MotionModel` codes) over dt_s (s).

    States (k, 6), covariances (k, 6, 6), ECEF. Tracks are split by model with masks; each group is propagated
    in one batched call. Returns new arrays (inputs untouched).
    """
    x = np.asarray(x, dtype=np.float64)
    P = np.asarray(P, dtype=np.float64)
    code = np.asarray(model)
    k = x.shape[0]
    dt = _dt_column(dt_s, k)
    x_new = np.empty_like(x)
    p_new = np.empty_like(P)
    ball = code == MotionModel.BALLISTIC
    cv = ~ball
    if cv.all():
        return cv_predict(x, P, dt, q_cv_m2_s3)
    if cv.any():
        x_new[cv], p_new[cv] = cv_predict(x[cv], P[cv], dt[cv], q_cv_m2_s3)
    x_new[ball], p_new[ball] = ballistic_predict(x[ball], P[ball], dt[ball], q_ballistic_m2_s3, earth,
                                                 max_substep_s)
    return x_new, p_new
