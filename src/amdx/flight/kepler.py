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

from collections.abc import Callable, Sequence
from typing import cast

import numpy as np
from numpy.typing import ArrayLike, NDArray

from amdx.flight import conic_kernels as ck
from amdx.flight import kepler_kernels as kk
from amdx.flight.kepler_kernels import KEPLER_HALLEY_STEPS, KEPLER_NEWTON_STEPS, KEPLER_TOL  # noqa: F401 (documented here)

MU_EARTH_M3_S2 = 3.986004418e14
"""Earth's gravitational parameter (refs/physics.md constants), m³/s²."""

_Array = NDArray[np.float64]
_TWO_PI = 2.0 * np.pi


def _f64(x: ArrayLike) -> _Array:
    return np.asarray(x, dtype=np.float64)


def _out(x: _Array) -> _Array:
    return x[()] if np.ndim(x) == 0 else x


def _map(fn: Callable[..., _Array], args: tuple[ArrayLike, ...], *scalars: float) -> _Array:
    """A compiled loop `fn` over the broadcast of `args` (flat, one length), then `scalars`; shaped back."""
    arrays = np.broadcast_arrays(*(_f64(a) for a in args))
    out = fn(*(np.ascontiguousarray(a).ravel() for a in arrays), *(float(x) for x in scalars))
    return _out(out.reshape(arrays[0].shape))


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
    return _map(ck.two_point_speed_many, (r1_m, r2_m, psi_rad, fpa_rad), mu)


def min_energy_fpa_two_point(r1_m: ArrayLike, r2_m: ArrayLike, psi_rad: ArrayLike) -> _Array:
    """Flight-path angle (rad) of least burnout speed from radius r1 to radius r2 over range angle Ψ:
    tan 2φ* = sin Ψ / (r1/r2 − cos Ψ) (setting d v²/dφ = 0 in `two_point_speed`; = (π − Ψ)/4 when r1 = r2)."""
    return _map(ck.min_energy_fpa_two_point_many, (r1_m, r2_m, psi_rad))


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


def free_flight_time(r1_m: ArrayLike, v_mps: ArrayLike, fpa_rad: ArrayLike, psi_rad: ArrayLike,
                     mu: float = MU_EARTH_M3_S2) -> _Array:
    """Time (s) to fly range angle Ψ from burnout (r1, v, φ) on an elliptic orbit (Kepler's equation)."""
    return _map(ck.free_flight_time_many, (r1_m, v_mps, fpa_rad, psi_rad), mu)


# --- Kepler's equation ---------------------------------------------------------------------------------------
def solve_kepler(mean_anomaly: ArrayLike, e: ArrayLike, tol: float = KEPLER_TOL) -> _Array:
    """Eccentric anomaly E (rad) with E − e sin E = M, for 0 ≤ e < 1, vectorised.

    M is reduced to [0, π] by the symmetry E(2π − M) = 2π − E(M). There f(E) = E − e sin E − M is increasing
    and convex, and the root lies in the bracket [M, min(M + e, π)]. The start is the root of the cubic
    (1 − e)E + eE³/6 = M (a lower bound, as sin E ≥ E − E³/6; M itself for e < 0.3), followed by
    `KEPLER_HALLEY_STEPS` Halley steps and `KEPLER_NEWTON_STEPS` Newton steps, each clipped to the bracket.
    On a dense grid of M and of e up to 1 − 1e-9 this fixed sequence leaves a residual below 1e-15 (tested),
    apsides and e → 1 near perigee included. Convergence is nevertheless guaranteed, not just observed:
    wherever the residual still exceeds `tol`, clipped Newton steps follow, and from any point of the bracket
    those converge (a step from the left of the root lands on its right by convexity; from the right the
    iterates decrease monotonically to the root). Compiled: `kepler_kernels.solve_kepler_one`.
    """
    m, ecc = np.broadcast_arrays(_f64(mean_anomaly), _f64(e))
    flat = kk.solve_kepler_many(np.ascontiguousarray(m).ravel(), np.ascontiguousarray(ecc).ravel(), float(tol))
    return _out(flat.reshape(m.shape))


