"""Kepler closed forms against refs/physics.md §1.1–§1.4 (BMW ch. 6) and Kepler's equation itself."""

from __future__ import annotations

import math

import numpy as np
import pytest

import amdx.flight.kepler as kepler
from amdx.flight.kepler import (
    angular_momentum,
    apogee_radius,
    apogee_speed,
    burnout_parameter,
    fpa_for_apogee,
    fpa_for_range,
    free_flight_time,
    min_energy_fpa,
    min_energy_fpa_two_point,
    min_energy_q,
    min_energy_speed,
    orbit_shape,
    range_angle,
    range_angle_symmetric,
    solve_kepler,
    specific_energy,
    two_point_speed,
)

MU = 3.986004418e14  # refs/physics.md constants
R_E = 6371.0e3
DEG = math.pi / 180.0

# refs/physics.md §1.2: D km, Ψ deg, v km/s, φ* deg, apogee km, TOF s, Q, e
TABLE_1_2 = [
    (300, 2.698, 1.6965, 44.326, 74.1, 251.0, 0.04600, 0.97673),
    (600, 5.396, 2.3717, 43.651, 146.4, 360.4, 0.08991, 0.95399),
    (1000, 8.993, 3.0161, 42.752, 239.9, 474.4, 0.14540, 0.92445),
    (1300, 11.691, 3.4009, 42.077, 307.9, 548.5, 0.18487, 0.90285),
    (2000, 17.986, 4.1129, 40.503, 458.8, 701.8, 0.27037, 0.85418),
    (3000, 26.980, 4.8650, 38.255, 655.2, 895.0, 0.37830, 0.78848),
    (5500, 49.463, 6.0752, 32.634, 1040.5, 1315.8, 0.58992, 0.64037),
    (10000, 89.932, 7.1981, 22.517, 1319.5, 1931.0, 0.82814, 0.41456),
]


@pytest.mark.parametrize(("d_km", "psi_deg", "v_kms", "phi_deg", "apo_km", "tof_s", "q", "e"), TABLE_1_2)
def test_minimum_energy_closed_forms_reproduce_table_1_2(d_km, psi_deg, v_kms, phi_deg, apo_km, tof_s, q, e):
    psi = d_km * 1e3 / R_E
    assert math.degrees(psi) == pytest.approx(psi_deg, abs=1e-3)
    q_min = float(min_energy_q(psi))
    assert q_min == pytest.approx(q, abs=1e-5)
    v = math.sqrt(q_min * MU / R_E)
    assert v / 1e3 == pytest.approx(v_kms, rel=1e-4)
    phi = float(min_energy_fpa(psi))
    assert math.degrees(phi) == pytest.approx(phi_deg, abs=1e-3)
    a, ecc = orbit_shape(R_E, v, phi, MU)
    assert ecc == pytest.approx(e, abs=1e-5)
    assert (apogee_radius(R_E, v, phi, MU) - R_E) / 1e3 == pytest.approx(apo_km, abs=0.1)
    assert a == pytest.approx(R_E * (1 + math.sin(psi / 2)) / 2, rel=1e-12)  # refs §1.1
    assert free_flight_time(R_E, v, phi, psi, MU) == pytest.approx(tof_s, abs=0.1)
    # the general (two-point) forms agree with the symmetric ones when r1 = r2
    assert min_energy_fpa_two_point(R_E, R_E, psi) == pytest.approx(phi, abs=1e-12)
    assert min_energy_speed(R_E, R_E, psi, MU) == pytest.approx(v, rel=1e-12)
    assert range_angle(R_E, v, phi, None, MU) == pytest.approx(psi, rel=1e-10)


def test_symmetric_time_of_flight_formula_of_refs_1_1():
    # t_ff = 2 sqrt(a³/μ) [π − E1 + e sin E1], tan(E1/2) = sqrt((1−e)/(1+e)) tan(ν1/2), ν1 = π − Ψ/2
    rng = np.random.default_rng(1)
    for _ in range(20):
        q = rng.uniform(0.05, 1.5)
        phi = rng.uniform(5, 80) * DEG
        psi = float(range_angle_symmetric(q, phi))
        v = math.sqrt(q * MU / R_E)
        a = R_E / (2 - q)
        e = math.sqrt(1 + q * (q - 2) * math.cos(phi) ** 2)
        nu1 = math.pi - psi / 2
        e1 = 2 * math.atan(math.sqrt((1 - e) / (1 + e)) * math.tan(nu1 / 2))
        t_ff = 2 * math.sqrt(a**3 / MU) * (math.pi - e1 + e * math.sin(e1))
        assert free_flight_time(R_E, v, phi, psi, MU) == pytest.approx(t_ff, rel=1e-10)
        assert range_angle(R_E, v, phi, R_E, MU) == pytest.approx(psi, rel=1e-10)


