"""Aimed ballistic trajectories on the textbook sphere against refs/physics.md §1.2 and §1.3."""

from __future__ import annotations

import math

import numpy as np
import pytest

from amdx.flight.ballistic import BoostModel, UnreachableAim, fly_free, solve_ballistic
from amdx.geo import SPHERE, WGS84, destination_point

R_E = 6371.0e3
MU = 3.986004418e14

# refs/physics.md §1.2: D km, v km/s, φ* deg, apogee km, TOF s
TABLE_1_2 = [
    (300, 1.6965, 44.326, 74.1, 251.0),
    (600, 2.3717, 43.651, 146.4, 360.4),
    (1000, 3.0161, 42.752, 239.9, 474.4),
    (1300, 3.4009, 42.077, 307.9, 548.5),
    (2000, 4.1129, 40.503, 458.8, 701.8),
    (3000, 4.8650, 38.255, 655.2, 895.0),
    (5500, 6.0752, 32.634, 1040.5, 1315.8),
    (10000, 7.1981, 22.517, 1319.5, 1931.0),
]


@pytest.mark.parametrize(("d_km", "v_kms", "phi_deg", "apo_km", "tof_s"), TABLE_1_2)
def test_minimum_energy_table_on_the_sphere(d_km, v_kms, phi_deg, apo_km, tof_s):
    lat, lon = destination_point(20.0, 30.0, 57.0, d_km * 1e3)  # any direction: the sphere does not rotate
    sol = solve_ballistic(20.0, 30.0, float(lat), float(lon), earth=SPHERE)
    assert sol.time_of_flight_s == pytest.approx(tof_s, rel=1e-3)
    assert sol.free_flight_time_s == sol.time_of_flight_s
    assert sol.burnout_speed_mps / 1e3 == pytest.approx(v_kms, rel=1e-3)
    assert sol.burnout_speed_inertial_mps == pytest.approx(sol.burnout_speed_mps, rel=1e-12)
    assert sol.apogee_m / 1e3 == pytest.approx(apo_km, abs=0.5)
    assert sol.flight_path_angle_deg == pytest.approx(phi_deg, abs=0.01)
    assert sol.ground_range_m / 1e3 == pytest.approx(d_km, rel=1e-6)
    assert sol.free_flight_range_angle_rad == pytest.approx(d_km * 1e3 / R_E, rel=1e-9)
    assert (sol.impact_lat_deg, sol.impact_lon_deg) == pytest.approx((lat, lon), abs=1e-9)
    assert sol.burnout_t_s == sol.launch_t_s == 0.0
    assert sol.burnout_t_s < sol.apogee_t_s < sol.impact_t_s
    # symmetric trajectory: apogee half-way in time and in range
    assert sol.apogee_t_s == pytest.approx(sol.impact_t_s / 2, rel=1e-9)


def test_flat_earth_model_would_fail_these_tolerances():
    # refs §1.2 flat-Earth comparison: 3.134 km/s at 1000 km is ~4% off the spherical 3.0161 km/s
    lat, lon = destination_point(0.0, 0.0, 90.0, 1000e3)
    sol = solve_ballistic(0.0, 0.0, float(lat), float(lon), earth=SPHERE)
    assert abs(sol.burnout_speed_mps / 3134.0 - 1.0) > 0.03


def test_range_is_maximal_at_the_optimal_angle():
    # refs §1.2 optimality row: forward problem at 3.0161 km/s (speed rounded to 5 digits: 0.15 km)
    phis = [37.75, 40.75, 42.75, 44.75, 47.75]
    ranges_km = [984.6, 997.5, 1000.0, 997.6, 985.0]
    ff = fly_free(0.0, 0.0, 0.0, 90.0, 3016.1, phis, earth=SPHERE)
    assert ff.ground_range_m / 1e3 == pytest.approx(ranges_km, abs=0.15)
    fine = fly_free(0.0, 0.0, 0.0, 90.0, 3016.1, np.linspace(41.75, 43.75, 201), earth=SPHERE)
    assert np.linspace(41.75, 43.75, 201)[np.argmax(fine.ground_range_m)] == pytest.approx(42.752, abs=0.02)


def test_lofted_check_of_refs_1_3():
    # 960 km ground range with a 4500 km apogee: 50.5 min of free flight, v = 7.21 km/s at φ = 84.8°
    lat, lon = destination_point(0.0, 0.0, 90.0, 960e3)
    sol = solve_ballistic(0.0, 0.0, float(lat), float(lon), earth=SPHERE, profile="lofted", apogee_m=4500e3)
    assert sol.free_flight_time_s / 60 == pytest.approx(50.5, abs=0.05)
    assert sol.burnout_speed_mps / 1e3 == pytest.approx(7.21, abs=0.005)
    assert sol.flight_path_angle_deg == pytest.approx(84.8, abs=0.05)
    assert sol.apogee_m == pytest.approx(4500e3, abs=1e-3)
    # the public total of "about 54 minutes" includes a boost of a few minutes: ±10 % (refs §1.3, §8)
    boosted = solve_ballistic(0.0, 0.0, float(lat), float(lon), earth=SPHERE, profile="lofted",
                              apogee_m=4500e3, boost=BoostModel(180.0, 300e3, 20e3))
    assert boosted.time_of_flight_s / 60 == pytest.approx(54.0, rel=0.10)


