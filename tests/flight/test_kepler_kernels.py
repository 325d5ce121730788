"""The compiled two-body kernels against independent references: a numerical integration (scipy DOP853) for
states seen from the rotating frame, central differences for the Earth-relative velocity, and the one property
the kernels exist for: a result does not depend on the size of the batch that computed it."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from amdx.flight.kepler import KeplerOrbits
from amdx.flight.surface import surface_crossing_time
from amdx.geo import WGS84, EarthModel, geodetic_to_ecef, local_velocity_ecef

SPHERE = EarthModel.rotating_sphere()


def _states(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Inertial states (r, v, t0) of suborbital flights: climbing and diving, low and high."""
    lat, lon = rng.uniform(-80.0, 80.0, n), rng.uniform(-180.0, 180.0, n)
    r = geodetic_to_ecef(lat, lon, rng.uniform(1e4, 8e5, n))
    v = local_velocity_ecef(lat, lon, rng.uniform(0.0, 360.0, n), rng.uniform(1500.0, 7000.0, n),
                            rng.uniform(-30.0, 60.0, n))
    return r, v, rng.uniform(0.0, 300.0, n)


def _orbits(rng: np.random.Generator, n: int) -> KeplerOrbits:
    return KeplerOrbits(*_states(rng, n), WGS84.mu_m3_s2)


def test_frame_states_match_an_integration_seen_from_the_rotating_frame() -> None:
    orbits = _orbits(np.random.default_rng(1), 3)
    w = WGS84.omega_rad_s
    for i in range(3):
        t0 = float(orbits.t0_s[i])
        t = np.linspace(t0, t0 + 900.0, 31)
        r0, v0 = orbits.states_at(i, t0)

        def rhs(_t: float, y: np.ndarray) -> np.ndarray:
            return np.concatenate([y[3:], -WGS84.mu_m3_s2 * y[:3] / np.linalg.norm(y[:3]) ** 3])

        sol = solve_ivp(rhs, (t0, t[-1]), np.concatenate([r0, v0]), method="DOP853", t_eval=t, rtol=1e-12,
                        atol=1e-6)
        th = -w * t
        c, s = np.cos(th), np.sin(th)
        x, y, z, vx, vy, vz = sol.y
        r_ref = np.stack([c * x - s * y, s * x + c * y, z], axis=-1)
        v_in = np.stack([c * vx - s * vy, s * vx + c * vy, vz], axis=-1)
        v_ref = v_in - np.cross([0.0, 0.0, w], r_ref)  # Earth-relative: v − ω ẑ × r
        r, v = orbits.frame_states_at(np.full(t.size, i), t, w)
        assert np.abs(r - r_ref).max() < 1e-2
        assert np.abs(v - v_ref).max() < 1e-4


def test_frame_velocity_is_the_derivative_of_the_frame_position() -> None:
    orbits = _orbits(np.random.default_rng(2), 50)
    t = orbits.t0_s + 400.0
    idx = np.arange(50)
    h = 1e-3
    w = WGS84.omega_rad_s
    r_plus, _ = orbits.frame_states_at(idx, t + h, w, velocity=False)
    r_minus, _ = orbits.frame_states_at(idx, t - h, w, velocity=False)
    _, v = orbits.frame_states_at(idx, t, w)
    assert np.abs((r_plus - r_minus) / (2 * h) - v).max() < 1e-4


@pytest.mark.parametrize("earth", [WGS84, SPHERE], ids=["wgs84", "sphere"])
def test_results_do_not_depend_on_the_batch_size(earth: EarthModel) -> None:
    """One orbit alone gives exactly what it gives inside a batch (states, one-state floats, crossing)."""
    r0, v0, t0 = _states(np.random.default_rng(3), 40)
    orbits = KeplerOrbits(r0, v0, t0)
    t = orbits.t0_s + np.random.default_rng(4).uniform(0.0, 2000.0, 40)
    r_all, v_all = orbits.states_at(np.arange(40), t)
    t_all = surface_crossing_time(orbits, 0.0, earth)
    for i in range(0, 40, 7):
        r, v = orbits.states_at(i, t[i])
        assert np.array_equal(r, r_all[i]) and np.array_equal(v, v_all[i])
        assert np.array_equal(surface_crossing_time(orbits, 0.0, earth, index=[i]), t_all[[i]], equal_nan=True)
        single = KeplerOrbits(r0[i], v0[i], t0[i])
        assert np.array_equal(single.states_at(0, t[i])[0], r)
        assert np.array_equal(surface_crossing_time(single, 0.0, earth), t_all[[i]], equal_nan=True)


def test_non_finite_times_give_nan_states() -> None:
    orbits = _orbits(np.random.default_rng(5), 2)
    r, v = orbits.states_at([0, 1], [np.nan, np.inf])
    assert np.isnan(r).all() and np.isnan(v).all()