def test_optimality_row_of_table_1_2():
    # refs §1.2: at 3.0161 km/s, range vs φ; the speed is rounded to 5 digits, hence 0.1 km
    v = 3016.1
    for phi_deg, d_km in [(37.75, 984.6), (40.75, 997.5), (42.75, 1000.0), (44.75, 997.6), (47.75, 985.0)]:
        assert range_angle(R_E, v, phi_deg * DEG, None, MU) * R_E / 1e3 == pytest.approx(d_km, abs=0.1)


def test_two_point_minimum_energy_for_different_radii():
    r1, r2 = R_E + 150e3, R_E + 2e3
    for psi in (0.05, 0.3, 1.0, 2.0, 3.0):
        # brute force over the flight-path angle
        phis = np.linspace(-0.5 * psi + 1e-4, math.pi / 2 - 1e-4, 200001)
        v = two_point_speed(r1, r2, psi, phis, MU)
        best = np.nanargmin(v)
        assert min_energy_fpa_two_point(r1, r2, psi) == pytest.approx(phis[best], abs=1e-4)
        assert min_energy_speed(r1, r2, psi, MU) == pytest.approx(np.nanmin(v), rel=1e-9)
        # Lambert: the minimum-energy ellipse has a = (r1 + r2 + c)/4, c the chord
        c = math.sqrt(r1 * r1 + r2 * r2 - 2 * r1 * r2 * math.cos(psi))
        a_min = (r1 + r2 + c) / 4
        assert float(min_energy_speed(r1, r2, psi, MU)) ** 2 == pytest.approx(MU * (2 / r1 - 1 / a_min), rel=1e-9)
        # and the conic reaches r2 after Ψ
        phi = float(min_energy_fpa_two_point(r1, r2, psi))
        assert range_angle(r1, float(min_energy_speed(r1, r2, psi, MU)), phi, r2, MU) == pytest.approx(psi,
                                                                                                     rel=1e-9)


def test_flight_path_angle_equation_gives_both_roots():
    for q, psi in [(0.5, 0.6), (0.9, 1.5), (0.3, 0.2)]:
        low, high = fpa_for_range(q, psi)
        assert low < min_energy_fpa(psi) < high
        for phi in (low, high):
            assert range_angle_symmetric(q, phi) == pytest.approx(psi, rel=1e-9)
    assert all(np.isnan(x) for x in fpa_for_range(0.1, 2.0))  # beyond the maximum range for this Q


def test_bmw_case_a():
    r, v, r_apo = 1.2, 2.0 / 3.0, 1.5  # canonical units, μ = 1
    assert specific_energy(r, v, 1.0) == pytest.approx(-11.0 / 18.0, abs=1e-12)
    assert apogee_speed(r, v, r_apo, 1.0) == pytest.approx(1.0 / 3.0, abs=1e-12)
    phi = float(fpa_for_apogee(r, v, r_apo, 1.0))
    assert math.degrees(phi) == pytest.approx(51.318, abs=0.001)
    assert angular_momentum(r, v, phi) == pytest.approx(0.5, abs=1e-12)
    q = float(burnout_parameter(r, v, 1.0))
    assert q == pytest.approx(0.533, abs=5e-4)
    psi = float(range_angle_symmetric(q, phi))
    assert math.degrees(psi) == pytest.approx(36.4, abs=0.1)
    assert math.degrees(psi) == pytest.approx(36.390, abs=1e-3)
    assert apogee_radius(r, v, phi, 1.0) == pytest.approx(r_apo, rel=1e-12)
    assert free_flight_time(r, v, phi, psi, 1.0) == pytest.approx(2.467, abs=1e-3)  # [CALC] 33.2 min


def test_bmw_case_b():
    from amdx.geo import central_angle_rad

    psi = float(central_angle_rad(30.0, 60.0, -30.0, -60.0))
    assert math.cos(psi) == pytest.approx(-0.625, abs=1e-12)
    assert math.degrees(psi) == pytest.approx(128.682, abs=1e-3)
    q = float(burnout_parameter(1.025, 1.0817, 1.0))
    assert q == pytest.approx(1.2, abs=1e-3)
    assert math.degrees(fpa_for_range(1.2, psi)[1]) == pytest.approx(39.36, abs=0.01)
    assert math.degrees(fpa_for_range(q, psi)[1]) == pytest.approx(39.33, abs=0.01)


def test_bmw_case_c():
    du_nm = 6378.145 / 1.852
    psi = 8000.0 / du_nm
    assert psi == pytest.approx(2.32, abs=0.005)
    q = float(min_energy_q(psi))
    assert q == pytest.approx(0.957, abs=5e-4)
    v = math.sqrt(q / (1.0 + 344.0 / du_nm))
    assert v == pytest.approx(0.933, abs=5e-4)
    assert min_energy_speed(1.0 + 344.0 / du_nm, 1.0 + 344.0 / du_nm, psi, 1.0) == pytest.approx(v, rel=1e-12)


