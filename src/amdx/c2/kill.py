"""Kill-probability composition and shoot-look-shoot doctrine arithmetic (`refs/physics.md` §6.1–6.2).

Shots are independent with single-shot kill probability p (reliability folded in: p = R·SSPK).
Shoot-look-shoot (SLS): k engagement opportunities, a salvo of s interceptors in each; after each salvo a kill
assessment looks at the target. A dead target is recognised as dead with probability P_ka (else it is engaged
again); a surviving target is wrongly declared dead with probability P_fk (then it is not engaged again and
leaks). P_ka = 1 and P_fk = 0 is perfect assessment, where P_k = 1 − q^k and
E[interceptors] = s (1 − q^k)/(1 − q), q = (1 − p)^s.

`divert_adjusted_pk` degrades p by the track error at intercept against the interceptor's divert capability.
It is a notional model, not from a reference: the target position error in the plane normal to the flyout is
taken as an isotropic 2-D Gaussian of standard deviation σ per axis, the interceptor removes any error within
its divert radius d, and the kill probability is p times the probability that the error falls inside d,
P(|e| ≤ d) = 1 − exp(−d² / (2σ²)) (Rayleigh distribution of |e|).

Functions are pure and vectorised (numpy broadcasting); Monte Carlo takes its `numpy.random.Generator`.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

_Array = NDArray[np.float64]


def _f64(x: ArrayLike) -> _Array:
    return np.asarray(x, dtype=np.float64)


def _out(x: _Array) -> _Array:
    return x[()] if np.ndim(x) == 0 else x


def cumulative_pk(p: ArrayLike, n: ArrayLike) -> _Array:
    """Kill probability of n independent shots: 1 − (1 − p)^n (refs §6.1)."""
    return _out(1.0 - (1.0 - _f64(p)) ** _f64(n))


def shots_needed(p: ArrayLike, required: ArrayLike) -> NDArray[np.int64]:
    """Fewest independent shots n with 1 − (1 − p)^n ≥ required: ⌈ln(1 − P)/ln(1 − p)⌉ (refs §6.1).

    A required P of 0 needs 0 shots; p = 1 needs 1 shot for any P > 0; p = 0, or P = 1 with p < 1, can never
    be met and raises ValueError. The ratio is rounded down by 1e-9 before ⌈⌉ so that exact cases
    (p = 0.9, P = 0.99 → 2) are not pushed up by rounding.
    """
    pa, req = np.broadcast_arrays(_f64(p), _f64(required))
    if np.any((pa < 0) | (pa > 1) | (req < 0) | (req > 1)):
        raise ValueError("probabilities must be in [0, 1]")
    impossible = (req > 0) & ((pa == 0) | ((req == 1) & (pa < 1)))
    if np.any(impossible):
        raise ValueError("the required kill probability cannot be reached (p = 0, or P = 1 with p < 1)")
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.log1p(-req) / np.log1p(-pa)
    n = np.ceil(np.where(np.isfinite(ratio), ratio, 1.0) - 1e-9)
    n = np.where(req <= 0, 0, np.where(pa >= 1, 1, np.maximum(n, 1)))
    return _out(n.astype(np.int64))


def raid_no_leaker_probability(p: ArrayLike, n: ArrayLike, m: ArrayLike) -> _Array:
    """Probability that none of M independent threats, each shot n times, leaks: (1 − (1 − p)^n)^M."""
    return _out((1.0 - (1.0 - _f64(p)) ** _f64(n)) ** _f64(m))


def expected_leakers(p: ArrayLike, n: ArrayLike, m: ArrayLike) -> _Array:
    """Expected number of leakers of a raid of M threats, each shot n times: M (1 − p)^n."""
    return _out(_f64(m) * (1.0 - _f64(p)) ** _f64(n))


def sls_outcome(p: ArrayLike, k: ArrayLike, s: ArrayLike, p_ka: ArrayLike = 1.0,
                p_false_kill: ArrayLike = 0.0) -> tuple[_Array, _Array]:
    """Kill probability and expected interceptors of shoot-look-shoot: k opportunities × salvos of s.

    Exact recursion over opportunities on the probabilities that the target is engaged while alive (a) or
    while already dead (d): a₁ = 1, d₁ = 0; after a salvo the live part is a q and the killed part a (1 − q);
    the next opportunity engages a q (1 − P_fk) + [d + a (1 − q)] (1 − P_ka). E = s Σ (a_j + d_j); the target
    survives with the live mass never killed. Perfect assessment reduces to the closed forms of refs §6.2.

    Returns (P_k, E[interceptors]), broadcast over all arguments (k, s integers ≥ 1).
    """
    pa, ka, sa, pka, pfk = np.broadcast_arrays(_f64(p), np.asarray(k, dtype=np.int64),
                                               np.asarray(s, dtype=np.int64), _f64(p_ka), _f64(p_false_kill))
    if np.any(ka < 1) or np.any(sa < 1):
        raise ValueError("k and s must be integers ≥ 1")
    q = (1.0 - pa) ** sa
    alive = np.ones(pa.shape)  # engaged while alive, this opportunity
    dead = np.zeros(pa.shape)  # engaged while already dead, this opportunity
    survive = np.zeros(pa.shape)  # alive and no longer engaged (declared dead by mistake)
    engaged = np.zeros(pa.shape)
    for j in range(1, int(ka.max()) + 1):
        on = j <= ka
        engaged += np.where(on, alive + dead, 0.0)
        alive_after = alive * q
        dead_after = dead + alive * (1.0 - q)
        last = j == ka
        survive += np.where(on & last, alive_after, 0.0) + np.where(on & ~last, alive_after * pfk, 0.0)
        alive = np.where(on, alive_after * (1.0 - pfk), alive)
        dead = np.where(on, dead_after * (1.0 - pka), dead)
    return _out(1.0 - survive), _out(sa * engaged)


def sls_kill_probability(p: ArrayLike, k: ArrayLike, s: ArrayLike) -> _Array:
    """P_k of shoot-look-shoot with perfect kill assessment: 1 − q^k, q = (1 − p)^s (refs §6.2)."""
    return _out(1.0 - (1.0 - _f64(p)) ** (_f64(s) * _f64(k)))


def sls_expected_interceptors(p: ArrayLike, k: ArrayLike, s: ArrayLike) -> _Array:
    """Expected interceptors of shoot-look-shoot with perfect kill assessment: s (1 − q^k)/(1 − q), and s·k
    when q = 1 (refs §6.2)."""
    q = (1.0 - _f64(p)) ** _f64(s)
    kk = _f64(k)
    with np.errstate(divide="ignore", invalid="ignore"):
        e = _f64(s) * np.where(q < 1.0, (1.0 - q**kk) / (1.0 - q), kk)
    return _out(e)


def divert_adjusted_pk(pk: ArrayLike, sigma_m: ArrayLike, divert_m: ArrayLike) -> _Array:
    """Single-shot Pk degraded by track error (notional model, module docstring): pk · (1 − exp(−d²/(2σ²))).

    `sigma_m` is the per-axis standard deviation of the target position error in the plane normal to the
    flyout, m; `divert_m` the interceptor's divert radius, m. σ = 0 gives pk unchanged.
    """
    sig = _f64(sigma_m)
    d = _f64(divert_m)
    with np.errstate(divide="ignore", invalid="ignore"):
        inside = np.where(sig > 0.0, -np.expm1(-(d * d) / (2.0 * sig * sig)), 1.0)
    return _out(_f64(pk) * inside)


def crossrange_sigma_m(position_cov_m2: ArrayLike, flyout_dir: ArrayLike) -> _Array:
    """Isotropic-equivalent per-axis σ (m) of a position covariance (..., 3, 3), m², projected on the plane
    normal to the flyout direction (..., 3): √(tr(Π P Π)/2), Π = I − û ûᵀ (equal variance on both axes)."""
    P = _f64(position_cov_m2)
    u = _f64(flyout_dir)
    u = u / np.linalg.norm(u, axis=-1, keepdims=True)
    proj = np.eye(3) - u[..., :, None] * u[..., None, :]
    tr = np.einsum("...ij,...jk,...ki->...", proj, P, proj)
    return _out(np.sqrt(np.maximum(tr, 0.0) / 2.0))


def simulate_sls(p: float, k: int, s: int, n_trials: int, rng: np.random.Generator, p_ka: float = 1.0,
                 p_false_kill: float = 0.0) -> tuple[NDArray[np.bool_], NDArray[np.int64]]:
    """Monte Carlo of shoot-look-shoot engagements of one target: per trial, whether it was killed and how
    many interceptors were fired. Each interceptor kills independently with probability p; after each salvo a
    dead target is recognised as dead with probability p_ka and a live one declared dead with p_false_kill."""
    killed = np.zeros(n_trials, dtype=bool)
    engaging = np.ones(n_trials, dtype=bool)
    fired = np.zeros(n_trials, dtype=np.int64)
    for j in range(k):
        fired += np.where(engaging, s, 0)
        hits = rng.random((n_trials, s)) < p
        killed |= engaging & hits.any(axis=1)
        if j == k - 1:
            break
        look = rng.random(n_trials)
        declared_dead = np.where(killed, look < p_ka, look < p_false_kill)
        engaging &= ~declared_dead
    return killed, fired
