"""Two-body (Kepler) free flight: textbook closed forms and a vectorised analytic propagator.

Closed forms follow Bate, Mueller & White, *Fundamentals of Astrodynamics*, ch. 6 (refs/physics.md §1.1):
burnout radius r (m), speed v (m/s), flight-path angle φ (rad, above the local horizontal), free-flight range
angle Ψ (rad, at the Earth's centre), gravitational parameter μ (m³/s²; any consistent units work, e.g. the
canonical μ = 1). "Symmetric" means burnout and reentry at the same radius.

`KeplerOrbits` holds a batch of elliptic orbits (one per missile) built once from inertial states and evaluates
positions/velocities for any array of times by solving Kepler's equation (no step-by-step integration).
All functions are pure and vectorised; inputs are never mutated.
"""

from __future__ import annotations

import math
from typing import Any, cast

import numpy as np
from numpy.typing import ArrayLike, NDArray

MU_EARTH_M3_S2 = 3.986004418e14
"""Earth's gravitational parameter (refs/physics.md constants), m³/s²."""

_Array = NDArray[np.float64]
_TWO_PI = 2.0 * np.pi


def _f64(x: ArrayLike) -> _Array:
    return np.asarray(x, dtype=np.float64)


def _out(x: _Array) -> _Array:
    return x[()] if np.ndim(x) == 0 else x


# --- closed forms (BMW ch. 6) --------------------------------------------------------------------------------
def burnout_parameter(r_m: ArrayLike, v_mps: ArrayLike, mu: float = MU_EARTH_M3_S2) -> _Array:
    """Q = v² r / μ (dimensionless; 1 = circular speed, 2 = escape)."""
    return _out(_f64(v_mps) ** 2 * _f64(r_m) / mu)


def specific_energy(r_m: ArrayLike, v_mps: ArrayLike, mu: float = MU_EARTH_M3_S2) -> _Array:
    """Specific mechanical energy ε = v²/2 − μ/r, J/kg (m²/s²)."""
    return _out(0.5 * _f64(v_mps) ** 2 - mu / _f64(r_m))


def angular_momentum(r_m: ArrayLike, v_mps: ArrayLike, fpa_rad: ArrayLike) -> _Array:
    """Specific angular momentum h = r v cos φ, m²/s."""
    return _out(_f64(r_m) * _f64(v_mps) * np.cos(_f64(fpa_rad)))


def range_angle_symmetric(q: ArrayLike, fpa_rad: ArrayLike) -> _Array:
    """Free-flight range angle Ψ (rad), burnout and reentry at the same radius (BMW free-flight range equation):
    cos(Ψ/2) = (1 − Q cos²φ) / √(1 + Q(Q − 2) cos²φ)."""
    q = _f64(q)
    c2 = np.cos(_f64(fpa_rad)) ** 2
    return _out(2.0 * np.arccos(np.clip((1.0 - q * c2) / np.sqrt(1.0 + q * (q - 2.0) * c2), -1.0, 1.0)))


def _conic(r1: _Array, v: _Array, fpa: _Array, mu: float) -> tuple[_Array, _Array, _Array]:
    """Semi-latus rectum p, eccentricity e and true anomaly ν1 of the burnout point."""
    h = r1 * v * np.cos(fpa)
    p = h * h / mu
    ecos = p / r1 - 1.0
    esin = np.sqrt(p / mu) * v * np.sin(fpa)
    return p, np.hypot(ecos, esin), np.arctan2(esin, ecos)


def range_angle(r1_m: ArrayLike, v_mps: ArrayLike, fpa_rad: ArrayLike, r2_m: ArrayLike | None = None,
                mu: float = MU_EARTH_M3_S2) -> _Array:
    """Free-flight range angle Ψ (rad) from burnout (r1, v, φ) to the first descending crossing of radius r2
    (default r1). NaN when the orbit never comes down to r2."""
    r1 = _f64(r1_m)
    r2 = r1 if r2_m is None else _f64(r2_m)
    p, e, nu1 = _conic(r1, _f64(v_mps), _f64(fpa_rad), mu)
    with np.errstate(invalid="ignore", divide="ignore"):
        c2 = (p / r2 - 1.0) / e
        c2 = np.where(np.abs(c2) <= 1.0, c2, np.nan)
    nu2 = np.where(nu1 >= 0.0, _TWO_PI, 0.0) - np.arccos(c2)
    return _out(nu2 - nu1)


def fpa_for_range(q: ArrayLike, psi_rad: ArrayLike) -> tuple[_Array, _Array]:
    """(low, high) flight-path angles (rad) reaching range angle Ψ with burnout parameter Q, symmetric case
    (BMW: sin(2φ + Ψ/2) = ((2 − Q)/Q) sin(Ψ/2)). NaN where Ψ is out of reach."""
    q, psi = _f64(q), _f64(psi_rad)
    with np.errstate(invalid="ignore"):
        x = (2.0 - q) / q * np.sin(psi / 2.0)
        s = np.arcsin(np.where(np.abs(x) <= 1.0, x, np.nan))
    return _out((s - psi / 2.0) / 2.0), _out((np.pi - s - psi / 2.0) / 2.0)


