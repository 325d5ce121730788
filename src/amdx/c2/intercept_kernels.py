"""Compiled kernels of `intercept`: the closed-form constant-velocity intercept of a straight-line flyout, one
iteration of the intercept on a predicted path, and the ballistic track predictor's orbit test and states.

Why: fire control solves one intercept per launch and per fire order, each a few iterations of a quadratic on
one (site, target) pair; numpy spent that time in the per-call overhead of some thirty small operations per
iteration. The loops do the numpy code's arithmetic in its order: three-term dot products as einsum sums them,
(x₀y₀ + x₂y₂) + x₁y₁, and norms as `np.linalg.norm` does, √((d₀² + d₁²) + d₂²), so the intercepts are the same
to the bit. The predictor's states are `kepler_kernels.state_at` with the end-of-path mask in the same pass: a
fire order and each launch predict one track a few times, and the masks, broadcasts and temporaries around the
compiled Kepler solve cost more than the solve.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from amdx.flight.kepler_kernels import state_at
from amdx.jit import kernel


@kernel
def _dot3(a0: float, a1: float, a2: float, b0: float, b1: float, b2: float) -> float:
    return (a0 * b0 + a2 * b2) + a1 * b1


@kernel
def _intercept_one(site: NDArray[np.float64], pos: NDArray[np.float64], vel: NDArray[np.float64], s: float,
                   t_launch: float, t_ref: float, pip: NDArray[np.float64]) -> tuple[float, float]:
    """(τ, τ₀) of one pair (see `cv_intercepts`), τ NaN when there is no root after τ₀; writes the PIP."""
    r0, r1, r2 = pos[0] - site[0], pos[1] - site[1], pos[2] - site[2]
    v0, v1, v2 = vel[0], vel[1], vel[2]
    tau0 = t_launch - t_ref
    a = _dot3(v0, v1, v2, v0, v1, v2) - s * s
    b = 2.0 * (_dot3(r0, r1, r2, v0, v1, v2) + s * s * tau0)
    c = _dot3(r0, r1, r2, r0, r1, r2) - s * s * tau0 * tau0
    disc = b * b - 4.0 * a * c
    sq = np.sqrt(disc) if disc >= 0.0 else np.nan
    q = -0.5 * (b + (sq if b >= 0.0 else -sq))
    root1 = q / a
    root2 = c / q
    c1 = root1 if np.isfinite(root1) and root1 > tau0 else np.inf
    c2 = root2 if np.isfinite(root2) and root2 > tau0 else np.inf
    best = min(c1, c2)
    tau = best if np.isfinite(best) else np.nan
    if np.isfinite(tau):
        pip[0] = (site[0] + r0) + v0 * tau
        pip[1] = (site[1] + r1) + v1 * tau
        pip[2] = (site[2] + r2) + v2 * tau
    else:
        pip[0] = pip[1] = pip[2] = np.nan
    return tau, tau0


@kernel
def cv_intercepts(site: NDArray[np.float64], pos: NDArray[np.float64], vel: NDArray[np.float64],
                  speed: NDArray[np.float64], t_launch: NDArray[np.float64], t_ref: NDArray[np.float64],
                  ) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Constant-velocity intercepts of N pairs (sites, target positions at `t_ref` and velocities (N, 3); speeds,
    launch and reference times (N,)): the smallest root τ > τ₀ = t_launch − t_ref of
    (v·v − s²) τ² + 2 (r₀·v + s² τ₀) τ + (r₀·r₀ − s² τ₀²) = 0 by the cancellation-free pair q/a, c/q.
    Returns τ (N,) (NaN: none), τ₀ (N,) and the PIPs (N, 3) (NaN rows: none)."""
    n = site.shape[0]
    tau = np.empty(n)
    tau0 = np.empty(n)
    pip = np.empty((n, 3))
    for i in range(n):
        tau[i], tau0[i] = _intercept_one(site[i], pos[i], vel[i], speed[i], t_launch[i], t_ref[i], pip[i])
    return tau, tau0, pip


@kernel
def path_iteration(site: NDArray[np.float64], pos: NDArray[np.float64], vel: NDArray[np.float64],
                   speed: NDArray[np.float64], t_launch: NDArray[np.float64], t: NDArray[np.float64],
                   prev: NDArray[np.float64], active: NDArray[np.bool_], done: NDArray[np.bool_],
                   tol_m: float) -> bool:
    """One iteration of `intercept.intercept_on_path` for N pairs, in place: the constant-velocity intercept on
    the target state (pos, vel) predicted at the current guess t; a pair is done when its PIP moved less than
    `tol_m` from `prev`, and stops (not done) when its new time is not finite. Whether any pair is still active."""
    pip = np.empty(3)
    any_active = False
    for i in range(site.shape[0]):
        tau, _ = _intercept_one(site[i], pos[i], vel[i], speed[i], t_launch[i], t[i], pip)
        t_new = tau + t[i] if active[i] else t[i]
        d0, d1, d2 = pip[0] - prev[i, 0], pip[1] - prev[i, 1], pip[2] - prev[i, 2]
        moved = np.sqrt((d0 * d0 + d1 * d1) + d2 * d2)
        newly = active[i] and moved < tol_m
        done[i] = done[i] or newly
        active[i] = active[i] and not newly and np.isfinite(t_new)
        if active[i]:
            prev[i, 0], prev[i, 1], prev[i, 2] = pip[0], pip[1], pip[2]
            any_active = True
        if np.isfinite(t_new):
            t[i] = t_new
    return any_active


