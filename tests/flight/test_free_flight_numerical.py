"""Analytic Kepler free flight against a numerical integration of the two-body equations (scipy DOP853)."""

from __future__ import annotations

import math

import numpy as np
import pymap3d
import pytest
from scipy.integrate import solve_ivp

from amdx.flight.ballistic import BoostModel, solve_ballistic
from amdx.flight.flights import BallisticFlights
from amdx.flight.kepler import KeplerOrbits
from amdx.geo import SPHERE, WGS84

MU = 3.986004418e14


def _integrate(r0, v0, t0, t_eval, mu=MU):
    """Two-body motion in the inertial frame, DOP853, rtol 1e-11."""

    def rhs(_t, y):
        r = y[:3]
        return np.concatenate([y[3:], -mu * r / np.linalg.norm(r) ** 3])

    sol = solve_ivp(rhs, (t0, t_eval[-1]), np.concatenate([r0, v0]), method="DOP853", t_eval=t_eval,
                    rtol=1e-11, atol=1e-6)
    assert sol.success
    return sol.y[:3].T, sol.y[3:].T


def _to_ecef(r_eci, t, omega):
    """ECI -> ECEF by the rotation of refs: the frames coincide at t = 0, ECEF turns about +z at omega."""
    th = -omega * t
    c, s = np.cos(th), np.sin(th)
    return np.stack([c * r_eci[:, 0] - s * r_eci[:, 1], s * r_eci[:, 0] + c * r_eci[:, 1], r_eci[:, 2]], axis=-1)


CASES = [
    ("sphere 1000 km min-energy", SPHERE, (0.0, 0.0, 0.0, 8.993), "min-energy", None),
    ("sphere 10000 km lofted", SPHERE, (10.0, 0.0, 50.0, 80.0), "lofted", None),
    ("wgs84 5500 km min-energy, boost", WGS84, (40.0, -100.0, 10.0, -60.0), "min-energy",
     BoostModel(150.0, 180e3, 100e3)),
    ("wgs84 2500 km lofted", WGS84, (-30.0, 20.0, -10.0, 30.0), "lofted", None),
    ("wgs84 9000 km depressed, boost", WGS84, (60.0, 30.0, 20.0, 110.0), "depressed",
     BoostModel(170.0, 150e3, 80e3)),
    ("wgs84 600 km depressed", WGS84, (33.0, 44.0, 36.0, 49.0), "depressed", None),
]


@pytest.mark.parametrize(("name", "earth", "geometry", "profile", "boost"), CASES, ids=[c[0] for c in CASES])
def test_analytic_flight_matches_numerical_integration(name, earth, geometry, profile, boost):
    sol = solve_ballistic(*geometry, profile=profile, earth=earth, boost=boost, launch_t_s=30.0)
    t = np.linspace(sol.burnout_t_s, sol.impact_t_s, 300)
    r_num, v_num = _integrate(np.asarray(sol.r_bo_eci_m), np.asarray(sol.v_bo_eci_mps), sol.burnout_t_s, t)
    flights = BallisticFlights.from_solutions([sol])
    pos = flights.position_ecef(t)[0]
    assert np.abs(pos - _to_ecef(r_num, t, earth.omega_rad_s)).max() < 1.0
    # and the numerically integrated flight ends on the aim point, in ECEF, within 1 m
    aim = np.array(pymap3d.geodetic2ecef(geometry[2], geometry[3], 0.0, ell=pymap3d.Ellipsoid(
        earth.a_m, earth.b_m)))
    assert np.linalg.norm(_to_ecef(r_num[-1:], t[-1:], earth.omega_rad_s)[0] - aim) < 1.0
    # inertial velocities too (m/s)
    _, v = KeplerOrbits(sol.r_bo_eci_m, sol.v_bo_eci_mps, sol.burnout_t_s).states(t)
    assert np.abs(v[0] - v_num).max() < 1e-3