def min_energy_q(psi_rad: ArrayLike) -> _Array:
    """Minimum burnout parameter reaching Ψ, symmetric case: Q = 2 sin(Ψ/2) / (1 + sin(Ψ/2)) (BMW 6.2-20)."""
    s = np.sin(_f64(psi_rad) / 2.0)
    return _out(2.0 * s / (1.0 + s))


def min_energy_fpa(psi_rad: ArrayLike) -> _Array:
    """Optimal flight-path angle, symmetric case: φ* = (π − Ψ)/4, rad."""
    return _out((np.pi - _f64(psi_rad)) / 4.0)


def two_point_speed(r1_m: ArrayLike, r2_m: ArrayLike, psi_rad: ArrayLike, fpa_rad: ArrayLike,
                    mu: float = MU_EARTH_M3_S2) -> _Array:
    """Burnout speed (m/s) whose conic from radius r1 at angle φ passes radius r2 after range angle Ψ:
    v² = μ(1 − cos Ψ) / (r1 cos φ [(r1/r2) cos φ − cos(φ + Ψ)]). NaN when no conic does."""
    r1, r2, psi, fpa = _f64(r1_m), _f64(r2_m), _f64(psi_rad), _f64(fpa_rad)
    den = r1 * np.cos(fpa) * (r1 / r2 * np.cos(fpa) - np.cos(fpa + psi))
    with np.errstate(invalid="ignore", divide="ignore"):
        return _out(np.sqrt(np.where(den > 0.0, mu * (1.0 - np.cos(psi)) / den, np.nan)))


def min_energy_fpa_two_point(r1_m: ArrayLike, r2_m: ArrayLike, psi_rad: ArrayLike) -> _Array:
    """Flight-path angle (rad) of least burnout speed from radius r1 to radius r2 over range angle Ψ:
    tan 2φ* = sin Ψ / (r1/r2 − cos Ψ) (setting d v²/dφ = 0 in `two_point_speed`; = (π − Ψ)/4 when r1 = r2)."""
    psi = _f64(psi_rad)
    return _out(0.5 * np.arctan2(np.sin(psi), _f64(r1_m) / _f64(r2_m) - np.cos(psi)))


def min_energy_speed(r1_m: ArrayLike, r2_m: ArrayLike, psi_rad: ArrayLike, mu: float = MU_EARTH_M3_S2) -> _Array:
    """Least burnout speed (m/s) from radius r1 to radius r2 over range angle Ψ."""
    fpa = min_energy_fpa_two_point(r1_m, r2_m, psi_rad)
    return two_point_speed(r1_m, r2_m, psi_rad, fpa, mu)


def orbit_shape(r_m: ArrayLike, v_mps: ArrayLike, fpa_rad: ArrayLike,
                mu: float = MU_EARTH_M3_S2) -> tuple[_Array, _Array]:
    """(a, e): semi-major axis a = r/(2 − Q) (m) and eccentricity e = √(1 + Q(Q − 2) cos²φ)."""
    r = _f64(r_m)
    q = _f64(burnout_parameter(r, v_mps, mu))
    e = np.sqrt(np.maximum(1.0 + q * (q - 2.0) * np.cos(_f64(fpa_rad)) ** 2, 0.0))
    return _out(r / (2.0 - q)), _out(e)


def apogee_radius(r_m: ArrayLike, v_mps: ArrayLike, fpa_rad: ArrayLike, mu: float = MU_EARTH_M3_S2) -> _Array:
    """Apoapsis radius a(1 + e) of the conic, m (inf for escape trajectories)."""
    a, e = orbit_shape(r_m, v_mps, fpa_rad, mu)
    return _out(np.where(np.asarray(a) > 0.0, np.asarray(a) * (1.0 + np.asarray(e)), np.inf))


def apogee_speed(r_m: ArrayLike, v_mps: ArrayLike, r_apo_m: ArrayLike, mu: float = MU_EARTH_M3_S2) -> _Array:
    """Speed at radius r_apo by energy conservation, m/s."""
    return _out(np.sqrt(_f64(v_mps) ** 2 - 2.0 * mu * (1.0 / _f64(r_m) - 1.0 / _f64(r_apo_m))))


def fpa_for_apogee(r_m: ArrayLike, v_mps: ArrayLike, r_apo_m: ArrayLike, mu: float = MU_EARTH_M3_S2) -> _Array:
    """Flight-path angle (rad, ≥ 0) at burnout (r, v) whose apoapsis is r_apo: cos φ = r_apo v_apo / (r v)."""
    h = _f64(r_apo_m) * np.asarray(apogee_speed(r_m, v_mps, r_apo_m, mu))
    return _out(np.arccos(np.clip(h / (_f64(r_m) * _f64(v_mps)), -1.0, 1.0)))


def _eccentric_anomaly(nu: _Array, e: _Array) -> _Array:
    """Eccentric anomaly, continuous with the true anomaly (same number of turns)."""
    big_e = np.arctan2(np.sqrt(1.0 - e * e) * np.sin(nu), e + np.cos(nu))
    return big_e + _TWO_PI * np.round((nu - big_e) / _TWO_PI)


