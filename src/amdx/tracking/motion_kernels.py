"""Compiled kernels of the EKF prediction (`amdx.tracking.models`): one loop over tracks, each constant-velocity
track's 6×6 problem in registers and small scratch arrays, the ballistic tracks by chunks of `CHUNK` (the track
index last, so that the compiler runs the chunk's tracks in SIMD lanes), instead of a few dozen numpy operations
on (k, 6, 6) stacks.

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


CHUNK = 32
"""Ballistic tracks are propagated this many at a time, the track index last in every scratch array: each step of
the arithmetic is then a loop over the chunk's tracks, which the compiler runs in SIMD lanes (each lane does one
track's operations, in the order of the formulas, so the results are those of one track at a time, bit for bit):
about 2x faster than one track at a time on the raid's 1-s fire-control steps."""


@kernel
def to_chunk(x: _Array, P: _Array, r: int, xc: _Array, pc: _Array, t: int) -> None:
    """Row r of states x (N, d) and covariances P (N, d, d) into slot t of a chunk (xc (d, ·), pc (d, d, ·))."""
    for i in range(x.shape[1]):
        xc[i, t] = x[r, i]
        for j in range(x.shape[1]):
            pc[i, j, t] = P[r, i, j]


@kernel
def from_chunk(xc: _Array, pc: _Array, t: int, x: _Array, P: _Array, r: int) -> None:
    """Slot t of a chunk (xc (d, ·), pc (d, d, ·)) into row r of x (N, d) and P (N, d, d)."""
    for i in range(x.shape[1]):
        x[r, i] = xc[i, t]
        for j in range(x.shape[1]):
            P[r, i, j] = pc[i, j, t]


@kernel
def _derivatives_chunk(c: int, y: _Array, phi: _Array, mu: float, omega: float, ydot: _Array, phidot: _Array,
                       g: _Array) -> None:
    """Ballistic model for tracks 0..c−1 of a chunk (y (6, ·), phi (6, 6, ·)): ẏ = [v, a(r, v)] and Φ̇ = A Φ,
    A = [[0, I], [G, W]] (W = −2[ω×], the constant ∂a/∂v), written into ydot and phidot; g (6, ·) is scratch for
    the gravity gradients."""
    for t in range(c):
        a0, a1, a2, g00, g01, g02, g11, g12, g22 = _dynamics(y[0, t], y[1, t], y[2, t], y[3, t], y[4, t], mu, omega)
        ydot[0, t], ydot[1, t], ydot[2, t] = y[3, t], y[4, t], y[5, t]
        ydot[3, t], ydot[4, t], ydot[5, t] = a0, a1, a2
        g[0, t], g[1, t], g[2, t], g[3, t], g[4, t], g[5, t] = g00, g01, g02, g11, g12, g22
    w2 = 2.0 * omega
    for j in range(6):
        for t in range(c):
            p0, p1, p2 = phi[0, j, t], phi[1, j, t], phi[2, j, t]
            v0, v1, v2 = phi[3, j, t], phi[4, j, t], phi[5, j, t]
            phidot[0, j, t], phidot[1, j, t], phidot[2, j, t] = v0, v1, v2
            phidot[3, j, t] = g[0, t] * p0 + g[1, t] * p1 + g[2, t] * p2 + w2 * v1
            phidot[4, j, t] = g[1, t] * p0 + g[3, t] * p1 + g[4, t] * p2 - w2 * v0
            phidot[5, j, t] = g[2, t] * p0 + g[4, t] * p1 + g[5, t] * p2


@kernel
def _propagate_chunk(c: int, h: _Array, n: int, mu: float, omega: float, y: _Array, phi: _Array, ky: _Array,
                     kp: _Array, g: _Array) -> None:
    """`n` RK4 steps of length h[t] (s) of the ballistic states y[:, t] (6, ·), in place, and their STMs from
    Φ = I, into phi (6, 6, ·), for the tracks t < c of a chunk. ky (5, 6, ·) and kp (5, 6, 6, ·) are scratch: the
    four stages' derivatives, then the stage point; g (6, ·) too."""
    for i in range(6):
        for j in range(6):
            for t in range(c):
                phi[i, j, t] = 1.0 if i == j else 0.0
    yt, pt = ky[4], kp[4]
    for _ in range(n):
        _derivatives_chunk(c, y, phi, mu, omega, ky[0], kp[0], g)
        for s in range(1, 4):
            for i in range(6):
                for t in range(c):
                    yt[i, t] = y[i, t] + (h[t] if s == 3 else 0.5 * h[t]) * ky[s - 1, i, t]
                for j in range(6):
                    for t in range(c):
                        pt[i, j, t] = phi[i, j, t] + (h[t] if s == 3 else 0.5 * h[t]) * kp[s - 1, i, j, t]
            _derivatives_chunk(c, yt, pt, mu, omega, ky[s], kp[s], g)
        for i in range(6):
            for t in range(c):
                y[i, t] = y[i, t] + h[t] / 6.0 * (ky[0, i, t] + 2.0 * ky[1, i, t] + 2.0 * ky[2, i, t] + ky[3, i, t])
            for j in range(6):
                for t in range(c):
                    phi[i, j, t] = phi[i, j, t] + h[t] / 6.0 * (kp[0, i, j, t] + 2.0 * kp[1, i, j, t]
                                                                + 2.0 * kp[2, i, j, t] + kp[3, i, j, t])


