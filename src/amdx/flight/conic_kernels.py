"""Compiled closed forms of the free-flight conic (BMW ch. 6, see `kepler`) and the aiming geometry.

Aiming a missile (`ballistic._aim_in_eci`) evaluates these a few times per round on single numbers, where numpy's
per-call overhead was nearly all of the cost; the public vectorised forms in `kepler` loop over the same
functions. The operations are those of the numpy code they replaced, in the same order (libm functions, IEEE,
no fastmath): the same bits.
"""

from __future__ import annotations

import math

import numpy as np

from amdx.jit import kernel

TWO_PI = 2.0 * math.pi


@kernel
def min_energy_fpa_two_point(r1: float, r2: float, psi: float) -> float:
    """Flight-path angle (rad) of least burnout speed from radius r1 to r2 over range angle psi."""
    return 0.5 * math.atan2(math.sin(psi), r1 / r2 - math.cos(psi))


@kernel
def two_point_speed(r1: float, r2: float, psi: float, fpa: float, mu: float) -> float:
    """Burnout speed (m/s) of the conic from r1 at angle fpa through r2 after psi; NaN when no conic does."""
    den = r1 * math.cos(fpa) * (r1 / r2 * math.cos(fpa) - math.cos(fpa + psi))
    if not den > 0.0:
        return np.nan
    return math.sqrt(mu * (1.0 - math.cos(psi)) / den)


@kernel
def _eccentric_anomaly(nu: float, e: float) -> float:
    """Eccentric anomaly, continuous with the true anomaly (same number of turns)."""
    big_e = math.atan2(math.sqrt(1.0 - e * e) * math.sin(nu), e + math.cos(nu))
    return big_e + TWO_PI * np.rint((nu - big_e) / TWO_PI)


@kernel
def free_flight_time(r1: float, v: float, fpa: float, psi: float, mu: float) -> float:
    """Time (s) to fly range angle psi from burnout (r1, v, fpa) on an elliptic orbit; NaN otherwise."""
    h = r1 * v * math.cos(fpa)
    p = h * h / mu
    ecos = p / r1 - 1.0
    esin = math.sqrt(p / mu) * v * math.sin(fpa)
    e, nu1 = np.hypot(ecos, esin), math.atan2(esin, ecos)
    a = 1.0 / (2.0 / r1 - v * v / mu)
    e1 = _eccentric_anomaly(nu1, e)
    e2 = _eccentric_anomaly(nu1 + psi, e)
    dm = (e2 - e * math.sin(e2)) - (e1 - e * math.sin(e1))
    if not a > 0.0:
        return np.nan
    return dm * math.sqrt(abs(a) ** 3.0 / mu)


@kernel
def two_point_speed_many(r1: np.ndarray, r2: np.ndarray, psi: np.ndarray, fpa: np.ndarray, mu: float) -> np.ndarray:
    out = np.empty(r1.size)
    for k in range(r1.size):
        out[k] = two_point_speed(r1[k], r2[k], psi[k], fpa[k], mu)
    return out


@kernel
def min_energy_fpa_two_point_many(r1: np.ndarray, r2: np.ndarray, psi: np.ndarray) -> np.ndarray:
    out = np.empty(r1.size)
    for k in range(r1.size):
        out[k] = min_energy_fpa_two_point(r1[k], r2[k], psi[k])
    return out


@kernel
def free_flight_time_many(r1: np.ndarray, v: np.ndarray, fpa: np.ndarray, psi: np.ndarray, mu: float) -> np.ndarray:
    out = np.empty(r1.size)
    for k in range(r1.size):
        out[k] = free_flight_time(r1[k], v[k], fpa[k], psi[k], mu)
    return out


@kernel
def aim_geometry(r1_vec: np.ndarray, r_aim_ecef: np.ndarray, t_s: float, omega: float, r2_vec: np.ndarray
                 ) -> tuple[float, float, float]:
    """The aim point's ECI position at t_s (written to r2_vec: the ECEF point turned by ω t about z), and
    (|r1|, |r2|, range angle ψ = atan2(|r1 × r2|, r1 · r2)) from the burnout position r1_vec."""
    theta = omega * t_s
    c, s = math.cos(theta), math.sin(theta)
    x, y, z = r_aim_ecef[0], r_aim_ecef[1], r_aim_ecef[2]
    r2_vec[0], r2_vec[1], r2_vec[2] = c * x - s * y, s * x + c * y, z
    a0, a1, a2 = r1_vec[0], r1_vec[1], r1_vec[2]
    b0, b1, b2 = r2_vec[0], r2_vec[1], r2_vec[2]
    c0, c1, c2 = a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0
    r1 = math.sqrt((a0 * a0 + a1 * a1) + a2 * a2)
    r2 = math.sqrt((b0 * b0 + b1 * b1) + b2 * b2)
    psi = math.atan2(math.sqrt((c0 * c0 + c1 * c1) + c2 * c2), (a0 * b0 + a1 * b1) + a2 * b2)
    return r1, r2, psi


@kernel
def burnout_velocity(r1_vec: np.ndarray, r2_vec: np.ndarray, r1: float, r2: float, psi: float, fpa: float,
                     speed: float, v_bo: np.ndarray) -> None:
    """The burnout velocity (written to v_bo) of the given speed and flight-path angle in the plane of r1_vec and
    r2_vec, heading towards r2_vec."""
    cp = math.cos(psi)
    u0, u1, u2 = r1_vec[0] / r1, r1_vec[1] / r1, r1_vec[2] / r1
    h0, h1, h2 = r2_vec[0] / r2 - cp * u0, r2_vec[1] / r2 - cp * u1, r2_vec[2] / r2 - cp * u2
    hn = math.sqrt((h0 * h0 + h1 * h1) + h2 * h2)
    h0, h1, h2 = h0 / hn, h1 / hn, h2 / hn
    cf, sf = math.cos(fpa), math.sin(fpa)
    v_bo[0], v_bo[1], v_bo[2] = speed * (cf * h0 + sf * u0), speed * (cf * h1 + sf * u1), speed * (cf * h2 + sf * u2)