def free_flight_time(r1_m: ArrayLike, v_mps: ArrayLike, fpa_rad: ArrayLike, psi_rad: ArrayLike,
                     mu: float = MU_EARTH_M3_S2) -> _Array:
    """Time (s) to fly range angle Ψ from burnout (r1, v, φ) on an elliptic orbit (Kepler's equation)."""
    r1, v = _f64(r1_m), _f64(v_mps)
    _, e, nu1 = _conic(r1, v, _f64(fpa_rad), mu)
    a = 1.0 / (2.0 / r1 - v * v / mu)
    e1 = _eccentric_anomaly(nu1, e)
    e2 = _eccentric_anomaly(nu1 + _f64(psi_rad), e)
    dm = (e2 - e * np.sin(e2)) - (e1 - e * np.sin(e1))
    with np.errstate(invalid="ignore"):
        return _out(np.where(a > 0.0, dm * np.sqrt(np.abs(a) ** 3 / mu), np.nan))


# --- Kepler's equation ---------------------------------------------------------------------------------------
KEPLER_HALLEY_STEPS = 2
KEPLER_NEWTON_STEPS = 1
"""Fixed steps always taken (Halley, then Newton); more Newton steps only where the residual is above tol."""
RESYNC_COLUMNS = 64
"""`KeplerOrbits.states_by_columns` solves afresh every this many time columns."""


def _floats_match_numpy() -> bool:
    """True when Python floats reproduce numpy's float64 results on this machine: math's sin, cos, cbrt, atan2,
    acos, degrees and radians (libm) against numpy's ufuncs, numpy's hypot on scalars against its array loop,
    and the summation orders the float paths copy (einsum over 3 terms as (x0 + x2) + x1, a 3-vector norm left
    to right). A numpy built with its own SIMD transcendental functions could differ in the last bit; the
    Python-float paths (`state_one`, the few-orbit crossing, ...) are then switched off, so that results never
    depend on the size of a batch."""
    x = np.linspace(-7.0, 7.0, 1001) * 1.37
    u = np.linspace(-1.0, 1.0, 1001)
    xs, ys, us = x.tolist(), x[::-1].tolist(), u.tolist()
    pairs = [
        (np.sin(x), [math.sin(v) for v in xs]), (np.cos(x), [math.cos(v) for v in xs]),
        (np.cbrt(x), [math.cbrt(v) for v in xs]), (np.arccos(u), [math.acos(v) for v in us]),
        (np.arctan2(x, x[::-1]), [math.atan2(a, b) for a, b in zip(xs, ys, strict=True)]),
        (np.degrees(x), [math.degrees(v) for v in xs]), (np.radians(x), [math.radians(v) for v in xs]),
        (np.hypot(x, x[::-1]), [float(np.hypot(a, b)) for a, b in zip(xs, ys, strict=True)]),
    ]
    a = np.stack([x, 3.1 * x[::-1], 7.7 * u], axis=-1)
    b = np.stack([u, 0.3 * x, x[::-1]], axis=-1)
    p = a * b
    pairs.append((np.einsum("ij,ij->i", a, b), (p[:, 0] + p[:, 2]) + p[:, 1]))
    pairs.append((np.einsum("...i,...i->...", a, b), (p[:, 0] + p[:, 2]) + p[:, 1]))
    pairs.append((np.array([np.linalg.norm(a[i:i + 1], axis=1)[0] for i in range(0, 1001, 10)]),
                  [math.sqrt((r[0] * r[0] + r[1] * r[1]) + r[2] * r[2]) for r in a[::10].tolist()]))
    pairs.append((np.array([np.einsum("ij,ij->i", a[i:i + 1], b[i:i + 1])[0] for i in range(0, 1001, 10)]),
                  [(r[0] * q[0] + r[2] * q[2]) + r[1] * q[1] for r, q in zip(a[::10].tolist(), b[::10].tolist(),
                                                                             strict=True)]))
    return all(np.array_equal(np.asarray(f, dtype=np.float64), np.asarray(g, dtype=np.float64)) for f, g in pairs)


FLOATS_MATCH_NUMPY = _floats_match_numpy()
"""Whether the Python-float paths may be used (see `_floats_match_numpy`)."""
FEW_EVALUATIONS = 32 if FLOATS_MATCH_NUMPY else 0
"""`KeplerOrbits` evaluates at most this many (orbit, time) pairs one by one on Python floats (`state_one`: the
same bits as the array path, without numpy's per-call overhead, which dominates below a few dozen pairs)."""


def _cubic_starter(m: Any, e: Any, sqrt: Any = np.sqrt, cbrt: Any = np.cbrt) -> Any:
    """Root of (1 − e)E + e E³/6 = M (Cardano): a lower bound of E, since sin E ≥ E − E³/6. Arrays with numpy's
    sqrt and cbrt, or Python floats with math's (the same operations, so the same bits)."""
    p = 6.0 * (1.0 - e) / e
    q = 6.0 * m / e
    d = sqrt(q * q / 4.0 + p * p * p / 27.0)
    return cbrt(q / 2.0 + d) + cbrt(q / 2.0 - d)