def test_bmw_case_d_metric():
    r = (6378.145 + 1275.6) * 1e3
    v = 5270.2
    r_apo = (6378.145 + 3189.1) * 1e3
    assert specific_energy(r, v, MU) / 1e6 == pytest.approx(-38.1914, rel=1e-4)
    assert apogee_speed(r, v, r_apo, MU) / 1e3 == pytest.approx(2.6351, rel=1e-3)
    phi = float(fpa_for_apogee(r, v, r_apo, MU))
    assert angular_momentum(r, v, phi) / 1e6 == pytest.approx(25211, rel=1e-3)
    assert math.degrees(phi) == pytest.approx(51.32, abs=0.1)
    q = float(burnout_parameter(r, v, MU))
    assert q == pytest.approx(0.533, abs=5e-4)
    assert math.degrees(range_angle_symmetric(q, phi)) == pytest.approx(36.4, abs=0.1)


def _influence(r, v, phi, psi, mu=1.0):
    s2 = math.sin(psi / 2) ** 2
    return (8 * mu * s2 / (v**3 * r * math.sin(2 * phi)),
            4 * mu * s2 / (v * v * r * r * math.sin(2 * phi)),
            2 * math.sin(2 * phi + psi) / math.sin(2 * phi) - 2)


def test_bmw_case_e_influence_coefficients_by_finite_differences():
    r, v, phi = 1.1, 0.905, 30.0 * DEG
    psi = float(range_angle(r, v, phi, None, 1.0))
    assert math.degrees(psi) == pytest.approx(100.526, abs=1e-3)  # "Ψ ≈ 100°"
    h = 1e-6
    d_v = (range_angle(r, v + h, phi, None, 1.0) - range_angle(r, v - h, phi, None, 1.0)) / (2 * h)
    d_r = (range_angle(r + h, v, phi, r + h, 1.0) - range_angle(r - h, v, phi, r - h, 1.0)) / (2 * h)
    d_phi = (range_angle(r, v, phi + h, None, 1.0) - range_angle(r, v, phi - h, None, 1.0)) / (2 * h)
    f_v, f_r, f_phi = _influence(r, v, phi, psi)
    assert (d_v, d_r, d_phi) == pytest.approx((f_v, f_r, f_phi), rel=1e-6)
    assert (d_v, d_phi, d_r) == pytest.approx((6.6997, -1.2301, 2.7560), abs=2e-4)
    # at Ψ = 100° exactly the book's coefficients: 6.6486, −1.2101, 2.7350
    assert _influence(r, v, phi, 100 * DEG) == pytest.approx((6.6486, 2.7350, -1.2101), abs=2e-4)
    total = d_v * -5e-5 + d_r * 5e-4 + d_phi * -1e-4
    assert total == pytest.approx(11.66e-4, abs=0.02e-4)
    assert total * 6378.145 == pytest.approx(7.4, abs=0.05)  # km of overshoot


def test_kepler_equation_converges_everywhere_in_the_fixed_iterations():
    m = np.concatenate([np.linspace(-7.0, 7.0, 40001), np.logspace(-12, 0, 400), -np.logspace(-12, 0, 400)])
    eccs = np.concatenate([np.linspace(0.0, 0.99, 34), 1.0 - np.logspace(-2, -9, 15)])
    for e in eccs:
        big_e = solve_kepler(m, e, tol=np.inf)  # tol = inf: only the fixed Halley and Newton steps
        assert np.abs(big_e - e * np.sin(big_e) - m).max() < 1e-14
    assert kepler.KEPLER_HALLEY_STEPS + kepler.KEPLER_NEWTON_STEPS <= 3
    assert np.ndim(solve_kepler(1.0, 0.5)) == 0
    assert solve_kepler(math.pi, 0.9) == pytest.approx(math.pi, abs=1e-15)  # apoapsis
    assert solve_kepler(0.0, 0.999) == pytest.approx(0.0, abs=1e-15)  # periapsis


def test_concatenated_orbits_equal_the_orbits_built_from_all_states():
    r = np.array([[7.0e6, 0.0, 1.0e5], [0.0, 6.9e6, 2.0e5], [6.6e6, 1.0e6, -3.0e5]])
    v = np.array([[0.0, 7.0e3, 1.0e3], [-6.5e3, 0.0, 2.0e3], [1.0e3, 6.0e3, 3.0e3]])
    t0 = np.array([0.0, 10.0, 25.0])
    whole = kepler.KeplerOrbits(r, v, t0)
    parts = [kepler.KeplerOrbits(r[:2], v[:2], t0[:2]), kepler.KeplerOrbits(r[2:], v[2:], t0[2:])]
    joined = kepler.KeplerOrbits.concatenate(parts)
    for name in ("t0_s", "consts", "a_m", "e", "b_m", "mean_motion", "m0", "p_hat", "q_hat"):
        np.testing.assert_array_equal(getattr(joined, name), getattr(whole, name))
    t = np.linspace(0.0, 3000.0, 7)
    np.testing.assert_array_equal(joined.positions(t), whole.positions(t))
    with pytest.raises(ValueError):
        kepler.KeplerOrbits.concatenate([kepler.KeplerOrbits(r[:1], v[:1], 0.0, mu=1.0e14), whole])