@kernel
def ballistic_propagate_kernel(x: _Array, dt: _Array, n: int, mu: float, omega: float) -> tuple[_Array, _Array]:
    """States x (k, 6) propagated over dt (k,) s by n RK4 sub-steps each: (x' (k, 6), Φ (k, 6, 6))."""
    k = x.shape[0]
    x_out = np.empty((k, 6))
    phi_out = np.empty((k, 6, 6))
    y, phi, g, h = np.empty((6, CHUNK)), np.empty((6, 6, CHUNK)), np.empty((6, CHUNK)), np.empty(CHUNK)
    ky, kp = np.empty((5, 6, CHUNK)), np.empty((5, 6, 6, CHUNK))
    for start in range(0, k, CHUNK):
        c = min(CHUNK, k - start)
        for t in range(c):
            h[t] = dt[start + t] / n
            for i in range(6):
                y[i, t] = x[start + t, i]
        _propagate_chunk(c, h, n, mu, omega, y, phi, ky, kp, g)
        for t in range(c):
            from_chunk(y, phi, t, x_out, phi_out, start + t)
    return x_out, phi_out


@kernel
def _predict_in_place(x: _Array, P: _Array, rows: NDArray[np.intp], ballistic: NDArray[np.bool_],
                      n_sub: NDArray[np.intp], dt: _Array, q: _Array, mu: float, omega: float) -> None:
    """The tracks x[rows[m]], P[rows[m]] predicted in place over dt[m] (s) with spectral density q[m] (m²/s³):
    constant velocity, or (ballistic[m]) the ballistic model by n_sub[m] RK4 sub-steps with the EKF covariance
    P' = sym(Φ P Φᵀ) + Q. The ballistic tracks go by chunks of equal sub-step counts (`CHUNK`)."""
    x_out = np.empty(6)
    p_out = np.empty((6, 6))
    k = rows.shape[0]
    nb = 0
    for m in range(k):
        if ballistic[m]:
            nb += 1
            continue
        r = rows[m]
        _cv_one(x[r], P[r], dt[m], q[m], x_out, p_out)
        for i in range(6):
            x[r, i] = x_out[i]
            for j in range(6):
                P[r, i, j] = p_out[i, j]
    if nb == 0:
        return
    ball = np.empty(nb, np.intp)
    b = 0
    for m in range(k):
        if ballistic[m]:
            ball[b] = m
            b += 1
    ball = ball[np.argsort(n_sub[ball], kind="mergesort")]
    y, phi, g, h = np.empty((6, CHUNK)), np.empty((6, 6, CHUNK)), np.empty((6, CHUNK)), np.empty(CHUNK)
    ky, kp = np.empty((5, 6, CHUNK)), np.empty((5, 6, 6, CHUNK))
    pp, tmp, out = np.empty((6, 6, CHUNK)), np.empty((6, 6, CHUNK)), np.empty((6, 6, CHUNK))
    start = 0
    while start < nb:
        n = n_sub[ball[start]]
        c = 0
        while c < CHUNK and start + c < nb and n_sub[ball[start + c]] == n:
            c += 1
        for t in range(c):
            m = ball[start + t]
            r = rows[m]
            h[t] = dt[m] / n
            to_chunk(x, P, r, y, pp, t)
        _propagate_chunk(c, h, n, mu, omega, y, phi, ky, kp, g)
        for i in range(6):  # tmp = Φ P
            for j in range(6):
                for t in range(c):
                    s = 0.0
                    for a in range(6):
                        s += phi[i, a, t] * pp[a, j, t]
                    tmp[i, j, t] = s
        for i in range(6):  # out = tmp Φᵀ
            for j in range(6):
                for t in range(c):
                    s = 0.0
                    for a in range(6):
                        s += tmp[i, a, t] * phi[j, a, t]
                    out[i, j, t] = s
        for t in range(c):
            m = ball[start + t]
            r = rows[m]
            for i in range(6):
                x[r, i] = y[i, t]
                for j in range(i + 1):  # symmetric up to rounding: the mean of both halves
                    P[r, i, j] = P[r, j, i] = out[i, i, t] if i == j else 0.5 * (out[i, j, t] + out[j, i, t])
            _add_white_noise_q(P[r], dt[m], q[m])
        start += c


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
    x_out = x.copy()
    p_out = P.copy()
    _predict_in_place(x_out, p_out, np.arange(k), ballistic, np.full(k, n, np.intp), dt, q, mu, omega)
    return x_out, p_out


@kernel
def predict_rows_kernel(x: _Array, P: _Array, rows: NDArray[np.intp], model: NDArray[np.int8], dt: _Array,
                        ballistic_code: int, q_cv: float, q_ballistic: float, mu: float, omega: float,
                        max_substep_s: float) -> None:
    """The tracks x[rows[m]], P[rows[m]] predicted in place, each over its own step dt[m] (s) with its own model
    (model[rows[m]] == ballistic_code: the ballistic model with spectral density q_ballistic, else constant
    velocity with q_cv): as `predict_kernel` predicts a batch of tracks of one step, a ballistic track taking
    ceil(|dt| / max_substep_s) RK4 sub-steps (at least one). The rows must be distinct (a chunk's tracks are read
    before any is written back)."""
    k = rows.shape[0]
    ballistic = np.empty(k, np.bool_)
    n_sub = np.ones(k, np.intp)
    q = np.empty(k)
    for m in range(k):
        ballistic[m] = model[rows[m]] == ballistic_code
        q[m] = q_ballistic if ballistic[m] else q_cv
        if ballistic[m]:
            n_sub[m] = max(1, int(np.ceil(abs(dt[m]) / max_substep_s)))
    _predict_in_place(x, P, rows, ballistic, n_sub, dt, q, mu, omega)


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