def _turn(s: Any, c: Any, d: Any) -> tuple[Any, Any]:
    """(sin, cos) of E + d from those of E, with sin d and cos d from their Taylor series (|d| ≤ 0.05:
    truncation below 1e-17); arrays or Python floats alike."""
    d2 = d * d
    sd = d * (1.0 - d2 / 6.0 * (1.0 - d2 / 20.0 * (1.0 - d2 / 42.0)))
    cd1 = d2 / 2.0 * (1.0 - d2 / 12.0 * (1.0 - d2 / 30.0 * (1.0 - d2 / 56.0)))  # 1 − cos d
    return s - s * cd1 + c * sd, c - c * cd1 - s * sd


def _solve_reduced(mr: _Array, ecc: _Array, tol: float) -> tuple[_Array, _Array, _Array]:
    """(E, sin E, cos E) for mean anomalies mr in [0, π].

    sin and cos are evaluated exactly at the start and after the first step; later steps are small, so they
    are carried along by the angle-addition formula (`_turn`), and recomputed exactly wherever a later step
    exceeds 0.05 rad."""
    hi = np.minimum(mr + ecc, np.pi)
    big_e = np.where(ecc >= 0.3, _cubic_starter(mr, np.maximum(ecc, 0.3)), mr)
    np.clip(big_e, mr, hi, out=big_e)
    s, c = np.sin(big_e), np.cos(big_e)
    for step in range(KEPLER_HALLEY_STEPS + KEPLER_NEWTON_STEPS):
        f = big_e - ecc * s - mr
        fp = 1.0 - ecc * c
        if step < KEPLER_HALLEY_STEPS:
            fp = fp - 0.5 * f * ecc * s / fp
        new = np.clip(big_e - f / fp, mr, hi)
        if step == 0:
            s, c = np.sin(new), np.cos(new)
        else:
            d = new - big_e
            s, c = _turn(s, c, d)
            far = np.flatnonzero(np.abs(d) > 0.05)
            if far.size:
                s.flat[far], c.flat[far] = np.sin(new.flat[far]), np.cos(new.flat[far])
        big_e = new
    for _ in range(100):
        f = big_e - ecc * s - mr
        bad = np.flatnonzero(np.abs(f) > tol * np.maximum(1.0, mr))
        if not bad.size:
            break
        eb = ecc.flat[bad]
        eb_new = np.clip(big_e.flat[bad] - f.flat[bad] / (1.0 - eb * c.flat[bad]), mr.flat[bad], hi.flat[bad])
        big_e.flat[bad], s.flat[bad], c.flat[bad] = eb_new, np.sin(eb_new), np.cos(eb_new)
    return big_e, s, c


def _solve_kepler_sc(mean_anomaly: _Array, ecc: _Array, tol: float = 1e-14) -> tuple[_Array, _Array, _Array]:
    """(E, sin E, cos E) of Kepler's equation, any mean anomaly."""
    turns = np.floor(mean_anomaly / _TWO_PI)
    mw = mean_anomaly - _TWO_PI * turns
    upper = mw > np.pi
    big_e, s, c = _solve_reduced(np.where(upper, _TWO_PI - mw, mw), ecc, tol)
    big_e = np.where(upper, _TWO_PI - big_e, big_e) + _TWO_PI * turns
    return big_e, np.where(upper, -s, s), c


def _solve_kepler_one(mean_anomaly: float, ecc: float, tol: float = 1e-14) -> tuple[float, float, float]:
    """(E, sin E, cos E) of Kepler's equation for one mean anomaly: `_solve_kepler_sc` step for step in Python
    floats. Bit for bit the same result (math's sin, cos and cbrt are the libm functions numpy calls, and every
    other operation is one IEEE operation in the same order), at a few microseconds instead of numpy's per-call
    overhead on one-element arrays."""
    if not math.isfinite(mean_anomaly):
        return math.nan, math.nan, math.nan
    turns = float(math.floor(mean_anomaly / _TWO_PI))
    mw = mean_anomaly - _TWO_PI * turns
    upper = mw > math.pi
    mr = _TWO_PI - mw if upper else mw
    hi = min(mr + ecc, math.pi)
    big_e = _cubic_starter(mr, ecc, math.sqrt, math.cbrt) if ecc >= 0.3 else mr
    big_e = hi if big_e > hi else mr if big_e < mr else big_e
    s, c = math.sin(big_e), math.cos(big_e)
    for step in range(KEPLER_HALLEY_STEPS + KEPLER_NEWTON_STEPS):
        f = big_e - ecc * s - mr
        fp = 1.0 - ecc * c
        if step < KEPLER_HALLEY_STEPS:
            fp = fp - 0.5 * f * ecc * s / fp
        new = big_e - f / fp
        new = hi if new > hi else mr if new < mr else new
        if step == 0:
            s, c = math.sin(new), math.cos(new)
        else:
            d = new - big_e
            s, c = _turn(s, c, d)
            if abs(d) > 0.05:
                s, c = math.sin(new), math.cos(new)
        big_e = new
    for _ in range(100):
        f = big_e - ecc * s - mr
        if not abs(f) > tol * max(1.0, mr):
            break
        new = big_e - f / (1.0 - ecc * c)
        big_e = hi if new > hi else mr if new < mr else new
        s, c = math.sin(big_e), math.cos(big_e)
    if upper:
        big_e, s = _TWO_PI - big_e, -s
    return big_e + _TWO_PI * turns, s, c


