"""Compiled kernels of `intercept`: the closed-form constant-velocity intercept of a straight-line flyout, and
one iteration of the intercept on a predicted path.

Why: fire control solves one intercept per launch and per fire order, each a few iterations of a quadratic on
one (site, target) pair; numpy spent that time in the per-call overhead of some thirty small operations per
iteration. The loops do the numpy code's arithmetic in its order: three-term dot products as einsum sums them,
(x₀y₀ + x₂y₂) + x₁y₁, and norms as `np.linalg.norm` does, √((d₀² + d₁²) + d₂²), so the intercepts are the same
to the bit.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

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
