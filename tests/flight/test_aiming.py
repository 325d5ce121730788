"""Aiming on the rotating WGS84 Earth: the propagated impact lands on the aim point (refs/physics.md §2.1)."""

from __future__ import annotations

import numpy as np
import pymap3d
import pytest

from amdx.flight.ballistic import BoostModel, UnreachableAim, solve_ballistic
from amdx.geo import WGS84, destination_point, great_circle_distance_m

BOOSTS = {"none": None, "srbm": BoostModel(60.0, 50e3, 20e3), "icbm": BoostModel(180.0, 200e3, 150e3)}


def _pairs(seed, n, lo_km, hi_km):
    rng = np.random.default_rng(seed)
    lat = rng.uniform(-70, 70, n)
    lon = rng.uniform(-180, 180, n)
    az = rng.uniform(0, 360, n)
    d = rng.uniform(lo_km, hi_km, n) * 1e3
    alat, alon = destination_point(lat, lon, az, d)
    return list(zip(lat, lon, alat, alon, strict=True))


@pytest.mark.parametrize("profile", ["min-energy", "lofted", "depressed"])
@pytest.mark.parametrize("boost", ["none", "srbm", "icbm"])
def test_impact_lands_on_the_aim_point(profile, boost):
    lo, hi = (300, 1500) if boost == "srbm" else (800, 9000)
    seed = 10 * ["min-energy", "lofted", "depressed"].index(profile) + list(BOOSTS).index(boost)
    for i, (lat, lon, alat, alon) in enumerate(_pairs(seed, 4, lo, hi)):
        aim_alt = 350.0 * i
        sol = solve_ballistic(lat, lon, alat, alon, profile=profile, earth=WGS84, boost=BOOSTS[boost],
                              launch_t_s=100.0 * i, aim_alt_m=aim_alt)
        aim = np.array(pymap3d.geodetic2ecef(alat, alon, aim_alt))
        assert np.linalg.norm(sol.r_impact_ecef_m - aim) < 1.0
        assert great_circle_distance_m(sol.impact_lat_deg, sol.impact_lon_deg, alat, alon) < 1.0
        assert sol.launch_t_s < sol.burnout_t_s or boost == "none"
        assert sol.burnout_t_s <= sol.apogee_t_s < sol.impact_t_s
        assert sol.apogee_m > max(sol.burnout_alt_m, aim_alt)
        if boost != "none":
            assert sol.burnout_alt_m == pytest.approx(BOOSTS[boost].burnout_altitude_m, abs=1e-6)
            assert sol.burnout_t_s - sol.launch_t_s == BOOSTS[boost].burn_time_s
        # the ground range is measured launch -> impact on the ellipsoid (Vincenty), close to the sphere's
        gc = great_circle_distance_m(lat, lon, alat, alon)
        assert sol.ground_range_m == pytest.approx(gc, rel=0.006)


def test_requested_apogee_is_met_on_the_ellipsoid():
    for profile, apogee in (("lofted", 1500e3), ("depressed", 150e3)):
        sol = solve_ballistic(50.0, 10.0, 30.0, 40.0, profile=profile, apogee_m=apogee, earth=WGS84,
                              boost=BOOSTS["srbm"])
        assert sol.apogee_m == pytest.approx(apogee, abs=0.01)
        _lat, _lon, alt = pymap3d.ecef2geodetic(*pymap3d.geodetic2ecef(sol.apogee_lat_deg, sol.apogee_lon_deg,
                                                                      sol.apogee_m))
        assert alt == pytest.approx(apogee, abs=0.01)


def test_flight_path_angle_and_speed_are_relative_to_the_rotating_ground():
    sol = solve_ballistic(0.0, 0.0, 0.0, 20.0, earth=WGS84)
    v_rel = np.asarray(sol.v_bo_eci_mps) - np.cross([0.0, 0.0, WGS84.omega_rad_s], sol.r_bo_eci_m)
    assert np.linalg.norm(v_rel) == pytest.approx(sol.burnout_speed_mps, rel=1e-12)
    assert np.linalg.norm(sol.v_bo_eci_mps) == pytest.approx(sol.burnout_speed_inertial_mps, rel=1e-12)
    # on the equator the ellipsoid normal is radial
    up = np.asarray(sol.r_bo_eci_m) / np.linalg.norm(sol.r_bo_eci_m)
    assert np.degrees(np.arcsin(v_rel @ up / np.linalg.norm(v_rel))) == pytest.approx(sol.flight_path_angle_deg,
                                                                                     abs=1e-9)


def test_solution_vectors_are_read_only():
    sol = solve_ballistic(0.0, 0.0, 0.0, 5.0)
    with pytest.raises(ValueError):
        sol.r_bo_eci_m[0] = 0.0


def test_boost_that_ends_below_the_launch_horizon_is_refused():
    # 1500 km downrange at 10 km altitude: the burnout point is far below the launch horizon
    with pytest.raises(UnreachableAim, match="horizon"):
        solve_ballistic(0.0, 0.0, 0.0, 40.0, boost=BoostModel(60.0, 10e3, 1500e3))