def solve_kepler(mean_anomaly: ArrayLike, e: ArrayLike, tol: float = 1e-14) -> _Array:
    """Eccentric anomaly E (rad) with E − e sin E = M, for 0 ≤ e < 1, vectorised.

    M is reduced to [0, π] by the symmetry E(2π − M) = 2π − E(M). There f(E) = E − e sin E − M is increasing
    and convex, and the root lies in the bracket [M, min(M + e, π)]. The start is the root of the cubic
    (1 − e)E + eE³/6 = M (a lower bound, as sin E ≥ E − E³/6; M itself for e < 0.3), followed by
    `KEPLER_HALLEY_STEPS` Halley steps and `KEPLER_NEWTON_STEPS` Newton steps, each clipped to the bracket.
    On a dense grid of M and of e up to 1 − 1e-9 this fixed sequence leaves a residual below 1e-15 (tested),
    apsides and e → 1 near perigee included. Convergence is nevertheless guaranteed, not just observed:
    wherever the residual still exceeds `tol`, clipped Newton steps follow, and from any point of the bracket
    those converge (a step from the left of the root lands on its right by convexity; from the right the
    iterates decrease monotonically to the root).
    """
    m, ecc = np.broadcast_arrays(_f64(mean_anomaly), _f64(e))
    return _out(_solve_kepler_sc(m, ecc, tol)[0])


def _cross(a: tuple[float, ...] | list[float], b: tuple[float, ...] | list[float]) -> tuple[float, float, float]:
    return a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]


def _elements_one(r0: _Array, v0: _Array, mu: float
                  ) -> tuple[float, float, tuple[float, float, float], tuple[float, float, float], float, float,
                             float] | None:
    """(a, e, P̂, Q̂, b, n, M0) of one orbit from its state (arrays (1, 3)): `KeplerOrbits.__init__` for one orbit
    in Python floats, the same operations in the same order (np.linalg.norm over 3 components sums them left to
    right, einsum "ij,ij->i" as (x0 + x2) + x1), so the same bits. None for a state the array path must handle
    (not elliptic, rectilinear, or not finite: it raises or yields NaN there)."""
    (x, y, z), (vx, vy, vz) = r0[0].tolist(), v0[0].tolist()
    try:
        rmag = math.sqrt((x * x + y * y) + z * z)
        v2 = (vx * vx + vz * vz) + vy * vy
        rv = (x * vx + z * vz) + y * vy
        energy = 0.5 * v2 - mu / rmag
        h = _cross((x, y, z), (vx, vy, vz))
        hmag = math.sqrt((h[0] * h[0] + h[1] * h[1]) + h[2] * h[2])
        if not (energy < 0.0 and hmag > 1e-9 * rmag * math.sqrt(v2) and math.isfinite(hmag)):
            return None
        a = -mu / (2.0 * energy)
        k = v2 - mu / rmag
        evec = tuple((k * ri - rv * vi) / mu for ri, vi in ((x, vx), (y, vy), (z, vz)))
        e = math.sqrt((evec[0] * evec[0] + evec[1] * evec[1]) + evec[2] * evec[2])
        p_hat = (x / rmag, y / rmag, z / rmag) if e < 1e-13 else (evec[0] / e, evec[1] / e, evec[2] / e)
        q_hat = _cross((h[0] / hmag, h[1] / hmag, h[2] / hmag), p_hat)
        b = a * math.sqrt(1.0 - e * e)
        mm = math.sqrt(mu / a**3)
        px = (x * p_hat[0] + z * p_hat[2]) + y * p_hat[1]
        qy = (x * q_hat[0] + z * q_hat[2]) + y * q_hat[1]
        e0 = math.atan2(qy / b, px / a + e)
        return a, e, p_hat, q_hat, b, mm, e0 - e * math.sin(e0)
    except (ZeroDivisionError, ValueError, OverflowError):
        return None


