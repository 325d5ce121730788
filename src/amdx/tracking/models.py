"""Motion models for batches of 6-state ECEF tracks: constant velocity, ballistic (gravity, rotating frame).

State: x = [x y z vx vy vz], ECEF (frame of `amdx.geo`), m and m/s; covariance P (k, 6, 6) in the same units.
Every function is batched over k tracks (leading axis) and pure (inputs never mutated); the time
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

Model codes (`MotionModel`) are small ints stored per track; `predict` propagates each track with its own model
in one pass. The arithmetic runs in compiled kernels (`amdx.tracking.motion_kernels`): one loop over tracks
with each 6×6 problem in scratch arrays, about 10x less time than the former numpy form on a few thousand tracks.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np
from numpy.typing import ArrayLike, NDArray

from amdx.geo import WGS84, EarthModel
from amdx.tracking.motion_kernels import (
    ballistic_propagate_kernel,
    dynamics_kernel,
    predict_kernel,
    predict_rows_kernel,
    rows_fault,
    white_noise_q_kernel,
)

_Array = NDArray[np.float64]

DEFAULT_MAX_SUBSTEP_S = 5.0
"""Longest RK4 sub-step of the ballistic model, s (against the Kepler solution of a 1,500 km flight: below
1e-6 m of position error per 10 s step)."""


class MotionModel(IntEnum):
    """Motion model code carried by each track."""

    CONSTANT_VELOCITY = 0
    BALLISTIC = 1


def _per_track(dt_s: ArrayLike, k: int) -> _Array:
    """A scalar or (k,) value (time step, spectral density) as a (k,) contiguous float array."""
    a = np.asarray(dt_s, dtype=np.float64)
    return np.ascontiguousarray(a if a.shape == (k,) else np.broadcast_to(a, (k,)))


def _states(x: ArrayLike) -> _Array:
    return np.ascontiguousarray(x, dtype=np.float64).reshape(-1, 6)


def _covariances(P: ArrayLike) -> _Array:
    return np.ascontiguousarray(P, dtype=np.float64).reshape(-1, 6, 6)


def white_noise_acceleration_q(dt_s: ArrayLike, q_m2_s3: ArrayLike, k: int) -> _Array:
    """Process noise Q (k, 6, 6) of white-noise acceleration with spectral density q (m²/s³, scalar or (k,)),
    over time steps dt_s (s, scalar or (k,)): Q = q [[dt³/3 I, dt²/2 I], [dt²/2 I, dt I]]."""
    return white_noise_q_kernel(_per_track(dt_s, k), _per_track(q_m2_s3, k))


def _predict(x: _Array, P: _Array, ballistic: NDArray[np.bool_], dt_s: ArrayLike, q_m2_s3: ArrayLike,
             earth: EarthModel, max_substep_s: float) -> tuple[_Array, _Array]:
    """The one call of the prediction kernel (k tracks, each with its model and spectral density)."""
    k = x.shape[0]
    if P.shape[0] != k:
        raise ValueError(f"{k} states but {P.shape[0]} covariances")
    dt = _per_track(dt_s, k)
    if not np.isfinite(dt).all():
        raise ValueError("time steps must be finite")
    return predict_kernel(x, P, ballistic, dt, _per_track(q_m2_s3, k), earth.mu_m3_s2, earth.omega_rad_s,
                          float(max_substep_s))


def cv_predict(x: ArrayLike, P: ArrayLike, dt_s: ArrayLike, q_m2_s3: ArrayLike) -> tuple[_Array, _Array]:
    """Constant-velocity prediction of states x (k, 6) and covariances P (k, 6, 6) over dt_s (s).

    Returns (x', P') with x' = F x and P' = F P Fᵀ + Q, F = [[I, dt I], [0, I]], Q from
    `white_noise_acceleration_q`. The result P' is exactly symmetric when P is.
    """
    xx = _states(x)
    return _predict(xx, _covariances(P), np.zeros(xx.shape[0], dtype=bool), dt_s, q_m2_s3, WGS84,
                    DEFAULT_MAX_SUBSTEP_S)


def ballistic_acceleration(r_m: ArrayLike, v_mps: ArrayLike, earth: EarthModel = WGS84) -> _Array:
    """Acceleration (k, 3), m/s², of a body in two-body gravity seen from the rotating ECEF frame:
    a = −μ r/|r|³ − 2ω×v − ω×(ω×r) with ω = ω ẑ (positions r (k, 3) m, velocities v (k, 3) m/s, ECEF)."""
    r = np.ascontiguousarray(r_m, dtype=np.float64).reshape(-1, 3)
    v = np.ascontiguousarray(v_mps, dtype=np.float64).reshape(-1, 3)
    return dynamics_kernel(r, v, earth.mu_m3_s2, earth.omega_rad_s)[0]


def ballistic_gravity_gradient(r_m: ArrayLike, earth: EarthModel = WGS84) -> _Array:
    """∂a/∂r (k, 3, 3), 1/s², of `ballistic_acceleration`: −μ/|r|³ (I − 3 r̂ r̂ᵀ) + ω² diag(1, 1, 0).
    (∂a/∂v is the constant −2[ω×] = [[0, 2ω, 0], [−2ω, 0, 0], [0, 0, 0]].)"""
    r = np.ascontiguousarray(r_m, dtype=np.float64).reshape(-1, 3)
    return dynamics_kernel(r, np.zeros_like(r), earth.mu_m3_s2, earth.omega_rad_s)[1]


def ballistic_propagate(x: ArrayLike, dt_s: ArrayLike, earth: EarthModel = WGS84,
                        max_substep_s: float = DEFAULT_MAX_SUBSTEP_S) -> tuple[_Array, _Array]:
    """Ballistic states x (k, 6) propagated over dt_s (s, scalar or (k,), may be negative) by RK4.

    All tracks take the same number of sub-steps, ceil(max|dt| / max_substep_s), each track its own length
    dt/n. Returns (x' (k, 6), Φ (k, 6, 6)), Φ = ∂x'/∂x the state-transition matrix integrated with the state.
    """
    x0 = _states(x)
    dt = _per_track(dt_s, x0.shape[0])
    if x0.shape[0] == 0:
        return x0.copy(), np.zeros((0, 6, 6))
    n = max(1, int(np.ceil(np.max(np.abs(dt)) / max_substep_s)))
    return ballistic_propagate_kernel(x0, dt, n, earth.mu_m3_s2, earth.omega_rad_s)


def ballistic_predict(x: ArrayLike, P: ArrayLike, dt_s: ArrayLike, q_m2_s3: ArrayLike,
                      earth: EarthModel = WGS84,
                      max_substep_s: float = DEFAULT_MAX_SUBSTEP_S) -> tuple[_Array, _Array]:
    """EKF prediction, ballistic model: x' by RK4, P' = Φ P Φᵀ + Q (white-noise acceleration q, m²/s³).
    States (k, 6) and covariances (k, 6, 6), ECEF; dt_s in s (scalar or (k,))."""
    xx = _states(x)
    return _predict(xx, _covariances(P), np.ones(xx.shape[0], dtype=bool), dt_s, q_m2_s3, earth, max_substep_s)


def predict(x: ArrayLike, P: ArrayLike, model: ArrayLike, dt_s: ArrayLike, q_cv_m2_s3: float,
            q_ballistic_m2_s3: float, earth: EarthModel = WGS84,
            max_substep_s: float = DEFAULT_MAX_SUBSTEP_S) -> tuple[_Array, _Array]:
    """Predict every track with its own model (`model` (k,) of `MotionModel` codes) over dt_s (s).

    States (k, 6), covariances (k, 6, 6), ECEF. One pass over the tracks; the ballistic ones share one number
    of RK4 sub-steps (`ballistic_propagate`, over the ballistic tracks only). Returns new arrays (inputs
    untouched).
    """
    xx = _states(x)
    ballistic = np.asarray(model).reshape(xx.shape[0]) == MotionModel.BALLISTIC
    q = np.where(ballistic, float(q_ballistic_m2_s3), float(q_cv_m2_s3))
    return _predict(xx, _covariances(P), ballistic, dt_s, q, earth, max_substep_s)


def predict_rows(x: _Array, P: _Array, model: NDArray[np.int8], rows: ArrayLike, dt_s: ArrayLike, q_cv_m2_s3: float,
                 q_ballistic_m2_s3: float, earth: EarthModel = WGS84,
                 max_substep_s: float = DEFAULT_MAX_SUBSTEP_S) -> None:
    """Predict the tracks x[rows], P[rows] in place (x (N, 6), P (N, 6, 6) C-contiguous float arrays, model
    (N,) their codes, int8), each over its own step dt_s[m] (s, scalar or one per row): each row comes out as
    `predict` of that row alone over its step would give it (a ballistic one with ceil(|dt| / max_substep_s)
    sub-steps). Rows must be distinct; they and their steps are taken as given: no gather of the rows, no scatter
    back, one compiled pass (a tracker bank predicts the tracks of the sensors of a scan instant, each over the
    time since its sensor's last look)."""
    idx = np.ascontiguousarray(rows, dtype=np.intp).reshape(-1)
    k = idx.size
    if not (x.flags.c_contiguous and P.flags.c_contiguous and x.dtype == np.float64 and P.dtype == np.float64
            and x.ndim == 2 and x.shape[1:] == (6,) and P.shape == (x.shape[0], 6, 6)
            and model.dtype == np.int8 and model.shape == (x.shape[0],)):
        raise ValueError("x (N, 6) and P (N, 6, 6) must be C-contiguous float64 arrays, model (N,) int8 codes")
    fault = rows_fault(idx, x.shape[0], True)
    if fault == 1:
        raise IndexError(f"rows outside [0, {x.shape[0]}): {idx.min()}..{idx.max()}")
    if fault == 2:
        raise ValueError("rows must be distinct (a row listed twice would be predicted twice)")
    dt = _per_track(dt_s, k)
    if not np.isfinite(dt).all():
        raise ValueError("time steps must be finite")
    predict_rows_kernel(x, P, idx, model, dt, int(MotionModel.BALLISTIC), float(q_cv_m2_s3), float(q_ballistic_m2_s3),
                        earth.mu_m3_s2, earth.omega_rad_s, float(max_substep_s))
