"""Compiled kernels of the EKF prediction (`amdx.tracking.models`): one loop over tracks, each track's 6×6
problem in registers and small scratch arrays, instead of a few dozen numpy operations on (k, 6, 6) stacks.

Why: the trackers predict a few hundred to a few thousand tracks per scan instant; the numpy form spent most of
its time in per-call overhead and temporaries (RK4 with the state-transition matrix: about 30 array operations
per stage). The arithmetic is the one `models` documents, in the same formulas; sums of products run in index
order (numpy's matmul goes through BLAS, so the last bits may differ from the former array code).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from amdx.jit import kernel

_Array = NDArray[np.float64]


@kernel
def _add_white_noise_q(p: _Array, dt: float, q: float) -> None:
    """p (6, 6) += Q of white-noise acceleration (spectral density q, m²/s³) over dt (s), in place."""
    q3 = q * dt**3 / 3.0
    q2 = q * dt**2 / 2.0
    q1 = q * dt
    for i in range(3):
        p[i, i] += q3
        p[i, i + 3] += q2
        p[i + 3, i] += q2
        p[i + 3, i + 3] += q1


@kernel
def _cv_one(x: _Array, P: _Array, dt: float, q: float, x_out: _Array, p_out: _Array) -> None:
    """Constant-velocity prediction of one track (x (6,), P (6, 6)) into x_out, p_out: x' = F x,
    P' = F P Fᵀ + Q on 3×3 blocks, P = [[A, B], [Bᵀ, C]] (the formulas of `models.cv_predict`)."""
    for i in range(3):
        x_out[i] = x[i] + dt * x[i + 3]
        x_out[i + 3] = x[i + 3]
        for j in range(3):
            a, b, bt, c = P[i, j], P[i, j + 3], P[i + 3, j], P[i + 3, j + 3]
            p_out[i, j] = a + dt * (b + bt) + dt * dt * c
            p_out[i, j + 3] = b + dt * c
            p_out[i + 3, j] = bt + dt * c
            p_out[i + 3, j + 3] = c
    _add_white_noise_q(p_out, dt, q)


@kernel
def _dynamics(r0: float, r1: float, r2: float, v0: float, v1: float, mu: float,
              omega: float) -> tuple[float, float, float, float, float, float, float, float, float]:
    """Acceleration a = −μ r/|r|³ − 2ω×v − ω×(ω×r) (ECEF, ω = ω ẑ) and the gravity gradient
    G = ∂a/∂r = −μ/|r|³ (I − 3 r̂ r̂ᵀ) + ω² diag(1, 1, 0) at position r, velocity (v0, v1, ·):
    (a0, a1, a2, G00, G01, G02, G11, G12, G22) (G is symmetric)."""
    rr = r0 * r0 + r1 * r1 + r2 * r2
    k3 = mu / (rr * np.sqrt(rr))
    ww = omega * omega
    a0 = -k3 * r0 + (2.0 * omega * v1 + ww * r0)
    a1 = -k3 * r1 + (-2.0 * omega * v0 + ww * r1)
    a2 = -k3 * r2
    f = 3.0 * k3 / rr
    return (a0, a1, a2, f * (r0 * r0) - k3 + ww, f * (r0 * r1), f * (r0 * r2), f * (r1 * r1) - k3 + ww,
            f * (r1 * r2), f * (r2 * r2) - k3)


@kernel
def dynamics_kernel(r: _Array, v: _Array, mu: float, omega: float) -> tuple[_Array, _Array]:
    """`_dynamics` of positions r (k, 3) and velocities v (k, 3): (a (k, 3), G (k, 3, 3))."""
    k = r.shape[0]
    acc = np.empty((k, 3))
    grad = np.empty((k, 3, 3))
    for t in range(k):
        a0, a1, a2, g00, g01, g02, g11, g12, g22 = _dynamics(r[t, 0], r[t, 1], r[t, 2], v[t, 0], v[t, 1], mu,
                                                              omega)
        acc[t, 0], acc[t, 1], acc[t, 2] = a0, a1, a2
        grad[t, 0, 0], grad[t, 0, 1], grad[t, 0, 2] = g00, g01, g02
        grad[t, 1, 0], grad[t, 1, 1], grad[t, 1, 2] = g01, g11, g12
        grad[t, 2, 0], grad[t, 2, 1], grad[t, 2, 2] = g02, g12, g22
    return acc, grad