# --- batch propagator ----------------------------------------------------------------------------------------
class KeplerOrbits:
    """A batch of elliptic two-body orbits, built once from inertial states, evaluated at any times.

    Args:
        r0_m: positions (n, 3), inertial frame, m.
        v0_mps: velocities (n, 3), inertial frame, m/s.
        t0_s: epochs (n,) (or scalar) of those states, s.
        mu: gravitational parameter, m³/s².

    Raises ValueError for a non-elliptic (parabolic or hyperbolic) or rectilinear state.
    """

    def __init__(self, r0_m: ArrayLike, v0_mps: ArrayLike, t0_s: ArrayLike, mu: float = MU_EARTH_M3_S2):
        r0 = np.array(_f64(r0_m).reshape(-1, 3))
        v0 = np.array(_f64(v0_mps).reshape(-1, 3))
        n = r0.shape[0]
        self.mu = float(mu)
        self.t0_s = np.broadcast_to(_f64(t0_s), (n,)).copy()
        one = _elements_one(r0, v0, self.mu) if n == 1 and FLOATS_MATCH_NUMPY else None
        if one is not None:
            self._set_elements(*one)
            return
        rmag = np.linalg.norm(r0, axis=1)
        v2 = np.einsum("ij,ij->i", v0, v0)
        rv = np.einsum("ij,ij->i", r0, v0)
        energy = 0.5 * v2 - mu / rmag
        hvec = np.cross(r0, v0)
        hmag = np.linalg.norm(hvec, axis=1)
        if n and (np.any(energy >= 0.0) or np.any(hmag <= 1e-9 * rmag * np.sqrt(v2))):
            raise ValueError("KeplerOrbits needs elliptic, non-rectilinear states (energy < 0, h > 0)")
        self.a_m = -mu / (2.0 * energy)
        evec = ((v2 - mu / rmag)[:, None] * r0 - rv[:, None] * v0) / mu
        self.e = np.linalg.norm(evec, axis=1)
        circular = self.e < 1e-13
        safe_e = np.where(circular, 1.0, self.e)
        self.p_hat = np.where(circular[:, None], r0 / rmag[:, None], evec / safe_e[:, None])
        self.q_hat = np.cross(hvec / hmag[:, None], self.p_hat)
        self.b_m = self.a_m * np.sqrt(1.0 - self.e**2)
        self.mean_motion = np.sqrt(mu / self.a_m**3)
        x = np.einsum("ij,ij->i", r0, self.p_hat)
        y = np.einsum("ij,ij->i", r0, self.q_hat)
        e0 = np.arctan2(y / self.b_m, x / self.a_m + self.e)
        self.m0 = e0 - self.e * np.sin(e0)
        # evaluation form: r = a P̂ (cos E − e) + b Q̂ sin E,  M(t) = M(0) + n t
        # (one contiguous array per Cartesian component: numpy is slow on trailing axes of length 3)
        self._ap = tuple(np.ascontiguousarray(self.a_m * self.p_hat[:, j]) for j in range(3))
        self._bq = tuple(np.ascontiguousarray(self.b_m * self.q_hat[:, j]) for j in range(3))
        self._m_at_zero = self.m0 - self.mean_motion * self.t0_s
        self._freeze()

    def _freeze(self) -> None:
        self._consts_one: list[list[float]] | None = None  # per-orbit constants as floats, for `state_one`
        for arr in (self.t0_s, self.a_m, self.e, self.p_hat, self.q_hat, self.b_m, self.mean_motion, self.m0,
                    *self._ap, *self._bq, self._m_at_zero):
            arr.flags.writeable = False

    def _set_elements(self, a: float, e: float, p_hat: tuple[float, float, float], q_hat: tuple[float, float, float],
                      b: float, mm: float, m0: float) -> None:
        """The attributes of a one-orbit batch from `_elements_one`'s floats."""
        t0 = float(self.t0_s[0])
        self.a_m, self.e, self.b_m = np.array([a]), np.array([e]), np.array([b])
        self.p_hat, self.q_hat = np.array([p_hat]), np.array([q_hat])
        self.mean_motion, self.m0 = np.array([mm]), np.array([m0])
        self._ap = tuple(np.array([a * p_hat[j]]) for j in range(3))
        self._bq = tuple(np.array([b * q_hat[j]]) for j in range(3))
        self._m_at_zero = np.array([m0 - mm * t0])
        self._freeze()
        self._consts_one = [[m0 - mm * t0, mm, e, a * p_hat[0], a * p_hat[1], a * p_hat[2],
                             b * q_hat[0], b * q_hat[1], b * q_hat[2]]]

    @property
    def n_orbits(self) -> int:
        """Number of orbits in the batch."""
        return int(self.a_m.shape[0])

    @property
    def semi_latus_rectum_m(self) -> _Array:
        """p = a(1 − e²), m."""
        return self.a_m * (1.0 - self.e**2)

    def states_at(self, index: ArrayLike, t_s: ArrayLike,
                  velocity: bool = True) -> tuple[_Array, _Array | None]:
        """Inertial (position (..., 3) m, velocity (..., 3) m/s or None) of orbits `index` at times `t_s`
        (index and t_s broadcast together)."""
        idx, t = np.broadcast_arrays(np.asarray(index, dtype=np.intp), _f64(t_s))
        return self._evaluate(idx, t, velocity)

    def state_one(self, i: int, t_s: float) -> tuple[float, float, float, float, float, float]:
        """(x, y, z, vx, vy, vz), inertial, of orbit i at time t_s, as Python floats: `states_at` for one orbit
        and one time, bit for bit (the same operations in the same order, see `_solve_kepler_one`), for
        callers that hold one or a few orbits, where numpy's per-call overhead is most of the cost."""
        consts = self._consts_one
        if consts is None:
            consts = self._consts_one = np.column_stack(
                [self._m_at_zero, self.mean_motion, self.e, *self._ap, *self._bq]).tolist()
        m_at_zero, mm, e, ap0, ap1, ap2, bq0, bq1, bq2 = consts[i]
        _, s, c = _solve_kepler_one(m_at_zero + mm * t_s, e)
        ce = c - e
        k = mm / (1.0 - e * c)
        kc, ks = k * c, k * s
        return (ap0 * ce + bq0 * s, ap1 * ce + bq1 * s, ap2 * ce + bq2 * s,
                bq0 * kc - ap0 * ks, bq1 * kc - ap1 * ks, bq2 * kc - ap2 * ks)

    def states_rows(self, start: int, stop: int, t_s: ArrayLike,
                    velocity: bool = True) -> tuple[_Array, _Array | None]:
        """Like `states_at` for the orbits start:stop at times t_s of shape (stop − start, K) or (K,)."""
        rows = slice(start, stop)
        t = np.broadcast_to(_f64(t_s), (stop - start, np.shape(t_s)[-1]))
        return self._evaluate(rows, t, velocity)

    def states_by_columns(self, t_s: ArrayLike, velocity: bool = True) -> tuple[_Array, _Array | None]:
        """Same as `states` (every orbit, times (n, K) or (K,)), computed one time column at a time with each
        column's Kepler solution started from the previous one (see `column_components`)."""
        r, v = self.column_components(t_s, velocity)
        return (np.stack([x.T for x in r], axis=-1),
                np.stack([x.T for x in v], axis=-1) if v is not None else None)

    def column_components(self, t_s: ArrayLike, velocity: bool = True
                          ) -> tuple[tuple[_Array, ...], tuple[_Array, ...] | None]:
        """Inertial (x, y, z) and optionally (vx, vy, vz), each (K, n): time-major, for all orbits at times
        (n, K) or (K,).

        Each column's Kepler solution starts from the previous column's: one Halley and one Newton step,
        sin and cos carried by the angle-addition formula; the exact solver (`solve_kepler`) runs every
        `RESYNC_COLUMNS` columns and wherever the warm start is far (a step above 0.05 rad) or the residual
        exceeds 1e-14 per radian of M. Worth it for many orbits and many closely spaced times: the Python loop
        runs over columns."""
        t_cols = np.ascontiguousarray(self._times(t_s).T)  # (K, n): each column contiguous
        k_count, n = t_cols.shape
        e, mm, m0z = self.e, self.mean_motion, self._m_at_zero
        r = tuple(np.empty((k_count, n)) for _ in range(3))
        v = tuple(np.empty((k_count, n)) for _ in range(3)) if velocity else None
        big_e = s = c = np.zeros(n)
        for k in range(k_count):
            m = m0z + mm * t_cols[k]
            if k % RESYNC_COLUMNS == 0:
                big_e, s, c = _solve_kepler_sc(m, e)
            else:
                f = big_e - e * s - m
                fp = 1.0 - e * c
                d = -f / (fp - 0.5 * f * e * s / fp)
                s, c = _turn(s, c, d)
                big_e = big_e + d
                d2 = -(big_e - e * s - m) / (1.0 - e * c)
                s, c = s + c * d2, c - s * d2  # |d2| ~ 1e-9 after a Halley step: second order is ~1e-18
                big_e = big_e + d2
                resid = np.abs(big_e - e * s - m)
                bad = np.flatnonzero(~((np.abs(d) <= 0.05) & (np.abs(d2) <= 1e-7)
                                       & (resid <= 1e-14 * np.maximum(1.0, np.abs(m)))))
                if bad.size:
                    big_e[bad], s[bad], c[bad] = _solve_kepler_sc(m[bad], e[bad])
            rk, vk = self._assemble(self._ap, self._bq, e, mm, s, c, v is not None)
            for j in range(3):
                r[j][k] = rk[j]
                if v is not None and vk is not None:
                    v[j][k] = vk[j]
        return r, v

    @staticmethod
    def _assemble(ap: tuple[_Array, ...], bq: tuple[_Array, ...], e: _Array, mm: _Array, s: _Array, c: _Array,
                  velocity: bool) -> tuple[tuple[_Array, ...], tuple[_Array, ...] | None]:
        """Components of r = aP̂ (cos E − e) + bQ̂ sin E and v = n/(1 − e cos E) (bQ̂ cos E − aP̂ sin E)."""
        ce = c - e
        r = tuple(ap[j] * ce + bq[j] * s for j in range(3))
        if not velocity:
            return r, None
        k = mm / (1.0 - e * c)
        kc, ks = k * c, k * s
        return r, tuple(bq[j] * kc - ap[j] * ks for j in range(3))

    def components_at(self, index: ArrayLike, t_s: ArrayLike, velocity: bool = True
                      ) -> tuple[tuple[_Array, ...], tuple[_Array, ...] | None]:
        """`states_at` as separate components: ((x, y, z), (vx, vy, vz) or None), each shaped like the broadcast
        of index and t_s; the same values, without stacking them for callers that work per component."""
        idx, t = np.broadcast_arrays(np.asarray(index, dtype=np.intp), _f64(t_s))
        return self._evaluate_components(idx, t, velocity)

    def _evaluate_components(self, sel: _Array | slice, t: _Array, velocity: bool
                             ) -> tuple[tuple[_Array, ...], tuple[_Array, ...] | None]:
        """Kepler evaluation for orbits `sel` (index array shaped like t, or a slice of rows of t), per component."""
        if t.size <= FEW_EVALUATIONS:
            both = self._evaluate_few(sel, t)
            return (tuple(both[..., j] for j in range(3)),
                    tuple(both[..., j] for j in range(3, 6)) if velocity else None)
        col = (slice(None), None) if isinstance(sel, slice) else (Ellipsis,)
        e = self.e[sel][col]
        mm = self.mean_motion[sel][col]
        _, s, c = _solve_kepler_sc(self._m_at_zero[sel][col] + mm * t, np.broadcast_to(e, t.shape))
        ap = tuple(x[sel][col] for x in self._ap)
        bq = tuple(x[sel][col] for x in self._bq)
        return self._assemble(ap, bq, e, mm, s, c, velocity)

    def _evaluate(self, sel: _Array | slice, t: _Array, velocity: bool) -> tuple[_Array, _Array | None]:
        """Kepler evaluation for orbits `sel` (index array shaped like t, or a slice of rows of t)."""
        if t.size <= FEW_EVALUATIONS:
            both = self._evaluate_few(sel, t)
            return np.ascontiguousarray(both[..., :3]), (np.ascontiguousarray(both[..., 3:]) if velocity else None)
        r, v = self._evaluate_components(sel, t, velocity)
        return np.stack(r, axis=-1), (np.stack(v, axis=-1) if v is not None else None)

    def _evaluate_few(self, sel: _Array | slice, t: _Array) -> _Array:
        """States (*t.shape, 6) = [r v] of orbits `sel` at times t by `state_one`: the same bits as the array
        path, cheaper for a few pairs."""
        idx = np.arange(sel.start, sel.stop)[:, None] if isinstance(sel, slice) else sel
        pairs = zip(np.broadcast_to(idx, t.shape).ravel().tolist(), t.ravel().tolist(), strict=True)
        return np.array([self.state_one(i, ti) for i, ti in pairs], dtype=np.float64).reshape((*t.shape, 6))

    def states(self, t_s: ArrayLike) -> tuple[_Array, _Array]:
        """Inertial states of every orbit at times `t_s`: shape (K,) common to all orbits, or (n, K).
        Returns (position (n, K, 3) m, velocity (n, K, 3) m/s)."""
        r, v = self.states_rows(0, self.n_orbits, self._times(t_s))
        return r, cast(_Array, v)

    def positions(self, t_s: ArrayLike) -> _Array:
        """Inertial positions (n, K, 3), m, at times `t_s` ((K,) or (n, K))."""
        return self.states_rows(0, self.n_orbits, self._times(t_s), velocity=False)[0]

    def _times(self, t_s: ArrayLike) -> _Array:
        t = _f64(t_s)
        t2 = t if t.ndim == 2 else np.atleast_1d(t)[None, :]
        return np.broadcast_to(t2, (self.n_orbits, t2.shape[-1]))

    def time_of_mean_anomaly(self, mean_anomaly: ArrayLike, index: ArrayLike | None = None) -> _Array:
        """First time at or after each epoch at which the orbit reaches the given mean anomaly, s."""
        idx = np.arange(self.n_orbits) if index is None else np.asarray(index, dtype=np.intp)
        dm = np.mod(_f64(mean_anomaly) - self.m0[idx], _TWO_PI)
        return self.t0_s[idx] + dm / self.mean_motion[idx]

    def apoapsis_time(self) -> _Array:
        """First apoapsis passage at or after the epoch, s (n,)."""
        return self.time_of_mean_anomaly(np.pi)

    def descending_crossing_time(self, radius_m: ArrayLike, index: ArrayLike | None = None) -> _Array:
        """First time after the epoch at which the orbit comes down through `radius_m` (ν in (π, 2π)), s.
        NaN where the orbit stays above or below that radius."""
        idx = np.arange(self.n_orbits) if index is None else np.asarray(index, dtype=np.intp)
        e, r = self.e[idx], _f64(radius_m)
        with np.errstate(invalid="ignore", divide="ignore"):
            c = (self.semi_latus_rectum_m[idx] / r - 1.0) / e
            c = np.where(np.abs(c) <= 1.0, c, np.nan)
        nu = _TWO_PI - np.arccos(c)
        big_e = np.mod(np.arctan2(np.sqrt(1.0 - e * e) * np.sin(nu), e + np.cos(nu)), _TWO_PI)
        return self.time_of_mean_anomaly(big_e - e * np.sin(big_e), idx)

    def descending_crossing_time_one(self, i: int, radius_m: float) -> float:
        """`descending_crossing_time` of orbit i on Python floats: the same operations, the same bits (see
        `FLOATS_MATCH_NUMPY`), without numpy's per-call overhead."""
        e = float(self.e[i])
        c = (float(self.a_m[i]) * (1.0 - e * e) / radius_m - 1.0) / e if e != 0.0 else math.nan
        if not abs(c) <= 1.0:
            return math.nan
        nu = _TWO_PI - math.acos(c)
        big_e = math.atan2(math.sqrt(1.0 - e * e) * math.sin(nu), e + math.cos(nu)) % _TWO_PI
        dm = (big_e - e * math.sin(big_e) - float(self.m0[i])) % _TWO_PI
        return float(self.t0_s[i]) + dm / float(self.mean_motion[i])