@pytest.mark.parametrize(("d_km", "minutes"), [(1000, 7.9), (10000, 32.0)])
def test_public_orders_of_magnitude(d_km, minutes):
    # refs §1.3: ±20 % (public figures include boost and reentry)
    lat, lon = destination_point(0.0, 0.0, 90.0, d_km * 1e3)
    sol = solve_ballistic(0.0, 0.0, float(lat), float(lon), earth=SPHERE)
    assert sol.time_of_flight_s / 60 == pytest.approx(minutes, rel=0.2)


def test_profiles_are_ordered_and_meet_the_requested_apogee():
    lat, lon = destination_point(10.0, 10.0, 45.0, 2000e3)
    me = solve_ballistic(10.0, 10.0, float(lat), float(lon), earth=SPHERE)
    lofted = solve_ballistic(10.0, 10.0, float(lat), float(lon), earth=SPHERE, profile="lofted")
    depressed = solve_ballistic(10.0, 10.0, float(lat), float(lon), earth=SPHERE, profile="depressed")
    assert lofted.apogee_m == pytest.approx(2.0 * me.apogee_m, rel=1e-9)
    assert depressed.apogee_m == pytest.approx(0.6 * me.apogee_m, rel=1e-9)
    assert depressed.flight_path_angle_deg < me.flight_path_angle_deg < lofted.flight_path_angle_deg
    assert depressed.time_of_flight_s < me.time_of_flight_s < lofted.time_of_flight_s
    assert me.burnout_speed_mps < min(depressed.burnout_speed_mps, lofted.burnout_speed_mps)
    for sol in (lofted, depressed):
        # independent check of the conic: the textbook range equation with the solved Q and φ
        q = sol.burnout_speed_mps**2 * R_E / MU
        c2 = math.cos(math.radians(sol.flight_path_angle_deg)) ** 2
        psi = 2 * math.acos((1 - q * c2) / math.sqrt(1 + q * (q - 2) * c2))
        assert psi * R_E == pytest.approx(2000e3, rel=1e-9)
        assert (sol.impact_lat_deg, sol.impact_lon_deg) == pytest.approx((lat, lon), abs=1e-9)


def test_minimum_energy_with_burnout_at_altitude():
    # r1 ≠ r2: the speed must be the least of all flight-path angles (brute force with the forward problem)
    lat, lon = destination_point(0.0, 0.0, 90.0, 1500e3)
    boost = BoostModel(90.0, 120e3, 60e3)
    sol = solve_ballistic(0.0, 0.0, float(lat), float(lon), earth=SPHERE, boost=boost)
    assert sol.burnout_alt_m == pytest.approx(120e3, abs=1e-6)
    assert sol.burnout_t_s == 90.0
    assert sol.time_of_flight_s == pytest.approx(sol.free_flight_time_s + 90.0, abs=1e-9)
    ff_start = destination_point(0.0, 0.0, 90.0, 60e3)
    phis = np.linspace(sol.flight_path_angle_deg - 3, sol.flight_path_angle_deg + 3, 61)
    # for each angle, the speed that reaches the same impact point, by bisection on the forward problem
    target = 1500e3 - 60e3  # ground range from the burnout point
    lo, hi = np.full(phis.shape, 1000.0), np.full(phis.shape, 7000.0)
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        rng = fly_free(ff_start[0], ff_start[1], 120e3, 90.0, mid, phis, earth=SPHERE).ground_range_m
        lo, hi = np.where(rng < target, mid, lo), np.where(rng < target, hi, mid)
    assert sol.burnout_speed_mps == pytest.approx(lo.min(), rel=1e-6)
    assert phis[np.argmin(lo)] == pytest.approx(sol.flight_path_angle_deg, abs=0.1)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"profile": "lofted", "apogee_m": 100e3}, "above the minimum-energy apogee"),
        ({"profile": "depressed", "apogee_m": 900e3}, "below the minimum-energy apogee"),
        ({"profile": "depressed", "apogee_m": 1e3, "launch_alt_m": 0.0, "aim_alt_m": 5e3}, "depressed"),
        ({"boost": BoostModel(60.0, 80e3, 2500e3)}, "within the boost"),
    ],
)
def test_unreachable_geometry_raises_a_clear_error(kwargs, message):
    lat, lon = destination_point(0.0, 0.0, 90.0, 2000e3)
    with pytest.raises(UnreachableAim, match=message):
        solve_ballistic(0.0, 0.0, float(lat), float(lon), earth=SPHERE, **kwargs)


def test_half_the_globe_and_zero_range_are_unreachable():
    with pytest.raises(UnreachableAim, match="half-way"):
        solve_ballistic(0.0, 0.0, 0.0, 180.0, earth=SPHERE)
    with pytest.raises(UnreachableAim, match="too close"):
        solve_ballistic(10.0, 10.0, 10.0, 10.0, earth=WGS84)
    assert issubclass(UnreachableAim, ValueError)


def test_bad_arguments_are_value_errors_naming_the_problem():
    with pytest.raises(ValueError, match="sideways"):
        solve_ballistic(0.0, 0.0, 0.0, 10.0, profile="sideways")
    with pytest.raises(ValueError, match=r"\[-90, 90\]"):
        solve_ballistic(95.0, 0.0, 0.0, 10.0)
    with pytest.raises(ValueError, match="burn_time_s"):
        BoostModel(0.0, 80e3, 10e3)
