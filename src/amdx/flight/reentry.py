"""Reentry drag by ballistic coefficient: the Allen–Eggers entry applied as a slow-down along the vacuum path.

Closed forms (Allen & Eggers 1958, NACA Rep. 1381; refs/physics.md §2.3): constant flight-path angle γ below
the horizontal, no gravity, no lift, exponential atmosphere ρ = ρ0 e^(−h/H), ballistic coefficient
β = m/(C_D A) (kg/m²):
    V(h) = V_E exp[−ρ0 H e^(−h/H) / (2 β sin γ)],   a_max = V_E² sin γ / (2 e H)  (independent of β),
    at h* = H ln(ρ0 H / (β sin γ)), where V(h*) = V_E e^(−1/2).

Flight model (`drag_timing`): drag acts only on descent below `ENTRY_ALTITUDE_M` (120 km). The body keeps to the
vacuum path as seen from the rotating Earth (the air is at rest in ECEF), so the impact point is the vacuum one;
only the timing changes, which is the larger effect for high-β bodies (refs §2.3: range shortfall ≤ 2 km at
β ≥ 5000 kg/m², delays of seconds to a minute). The Earth-relative speed along that path is
    V = V_vac · f,  f = min(1, max(f_AE, V_t / (V_vac sin γ))),  f_AE = exp(−∫ ρ ds / (2β)),
i.e. the Allen–Eggers deceleration integrated along the actual path (equal to the closed form above when γ is
constant), never above the vacuum speed, and never so slow that the body loses altitude more slowly than when
falling at its vertical terminal speed V_t = √(2 β g / ρ), where gravity balances drag. Allen–Eggers neglects
gravity, so without that floor the speed would fall towards zero near the ground; with it the delays agree
with the numerically integrated table of refs §2.3 to about 30 % at β = 1000 kg/m² and 20 % above (tests).
Time then runs as dt = dτ / f against vacuum time τ.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numpy.typing import ArrayLike, NDArray

from amdx.flight import segment_kernels as sk
from amdx.flight.kepler import KeplerOrbits
from amdx.geo import EarthModel

RHO0_KG_M3 = 1.225
"""Sea-level density of the isothermal model atmosphere (refs §2.3), kg/m³."""
SCALE_HEIGHT_M = 7200.0
"""Density scale height H (refs §2.3), m."""
ENTRY_ALTITUDE_M = 120_000.0
"""Drag is applied below this altitude on descent (refs §2.3), m."""

_Array = NDArray[np.float64]


def density_kg_m3(alt_m: ArrayLike, rho0: float = RHO0_KG_M3, scale_height_m: float = SCALE_HEIGHT_M) -> _Array:
    """Exponential atmosphere ρ0 e^(−h/H), kg/m³."""
    return rho0 * np.exp(-np.asarray(alt_m, dtype=np.float64) / scale_height_m)


def allen_eggers_speed(alt_m: ArrayLike, entry_speed_mps: ArrayLike, gamma_rad: ArrayLike, beta_kg_m2: ArrayLike,
                       rho0: float = RHO0_KG_M3, scale_height_m: float = SCALE_HEIGHT_M) -> _Array:
    """Allen–Eggers speed at altitude h (m/s), entry speed V_E (m/s), path angle γ below horizontal (rad)."""
    expo = rho0 * scale_height_m * np.exp(-np.asarray(alt_m, dtype=np.float64) / scale_height_m)
    return np.asarray(entry_speed_mps) * np.exp(-expo / (2.0 * np.asarray(beta_kg_m2) * np.sin(gamma_rad)))


def allen_eggers_peak_deceleration(entry_speed_mps: ArrayLike, gamma_rad: ArrayLike,
                                   scale_height_m: float = SCALE_HEIGHT_M) -> _Array:
    """Peak deceleration V_E² sin γ / (2 e H), m/s² (independent of β)."""
    return np.asarray(entry_speed_mps) ** 2 * np.sin(gamma_rad) / (2.0 * np.e * scale_height_m)


def allen_eggers_peak_altitude(beta_kg_m2: ArrayLike, gamma_rad: ArrayLike, rho0: float = RHO0_KG_M3,
                               scale_height_m: float = SCALE_HEIGHT_M) -> _Array:
    """Altitude of peak deceleration h* = H ln(ρ0 H / (β sin γ)), m."""
    return scale_height_m * np.log(rho0 * scale_height_m / (np.asarray(beta_kg_m2) * np.sin(gamma_rad)))


@dataclass(frozen=True, eq=False)
class DragTiming:
    """Per-missile tables (n, N) mapping real time t to vacuum time τ on the drag segment, with the speed
    factor f = dτ/dt; `start_t_s` (n,) is where drag begins (t = τ there), `end_t_s` (n,) the delayed impact."""

    tau_s: _Array
    t_s: _Array
    factor: _Array
    start_t_s: _Array
    end_t_s: _Array

    def vacuum_time(self, index: ArrayLike, t_s: ArrayLike) -> tuple[_Array, _Array]:
        """(τ, f) for missiles `index` at real times `t_s` inside their drag segments (cubic Hermite in t
        with slopes f at the nodes)."""
        idx, t = np.broadcast_arrays(np.asarray(index, dtype=np.intp), np.asarray(t_s, dtype=np.float64))
        out = sk.vacuum_time_many(*self.kernel_tables, idx.ravel(), t.ravel())
        return out[0].reshape(t.shape), out[1].reshape(t.shape)

    @classmethod
    def concatenate(cls, parts: list[DragTiming]) -> DragTiming:
        """The tables of `parts` (same node count) stacked in order: each missile's rows are its own."""
        tables = [np.concatenate([getattr(p, name) for p in parts]) for name in ("tau_s", "t_s", "factor")]
        for arr in tables:
            arr.flags.writeable = False
        return cls(*tables, start_t_s=np.concatenate([p.start_t_s for p in parts]),
                   end_t_s=np.concatenate([p.end_t_s for p in parts]))

    @cached_property
    def kernel_tables(self) -> tuple[_Array, ...]:
        """(t nodes, τ nodes, f nodes, start (n,), segment spans (n,) s, sorted search keys (n·N,)): the arguments
        of the timing kernels (`segment_kernels.vacuum_time_one`). Missile i's nodes are keyed 2i + (t −
        start)/span, so that one sorted array finds the node interval of any (missile, time). Built once per
        table: every evaluation of a batch's drag segment needs them."""
        span = self.end_t_s - self.start_t_s
        span = np.where(span > 0.0, span, 1.0)
        keys = (2.0 * np.arange(self.t_s.shape[0])[:, None] + (self.t_s - self.start_t_s[:, None])
                / span[:, None]).ravel()
        for arr in (span, keys):
            arr.flags.writeable = False
        return self.t_s, self.tau_s, self.factor, self.start_t_s, span, keys