# --- batch propagator ----------------------------------------------------------------------------------------
class KeplerOrbits:
    """A batch of elliptic two-body orbits, built once from inertial states, evaluated at any times.

    Args:
        r0_m: positions (n, 3), inertial frame, m.
        v0_mps: velocities (n, 3), inertial frame, m/s.
        t0_s: epochs (n,) (or scalar) of those states, s.
        mu: gravitational parameter, m³/s².

    Raises ValueError for a non-elliptic (parabolic or hyperbolic) or rectilinear state.
    Elements and evaluations are compiled (`kepler_kernels`): one loop over orbits or (orbit, time) pairs.
    """

    def __init__(self, r0_m: ArrayLike, v0_mps: ArrayLike, t0_s: ArrayLike, mu: float = MU_EARTH_M3_S2):
        r0 = np.ascontiguousarray(_f64(r0_m).reshape(-1, 3))
        v0 = np.ascontiguousarray(_f64(v0_mps).reshape(-1, 3))
        n = r0.shape[0]
        self.mu = float(mu)
        t0 = _f64(t0_s)
        self.t0_s = t0.reshape(n).copy() if t0.size == n and t0.ndim <= 1 else np.broadcast_to(t0, (n,)).copy()
        elements = np.empty((n, kk.N_ELEMENTS))
        self.consts = np.empty((n, kk.N_CONSTS))
        """Per-orbit constants of the evaluation kernels (layout in `kepler_kernels`)."""
        if kk.elements(r0, v0, self.t0_s, self.mu, elements, self.consts):
            raise ValueError("KeplerOrbits needs elliptic, non-rectilinear states (energy < 0, h > 0)")
        self._freeze(elements)

    def _freeze(self, elements: _Array) -> None:
        """Make the epochs, elements and constants read-only and expose the elements' columns."""
        for arr in (self.t0_s, elements, self.consts):
            arr.flags.writeable = False
        self._elements = elements
        # read-only views of the elements (layout in `kepler_kernels.elements`)
        self.a_m, self.e, self.b_m, self.mean_motion, self.m0 = elements.T[:5]  # row views of the transpose
        self.p_hat, self.q_hat = elements[:, 5:8], elements[:, 8:11]

    @classmethod
    def concatenate(cls, parts: Sequence[KeplerOrbits]) -> KeplerOrbits:
        """The orbits of `parts` (same μ) in one batch, in order: their elements and constants stacked as they
        were computed (each orbit's are its own), not derived again."""
        if not parts or any(p.mu != parts[0].mu for p in parts):
            raise ValueError("concatenate needs at least one batch, all with the same gravitational parameter")
        out = cls.__new__(cls)
        out.mu = parts[0].mu
        out.t0_s = np.concatenate([p.t0_s for p in parts])
        out.consts = np.concatenate([p.consts for p in parts])
        out._freeze(np.concatenate([p._elements for p in parts]))
        return out

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
        return self.frame_states_at(index, t_s, 0.0, velocity)

    def frame_states_at(self, index: ArrayLike, t_s: ArrayLike, omega_rad_s: float,
                        velocity: bool = True) -> tuple[_Array, _Array | None]:
        """`states_at` seen from a frame turning at `omega_rad_s` about z that coincides with the inertial one
        at t = 0 (ECEF for the Earth's rate, as `geo.eci_state_to_ecef`: velocity relative to that frame);
        0 gives the inertial states. One compiled pass, no intermediate inertial arrays."""
        idx, t = np.broadcast_arrays(np.asarray(index, dtype=np.intp), _f64(t_s))
        if idx.size and (idx.min() < 0 or idx.max() >= self.n_orbits):
            raise IndexError(f"orbit indices must be in [0, {self.n_orbits}): {idx.min()}..{idx.max()}")
        pos = np.empty((*t.shape, 3))
        vel = np.empty((*t.shape, 3)) if velocity else pos
        kk.states_many(self.consts, np.ascontiguousarray(idx).ravel(), np.ascontiguousarray(t).ravel(),
                       float(omega_rad_s), pos.reshape(-1, 3), vel.reshape(-1, 3), velocity)
        return pos, (vel if velocity else None)

    def states_rows(self, start: int, stop: int, t_s: ArrayLike,
                    velocity: bool = True) -> tuple[_Array, _Array | None]:
        """Like `states_at` for the orbits start:stop at times t_s of shape (stop − start, K) or (K,)."""
        t = np.broadcast_to(_f64(t_s), (stop - start, np.shape(t_s)[-1]))
        return self.states_at(np.arange(start, stop)[:, None], t, velocity)

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
