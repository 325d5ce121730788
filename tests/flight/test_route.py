"""Waypoint routes against the great-circle closed form and a peer geodetic library (pymap3d)."""

from __future__ import annotations

import math

import numpy as np
import pymap3d
import pytest

from amdx.flight.route import RouteFlight
from amdx.geo import SPHERE

R = 6371000.0
LAT = [10.0, 12.0, 12.5, 15.0]
LON = [20.0, 22.0, 25.0, 25.0]
ALT = [100.0, 5000.0, 5000.0, 30.0]
SPEED = [250.0, 300.0, 200.0]


def _haversine_m(lat1, lon1, lat2, lon2):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * R * math.asin(math.sqrt(a))


@pytest.fixture()
def route():
    return RouteFlight(LAT, LON, ALT, SPEED, 100.0)


def test_leg_times_are_distance_over_speed(route):
    expected = [_haversine_m(LAT[i], LON[i], LAT[i + 1], LON[i + 1]) / SPEED[i] for i in range(3)]
    assert route.leg_duration_s == pytest.approx(expected, rel=1e-12)
    assert route.waypoint_t_s == pytest.approx(100.0 + np.concatenate([[0.0], np.cumsum(expected)]), rel=1e-12)
    assert route.end_t_s == pytest.approx(100.0 + sum(expected), rel=1e-12)
    assert route.duration_s == pytest.approx(sum(expected), rel=1e-12)


def test_positions_at_the_waypoints(route):
    pos = route.position_ecef(route.waypoint_t_s)
    expected = np.stack(pymap3d.geodetic2ecef(np.array(LAT), np.array(LON), np.array(ALT)), axis=-1)
    assert pos == pytest.approx(expected, abs=1e-6)


def test_nan_before_the_start_and_after_the_end(route):
    pos = route.position_ecef([99.999, 100.0, route.end_t_s, route.end_t_s + 0.001])
    assert np.all(np.isnan(pos[[0, 3]])) and not np.any(np.isnan(pos[[1, 2]]))
    lat, _, _ = route.geodetic(np.array([[0.0, 150.0]]))
    assert lat.shape == (1, 2) and np.isnan(lat[0, 0]) and not np.isnan(lat[0, 1])


def test_constant_ground_speed_on_great_circles_and_linear_altitude(route):
    t0, t1 = route.waypoint_t_s[0], route.waypoint_t_s[1]
    t = np.linspace(t0, t1, 11)
    lat, lon, alt = route.geodetic(t)
    for k in range(10):
        d = _haversine_m(lat[k], lon[k], lat[k + 1], lon[k + 1])
        assert d == pytest.approx(SPEED[0] * (t[k + 1] - t[k]), rel=1e-9)
    assert alt == pytest.approx(np.linspace(ALT[0], ALT[1], 11), abs=1e-9)
    # the mid-time point lies on the great circle: distances to both ends add up to the leg length
    mid = 5
    d0 = _haversine_m(LAT[0], LON[0], lat[mid], lon[mid])
    d1 = _haversine_m(lat[mid], lon[mid], LAT[1], LON[1])
    assert d0 == pytest.approx(d1, rel=1e-9)
    assert d0 + d1 == pytest.approx(_haversine_m(LAT[0], LON[0], LAT[1], LON[1]), rel=1e-12)


def test_velocity_on_a_level_leg_of_the_sphere():
    flight = RouteFlight([0.0, 0.0], [0.0, 10.0], [1000.0, 1000.0], 200.0, 0.0, earth=SPHERE)
    t = np.linspace(1.0, flight.end_t_s - 1.0, 9)
    v = flight.velocity_ecef(t)
    # ground speed is defined on the 6371 km sphere, so at altitude h the speed is v (R + h)/R, due east
    assert np.linalg.norm(v, axis=-1) == pytest.approx(200.0 * (R + 1000.0) / R, rel=1e-6)
    pos = flight.position_ecef(t)
    radial = np.einsum("ij,ij->i", v, pos / np.linalg.norm(pos, axis=-1, keepdims=True))
    assert radial == pytest.approx(np.zeros(9), abs=1e-5)  # level flight: no vertical speed
    assert np.all(np.isnan(flight.velocity_ecef([-1.0])))


def test_bad_routes_are_refused():
    with pytest.raises(ValueError, match="two waypoints"):
        RouteFlight([1.0], [2.0], [3.0], 100.0)
    with pytest.raises(ValueError, match="speed"):
        RouteFlight([0.0, 1.0], [0.0, 1.0], [0.0, 0.0], 0.0)
    with pytest.raises(ValueError, match="latitudes"):
        RouteFlight([0.0, 91.0], [0.0, 1.0], [0.0, 0.0], 100.0)


def test_state_ecef_against_pymap3d_and_the_leg_speed(route):
    """Positions at the waypoint times are the waypoints (pymap3d's WGS84 conversion); mid-leg, the ECEF speed is
    the leg's ground speed scaled to the altitude flown, with the climb rate added in quadrature."""
    p, _ = route.state_ecef(route.waypoint_t_s[:-1])
    expected = np.array(pymap3d.geodetic2ecef(LAT[:-1], LON[:-1], ALT[:-1])).T
    np.testing.assert_allclose(p, expected, atol=0.01)
    mid = 0.5 * (route.waypoint_t_s[:-1] + route.waypoint_t_s[1:])
    _, v_mid = route.state_ecef(mid)
    climb = np.diff(ALT) / route.leg_duration_s
    ground = np.array(SPEED) * (R + 0.5 * (np.array(ALT[:-1]) + np.array(ALT[1:]))) / R
    # legs are great circles on the 6371 km sphere drawn through WGS84 (module docstring): the ellipsoid's radii
    # of curvature differ from 6371 km by up to about 1 %, so the ECEF speed may too
    np.testing.assert_allclose(np.linalg.norm(v_mid, axis=1), np.hypot(ground, climb), rtol=1e-2)
    p_out, v_out = route.state_ecef([route.t0_s - 1.0, route.end_t_s + 1.0])
    assert np.isnan(p_out).all() and np.isnan(v_out).all()