def drag_timing(orbits: KeplerOrbits, earth: EarthModel, start_t_s: ArrayLike, vacuum_impact_t_s: ArrayLike,
                beta_kg_m2: ArrayLike, n_nodes: int = 400, rho0: float = RHO0_KG_M3,
                scale_height_m: float = SCALE_HEIGHT_M) -> DragTiming:
    """Drag tables for every orbit, from `start_t_s` (descending through the entry altitude, or apogee if lower)
    to the vacuum impact; β per missile (kg/m²; inf = no drag). Nodes are spaced in vacuum time, closer
    towards impact where the air is dense."""
    n = orbits.n_orbits
    t_start = np.ascontiguousarray(np.broadcast_to(np.asarray(start_t_s, dtype=np.float64), (n,)))
    t_end = np.ascontiguousarray(np.broadcast_to(np.asarray(vacuum_impact_t_s, dtype=np.float64), (n,)))
    beta = np.ascontiguousarray(np.broadcast_to(np.asarray(beta_kg_m2, dtype=np.float64), (n,)))
    u = np.linspace(0.0, 1.0, n_nodes)
    tau, t, factor = np.empty((n, n_nodes)), np.empty((n, n_nodes)), np.empty((n, n_nodes))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        sk.drag_tables(orbits.consts, t_start, t_end, beta, 1.0 - (1.0 - u) ** 2, earth.omega_rad_s, earth.mu_m3_s2,
                       earth.a_m, earth.a_m**2, earth.e2, earth.is_sphere, float(rho0), float(scale_height_m), tau, t,
                       factor)
    for arr in (tau, t, factor):
        arr.flags.writeable = False
    return DragTiming(tau_s=tau, t_s=t, factor=factor, start_t_s=t_start.copy(), end_t_s=t[:, -1].copy())