@kernel
def _derivatives(y: _Array, phi: _Array, mu: float, omega: float, ydot: _Array, phidot: _Array) -> None:
    """Ballistic model: ẏ = [v, a(r, v)] and Φ̇ = A Φ, A = [[0, I], [G, W]] (W = −2[ω×], the constant ∂a/∂v),
    written into ydot (6,) and phidot (6, 6)."""
    a0, a1, a2, g00, g01, g02, g11, g12, g22 = _dynamics(y[0], y[1], y[2], y[3], y[4], mu, omega)
    ydot[0], ydot[1], ydot[2], ydot[3], ydot[4], ydot[5] = y[3], y[4], y[5], a0, a1, a2
    w2 = 2.0 * omega
    for j in range(6):
        p0, p1, p2 = phi[0, j], phi[1, j], phi[2, j]
        v0, v1, v2 = phi[3, j], phi[4, j], phi[5, j]
        phidot[0, j], phidot[1, j], phidot[2, j] = v0, v1, v2
        phidot[3, j] = g00 * p0 + g01 * p1 + g02 * p2 + w2 * v1
        phidot[4, j] = g01 * p0 + g11 * p1 + g12 * p2 - w2 * v0
        phidot[5, j] = g02 * p0 + g12 * p1 + g22 * p2


@kernel
def _propagate_one(x: _Array, h: float, n: int, mu: float, omega: float, y: _Array, phi: _Array,
                   ky: _Array, kp: _Array) -> None:
    """`n` RK4 steps of length h (s) of the ballistic state x (6,) and its STM from Φ = I: results in y (6,)
    and phi (6, 6). ky (5, 6) and kp (5, 6, 6) are scratch: the four stages' derivatives, then the stage point."""
    for i in range(6):
        y[i] = x[i]
        for j in range(6):
            phi[i, j] = 1.0 if i == j else 0.0
    yt, pt = ky[4], kp[4]
    half = 0.5 * h
    sixth = h / 6.0
    for _ in range(n):
        _derivatives(y, phi, mu, omega, ky[0], kp[0])
        for s in range(1, 4):
            c = h if s == 3 else half
            for i in range(6):
                yt[i] = y[i] + c * ky[s - 1, i]
                for j in range(6):
                    pt[i, j] = phi[i, j] + c * kp[s - 1, i, j]
            _derivatives(yt, pt, mu, omega, ky[s], kp[s])
        for i in range(6):
            y[i] = y[i] + sixth * (ky[0, i] + 2.0 * ky[1, i] + 2.0 * ky[2, i] + ky[3, i])
            for j in range(6):
                phi[i, j] = phi[i, j] + sixth * (kp[0, i, j] + 2.0 * kp[1, i, j] + 2.0 * kp[2, i, j] + kp[3, i, j])


@kernel
def ballistic_propagate_kernel(x: _Array, dt: _Array, n: int, mu: float, omega: float) -> tuple[_Array, _Array]:
    """States x (k, 6) propagated over dt (k,) s by n RK4 sub-steps each: (x' (k, 6), Φ (k, 6, 6))."""
    k = x.shape[0]
    x_out = np.empty((k, 6))
    phi_out = np.empty((k, 6, 6))
    ky = np.empty((5, 6))
    kp = np.empty((5, 6, 6))
    for t in range(k):
        _propagate_one(x[t], dt[t] / n, n, mu, omega, x_out[t], phi_out[t], ky, kp)
    return x_out, phi_out


@kernel
def _ballistic_one(x: _Array, P: _Array, dt: float, n: int, q: float, mu: float, omega: float, x_out: _Array,
                   p_out: _Array, phi: _Array, tmp: _Array, ky: _Array, kp: _Array) -> None:
    """EKF prediction of one ballistic track: x' by RK4 (n sub-steps), P' = sym(Φ P Φᵀ) + Q."""
    _propagate_one(x, dt / n, n, mu, omega, x_out, phi, ky, kp)
    for i in range(6):  # tmp = Φ P
        for j in range(6):
            s = 0.0
            for m in range(6):
                s += phi[i, m] * P[m, j]
            tmp[i, j] = s
    for i in range(6):  # p_out = tmp Φᵀ
        for j in range(6):
            a = 0.0
            for m in range(6):
                a += tmp[i, m] * phi[j, m]
            p_out[i, j] = a
    for i in range(6):  # symmetric up to rounding: the mean of both halves
        for j in range(i):
            p_out[i, j] = p_out[j, i] = 0.5 * (p_out[i, j] + p_out[j, i])
    _add_white_noise_q(p_out, dt, q)