@kernel
def free_flight_ok(r: NDArray[np.float64], v: NDArray[np.float64], mu: float) -> NDArray[np.bool_]:
    """Which inertial states r, v (N, 3) are on an elliptic, non-rectilinear orbit: energy v²/2 − μ/|r| finite and
    negative, and |r × v| > 1e-9 |r| |v|. Norms and the cross product as numpy forms them (so the same rows pass)."""
    ok = np.empty(r.shape[0], dtype=np.bool_)
    for i in range(r.shape[0]):
        r0, r1, r2 = r[i, 0], r[i, 1], r[i, 2]
        v0, v1, v2 = v[i, 0], v[i, 1], v[i, 2]
        rmag = np.sqrt((r0 * r0 + r1 * r1) + r2 * r2)
        vmag = np.sqrt((v0 * v0 + v1 * v1) + v2 * v2)
        energy = 0.5 * (vmag * vmag) - mu / rmag
        h0, h1, h2 = r1 * v2 - r2 * v1, r2 * v0 - r0 * v2, r0 * v1 - r1 * v0
        hmag = np.sqrt((h0 * h0 + h1 * h1) + h2 * h2)
        ok[i] = np.isfinite(energy) and energy < 0.0 and hmag > 1e-9 * rmag * vmag
    return ok


@kernel
def _path_state(consts: NDArray[np.float64], s: int, t_end: NDArray[np.float64], tk: float,
                omega: float) -> tuple[float, float, float, float, float, float]:
    """The state of Kepler path s at time tk, seen from the frame turning at `omega`: `kepler_kernels.state_at`,
    NaN where there is no path (s −1), the time is not finite or it is after the path's end `t_end[s]`."""
    if s >= 0 and np.isfinite(tk) and tk <= t_end[s]:
        return state_at(consts, s, tk, omega)
    return np.nan, np.nan, np.nan, np.nan, np.nan, np.nan


@kernel
def path_states(consts: NDArray[np.float64], slot: NDArray[np.intp], t_end: NDArray[np.float64],
                t: NDArray[np.float64], omega: float, pos: NDArray[np.float64], vel: NDArray[np.float64]) -> None:
    """States of a ballistic track predictor at the flat pairs (slot[k], t[k]) (`_path_state`), written to pos and
    vel (N, 3)."""
    for k in range(t.size):
        pos[k, 0], pos[k, 1], pos[k, 2], vel[k, 0], vel[k, 1], vel[k, 2] = _path_state(consts, slot[k], t_end, t[k],
                                                                                        omega)


@kernel
def path_rows(consts: NDArray[np.float64], slot: NDArray[np.intp], t_end: NDArray[np.float64],
              t: NDArray[np.float64], rows: NDArray[np.intp], omega: float, pos: NDArray[np.float64],
              vel: NDArray[np.float64]) -> None:
    """States of Kepler paths along rows of times t (m, K): path slot[q] at the times of row rows[q], written to
    that row of pos and vel (m, K, 3) (`_path_state`); the other rows are left as they are."""
    for q in range(rows.size):
        r, s = rows[q], slot[q]
        for j in range(t.shape[1]):
            pos[r, j, 0], pos[r, j, 1], pos[r, j, 2], vel[r, j, 0], vel[r, j, 1], vel[r, j, 2] = _path_state(
                consts, s, t_end, t[r, j], omega)


@kernel
def path_intercepts(consts: NDArray[np.float64], slot: NDArray[np.intp], t_end: NDArray[np.float64], omega: float,
                    site: NDArray[np.float64], speed: NDArray[np.float64], t_launch: NDArray[np.float64],
                    t: NDArray[np.float64], tol_m: float, max_iter: int, pip: NDArray[np.float64]) -> NDArray[np.bool_]:
    """`intercept.intercept_on_path` for N pairs on Kepler paths (pair i on path slot[i]; sites (N, 3), speeds and
    launch times (N,)), from the guesses t (N,), updated in place: each pair's `path_iteration`s on its path's
    states (pairs are independent, so one pair at a time), then whether it converged on a point of its path (the
    PIP, written to pip (N, 3); NaN where not)."""
    n = site.shape[0]
    ok = np.zeros(n, dtype=np.bool_)
    pos = np.empty((1, 3))
    vel = np.empty((1, 3))
    prev = np.empty((1, 3))
    active = np.empty(1, dtype=np.bool_)
    done = np.empty(1, dtype=np.bool_)
    for i in range(n):
        prev[0, 0] = prev[0, 1] = prev[0, 2] = np.nan
        active[0], done[0] = True, False
        for _ in range(max_iter):
            pos[0, 0], pos[0, 1], pos[0, 2], vel[0, 0], vel[0, 1], vel[0, 2] = _path_state(consts, slot[i], t_end,
                                                                                            t[i], omega)
            if not path_iteration(site[i:i + 1], pos, vel, speed[i:i + 1], t_launch[i:i + 1], t[i:i + 1], prev, active,
                                  done, tol_m):
                break
        x, y, z, _, _, _ = _path_state(consts, slot[i], t_end, t[i], omega)
        ok[i] = done[0] and np.isfinite(x) and np.isfinite(y) and np.isfinite(z)
        pip[i, 0], pip[i, 1], pip[i, 2] = (x, y, z) if ok[i] else (np.nan, np.nan, np.nan)
    return ok