def test_many_orbits_at_once_including_near_radial_ones():
    rng = np.random.default_rng(4)
    n = 12
    r0 = rng.normal(size=(n, 3))
    r0 = r0 / np.linalg.norm(r0, axis=1, keepdims=True) * rng.uniform(6.4e6, 7.5e6, n)[:, None]
    up = r0 / np.linalg.norm(r0, axis=1, keepdims=True)
    side = np.cross(up, rng.normal(size=(n, 3)))
    side /= np.linalg.norm(side, axis=1, keepdims=True)
    fpa = np.radians(np.concatenate([rng.uniform(5, 80, n - 3), [89.0, 89.9, 0.0]]))
    speed = rng.uniform(2e3, 9.5e3, n)
    speed[-1] = math.sqrt(MU / np.linalg.norm(r0[-1]))  # circular
    v0 = speed[:, None] * (np.cos(fpa)[:, None] * side + np.sin(fpa)[:, None] * up)
    energy = 0.5 * speed**2 - MU / np.linalg.norm(r0, axis=1)
    keep = energy < -1e6
    r0, v0 = r0[keep], v0[keep]
    orbits = KeplerOrbits(r0, v0, 5.0)
    t = np.linspace(5.0, 5.0 + 3000.0, 97)
    pos = orbits.positions(t)
    for i in range(r0.shape[0]):
        r_num, _ = _integrate(r0[i], v0[i], 5.0, t)
        assert np.abs(pos[i] - r_num).max() < 1.0
    # per-missile time grids (n, K) give the same answer
    per = orbits.positions(np.broadcast_to(t, (r0.shape[0], t.size)))
    assert np.array_equal(per, pos)


def test_non_elliptic_states_are_refused():
    with pytest.raises(ValueError, match="elliptic"):
        KeplerOrbits([[7e6, 0, 0]], [[0, 12e3, 0]], 0.0)
    with pytest.raises(ValueError, match="elliptic"):
        KeplerOrbits([[7e6, 0, 0]], [[3e3, 0, 0]], 0.0)  # radial


def test_dense_batch_path_matches_the_solver_for_many_missiles():
    from amdx.geo import ROTATING_SPHERE, ecef_to_eci, ecef_velocity_to_eci, local_velocity_ecef

    rng = np.random.default_rng(13)
    n = 700
    lat, lon, az = rng.uniform(-60, 60, n), rng.uniform(-180, 180, n), rng.uniform(0, 360, n)
    speed, fpa = rng.uniform(2e3, 6e3, n), rng.uniform(20, 60, n)
    r_ecef = np.stack(pymap3d.geodetic2ecef(lat, lon, 0.0, ell=pymap3d.Ellipsoid(6371e3, 6371e3)), axis=-1)
    v_ecef = local_velocity_ecef(lat, lon, az, speed, fpa)
    r = ecef_to_eci(r_ecef, 0.0, ROTATING_SPHERE)
    v = ecef_velocity_to_eci(r_ecef, v_ecef, 0.0, ROTATING_SPHERE)
    batch = BallisticFlights.from_burnout_states(r, v, 0.0, ROTATING_SPHERE)
    t = np.linspace(0.0, 1200.0, 64)
    pos, vel = batch.states_ecef(t)
    inside = t[None, :] <= batch.impact_t_s[:, None]
    assert inside.mean() > 0.5  # most points in flight
    assert np.array_equal(~np.isnan(pos[..., 0]), inside)
    ri, vi = KeplerOrbits(r, v, 0.0).states(t)
    th = ROTATING_SPHERE.omega_rad_s * t
    c, s = np.cos(th), np.sin(th)
    expected = np.stack([c * ri[..., 0] + s * ri[..., 1], -s * ri[..., 0] + c * ri[..., 1], ri[..., 2]], axis=-1)
    assert np.nanmax(np.abs(pos - np.where(inside[..., None], expected, np.nan))) < 1e-6
    # Earth-relative velocity: v_ecef = R(−θ) v_eci − ω ẑ × r_ecef
    w = ROTATING_SPHERE.omega_rad_s
    v_rot = np.stack([c * vi[..., 0] + s * vi[..., 1], -s * vi[..., 0] + c * vi[..., 1], vi[..., 2]], axis=-1)
    v_exp = v_rot - np.stack([-w * expected[..., 1], w * expected[..., 0], 0 * expected[..., 2]], axis=-1)
    assert np.nanmax(np.abs(vel - np.where(inside[..., None], v_exp, np.nan))) < 1e-9