@kernel
def white_noise_q_kernel(dt: _Array, q: _Array) -> _Array:
    """Process noise Q (k, 6, 6) of white-noise acceleration, spectral densities q (k,) m²/s³, steps dt (k,) s."""
    out = np.zeros((dt.shape[0], 6, 6))
    for t in range(dt.shape[0]):
        _add_white_noise_q(out[t], dt[t], q[t])
    return out


@kernel
def predict_kernel(x: _Array, P: _Array, ballistic: NDArray[np.bool_], dt: _Array, q: _Array, mu: float,
                   omega: float, max_substep_s: float) -> tuple[_Array, _Array]:
    """Every track (x (k, 6), P (k, 6, 6)) predicted over dt (k,) s with its own model (`ballistic` (k,): the
    ballistic model, else constant velocity) and spectral density q (k,) m²/s³. Every ballistic track takes
    the same number of RK4 sub-steps, ceil(max |dt| / max_substep_s) over the ballistic tracks, each its own
    length dt / n."""
    k = x.shape[0]
    longest = 0.0
    for t in range(k):
        if ballistic[t]:
            longest = max(longest, abs(dt[t]))
    n = max(1, int(np.ceil(longest / max_substep_s)))
    x_out = np.empty((k, 6))
    p_out = np.empty((k, 6, 6))
    phi = np.empty((6, 6))
    tmp = np.empty((6, 6))
    ky = np.empty((5, 6))
    kp = np.empty((5, 6, 6))
    for t in range(k):
        if ballistic[t]:
            _ballistic_one(x[t], P[t], dt[t], n, q[t], mu, omega, x_out[t], p_out[t], phi, tmp, ky, kp)
        else:
            _cv_one(x[t], P[t], dt[t], q[t], x_out[t], p_out[t])
    return x_out, p_out


@kernel
def predict_rows_kernel(x: _Array, P: _Array, rows: NDArray[np.intp], model: NDArray[np.int8], dt: _Array,
                        ballistic_code: int, q_cv: float, q_ballistic: float, mu: float, omega: float,
                        max_substep_s: float) -> None:
    """The tracks x[rows[m]], P[rows[m]] predicted in place, each over its own step dt[m] (s) with its own model
    (model[rows[m]] == ballistic_code: the ballistic model with spectral density q_ballistic, else constant
    velocity with q_cv): as `predict_kernel` predicts a batch of tracks of one step, a ballistic track taking
    ceil(|dt| / max_substep_s) RK4 sub-steps (at least one)."""
    x_out = np.empty(6)
    p_out = np.empty((6, 6))
    phi = np.empty((6, 6))
    tmp = np.empty((6, 6))
    ky = np.empty((5, 6))
    kp = np.empty((5, 6, 6))
    for m in range(rows.shape[0]):
        r = rows[m]
        if model[r] == ballistic_code:
            n = max(1, int(np.ceil(abs(dt[m]) / max_substep_s)))
            _ballistic_one(x[r], P[r], dt[m], n, q_ballistic, mu, omega, x_out, p_out, phi, tmp, ky, kp)
        else:
            _cv_one(x[r], P[r], dt[m], q_cv, x_out, p_out)
        for i in range(6):
            x[r, i] = x_out[i]
            for j in range(6):
                P[r, i, j] = p_out[i, j]


@kernel
def rows_fault(rows: NDArray[np.intp], n: int, distinct: bool) -> int:
    """What is wrong with the row indices `rows` of an array of n rows: 1 if one lies outside [0, n), else 2 if
    `distinct` and one is listed twice, else 0. One pass with a scratch mark per row (instead of the numpy min,
    max and unique, whose sort and per-call overhead cost more than the prediction of a few hundred rows)."""
    seen = np.zeros(n if distinct else 0, np.bool_)
    repeated = False
    for m in range(rows.shape[0]):
        r = rows[m]
        if r < 0 or r >= n:
            return 1
        if distinct:
            repeated |= seen[r]
            seen[r] = True
    return 2 if repeated else 0
