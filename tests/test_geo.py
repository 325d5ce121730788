"""Frames and great circles against closed forms, published geodetic constants and a peer library (pymap3d)."""

from __future__ import annotations

import math

import numpy as np
import pymap3d
import pytest

from amdx.geo import (
    ROTATING_SPHERE,
    SPHERE,
    WGS84,
    EarthModel,
    altitude_and_normal,
    central_angle_rad,
    destination_point,
    ecef_to_eci,
    ecef_to_geodetic,
    ecef_velocity_to_eci,
    eci_state_to_ecef,
    eci_to_ecef,
    eci_velocity_to_ecef,
    enu_basis,
    geodetic_to_ecef,
    great_circle_distance_m,
    initial_azimuth_deg,
    local_velocity_ecef,
    surface_distance_m,
)

A = 6378137.0
B = A * (1.0 - 1.0 / 298.257223563)  # WGS84 polar radius 6356752.314245 m
OMEGA = 7.2921159e-5


def test_earth_models_have_the_stated_constants():
    assert (WGS84.a_m, WGS84.f, WGS84.mu_m3_s2, WGS84.omega_rad_s) == (A, 1 / 298.257223563, 3.986004418e14,
                                                                       OMEGA)
    assert (SPHERE.a_m, SPHERE.f, SPHERE.omega_rad_s) == (6371000.0, 0.0, 0.0)
    assert EarthModel.rotating_sphere() == ROTATING_SPHERE
    assert (ROTATING_SPHERE.a_m, ROTATING_SPHERE.f, ROTATING_SPHERE.omega_rad_s) == (6371000.0, 0.0, OMEGA)
    assert WGS84.b_m == pytest.approx(6356752.314245, abs=1e-6)


@pytest.mark.parametrize(
    ("lat", "lon", "alt", "expected"),
    [
        (0.0, 0.0, 0.0, (A, 0.0, 0.0)),
        (0.0, 90.0, 0.0, (0.0, A, 0.0)),
        (0.0, 180.0, 100.0, (-(A + 100.0), 0.0, 0.0)),
        (90.0, 0.0, 0.0, (0.0, 0.0, B)),
        (-90.0, 123.0, 10.0, (0.0, 0.0, -(B + 10.0))),
    ],
)
def test_known_ecef_points_on_wgs84(lat, lon, alt, expected):
    assert geodetic_to_ecef(lat, lon, alt) == pytest.approx(np.array(expected), abs=1e-6)


def test_sphere_is_exact_geocentric():
    r = 6371000.0 + 1000.0
    c = math.cos(math.radians(45.0))
    assert geodetic_to_ecef(45.0, 45.0, 1000.0, SPHERE) == pytest.approx([r * c * c, r * c * c, r * c], abs=1e-6)
    lat, lon, alt = ecef_to_geodetic([1.0e6, -2.0e6, 3.0e6], SPHERE)
    assert lat == pytest.approx(math.degrees(math.atan2(3.0e6, math.hypot(1.0e6, 2.0e6))), abs=1e-12)
    assert lon == pytest.approx(math.degrees(math.atan2(-2.0, 1.0)), abs=1e-12)
    assert alt == pytest.approx(math.sqrt(14.0) * 1e6 - 6371000.0, abs=1e-6)


def test_wgs84_conversions_agree_with_pymap3d():
    rng = np.random.default_rng(11)
    lat = rng.uniform(-90, 90, 2000)
    lon = rng.uniform(-180, 180, 2000)
    alt = np.concatenate([rng.uniform(-1e3, 1e5, 1000), rng.uniform(1e5, 4e7, 1000)])
    ours = geodetic_to_ecef(lat, lon, alt)
    theirs = np.stack(pymap3d.geodetic2ecef(lat, lon, alt), axis=-1)
    assert np.abs(ours - theirs).max() < 1e-6
    # pymap3d's inverse is itself approximate far from the surface (1e-7 deg at 1000 km): compare below 100 km
    near = alt < 1e5
    glat, _glon, galt = pymap3d.ecef2geodetic(*ours[near].T)
    lat2, _lon2, alt2 = ecef_to_geodetic(ours[near])
    assert near.sum() > 0
    assert np.abs(lat2 - glat).max() < 1e-10
    assert np.abs(alt2 - galt).max() < 1e-6


@pytest.mark.parametrize("earth", [WGS84, SPHERE])
def test_round_trips_scalar_and_array(earth):
    rng = np.random.default_rng(3)
    lat = np.concatenate([rng.uniform(-90, 90, 500), [90.0, -90.0, 0.0, 89.9999999]])
    lon = np.concatenate([rng.uniform(-180, 180, 500), [0.0, 0.0, 180.0, -179.0]])
    alt = np.concatenate([rng.uniform(-5e3, 2e6, 500), [0.0, 5.0, -100.0, 1e5]])
    lat2, lon2, alt2 = ecef_to_geodetic(geodetic_to_ecef(lat, lon, alt, earth), earth)
    assert np.abs(lat2 - lat).max() < 1e-10
    away_from_poles = np.abs(lat) < 89.0
    dlon = (lon2 - lon + 180.0) % 360.0 - 180.0
    assert np.abs(dlon[away_from_poles]).max() < 1e-10
    assert np.abs(alt2 - alt).max() < 1e-6
    s_lat, s_lon, s_alt = ecef_to_geodetic(geodetic_to_ecef(12.5, -33.25, 321.0, earth), earth)
    assert np.ndim(s_lat) == np.ndim(s_lon) == np.ndim(s_alt) == 0
    assert (s_lat, s_lon, s_alt) == pytest.approx((12.5, -33.25, 321.0), abs=1e-8)
    grid = geodetic_to_ecef(lat.reshape(2, -1, 2)[..., 0], 10.0, 0.0, earth)
    assert grid.shape == (2, lat.size // 4, 3)


def test_inputs_are_not_mutated():
    xyz = geodetic_to_ecef([10.0, 20.0], [30.0, 40.0], [0.0, 1.0])
    before = xyz.copy()
    ecef_to_geodetic(xyz)
    ecef_to_eci(xyz, [1.0, 2.0])
    assert np.array_equal(xyz, before)


def test_enu_basis_is_orthonormal_and_up_is_the_ellipsoid_normal():
    east, north, up = enu_basis(37.0, -122.0)
    m = np.stack([east, north, up])
    assert m @ m.T == pytest.approx(np.eye(3), abs=1e-15)
    assert np.cross(east, north) == pytest.approx(up, abs=1e-15)
    # the normal of x²/a² + y²/a² + z²/b² = 1 is the gradient (x/a², y/a², z/b²)
    p = geodetic_to_ecef(37.0, -122.0, 0.0)
    grad = p / np.array([A * A, A * A, B * B])
    assert up == pytest.approx(grad / np.linalg.norm(grad), abs=1e-14)
    v = local_velocity_ecef(37.0, -122.0, 90.0, 100.0, 30.0)
    assert v == pytest.approx(100.0 * (math.cos(math.radians(30)) * east + 0.5 * up), abs=1e-12)


def test_eci_is_ecef_turned_by_90_degrees_after_a_quarter_sidereal_day():
    quarter = (math.pi / 2.0) / OMEGA  # 5383.5 s
    assert ecef_to_eci([A, 0.0, 0.0], quarter, WGS84) == pytest.approx([0.0, A, 0.0], abs=1e-6)
    assert ecef_to_eci([0.0, A, 5.0], quarter, WGS84) == pytest.approx([-A, 0.0, 5.0], abs=1e-6)
    assert eci_to_ecef([0.0, A, 0.0], quarter, WGS84) == pytest.approx([A, 0.0, 0.0], abs=1e-6)
    assert ecef_to_eci([A, 0.0, 0.0], 0.0, WGS84) == pytest.approx([A, 0.0, 0.0], abs=0.0)
    # a point at rest on the equator moves east at omega * a = 465.1 m/s (refs §2.1: "465 m/s")
    v0 = ecef_velocity_to_eci([A, 0.0, 0.0], [0.0, 0.0, 0.0], 0.0, WGS84)
    assert v0 == pytest.approx([0.0, OMEGA * A, 0.0], abs=1e-9)
    assert float(np.linalg.norm(v0)) == pytest.approx(465.0, abs=0.5)
    assert ecef_velocity_to_eci([A, 0.0, 0.0], [0.0, 0.0, 0.0], quarter, WGS84) == pytest.approx(
        [-OMEGA * A, 0.0, 0.0], abs=1e-9)
    # a non-rotating Earth: the frames coincide at all times
    assert ecef_to_eci([1.0, 2.0, 3.0], 1e5, SPHERE) == pytest.approx([1.0, 2.0, 3.0], abs=0.0)


def test_frame_rotation_is_vectorised_over_a_time_axis_and_round_trips():
    rng = np.random.default_rng(5)
    t = np.linspace(0.0, 86400.0, 7)
    xyz = rng.normal(size=(4, 7, 3)) * 7e6
    eci = ecef_to_eci(xyz, t, WGS84)
    assert eci.shape == (4, 7, 3)
    for k, tk in enumerate(t):
        th = OMEGA * tk
        rot = np.array([[math.cos(th), -math.sin(th), 0.0], [math.sin(th), math.cos(th), 0.0], [0.0, 0.0, 1.0]])
        assert eci[:, k] == pytest.approx(xyz[:, k] @ rot.T, abs=1e-6)
    assert eci_to_ecef(eci, t, WGS84) == pytest.approx(xyz, abs=1e-6)
    v = rng.normal(size=(4, 7, 3)) * 1e3
    v_eci = ecef_velocity_to_eci(xyz, v, t, WGS84)
    assert eci_velocity_to_ecef(eci, v_eci, t, WGS84) == pytest.approx(v, abs=1e-9)


def test_inertial_velocity_is_the_time_derivative_of_the_inertial_position():
    # a point moving in ECEF: r(t) = r0 + v t; the ECI velocity must be d/dt of ecef_to_eci(r(t), t)
    r0 = np.array([4.0e6, 3.0e6, 2.0e6])
    v = np.array([100.0, -200.0, 50.0])
    t, h = 1234.0, 1e-3
    num = (ecef_to_eci(r0 + v * (t + h), t + h, WGS84) - ecef_to_eci(r0 + v * (t - h), t - h, WGS84)) / (2 * h)
    assert ecef_velocity_to_eci(r0 + v * t, v, t, WGS84) == pytest.approx(num, abs=1e-5)


def _law_of_cosines_m(lat1, lon1, lat2, lon2, radius=6371000.0):
    p1, p2, dl = math.radians(lat1), math.radians(lat2), math.radians(lon2 - lon1)
    return radius * math.acos(math.sin(p1) * math.sin(p2) + math.cos(p1) * math.cos(p2) * math.cos(dl))


@pytest.mark.parametrize(
    ("a", "b", "approx_km"),
    [
        ((48.8566, 2.3522), (40.7128, -74.0060), 5837),  # Paris - New York
        ((51.5074, -0.1278), (35.6762, 139.6503), 9559),  # London - Tokyo
        ((-33.8688, 151.2093), (-36.8485, 174.7633), 2156),  # Sydney - Auckland
        ((0.0, 0.0), (0.0, 180.0), 20015),  # half the equator
    ],
)
def test_great_circle_distance_of_city_pairs(a, b, approx_km):
    d = great_circle_distance_m(*a, *b)
    assert d == pytest.approx(_law_of_cosines_m(*a, *b), rel=1e-9)
    assert d / 1e3 == pytest.approx(approx_km, abs=1.0)
    assert central_angle_rad(*a, *b) == pytest.approx(d / 6371000.0, rel=1e-12)


def test_initial_azimuth_against_the_tangent_plane_projection():
    rng = np.random.default_rng(8)
    for _ in range(20):
        lat1, lat2 = rng.uniform(-80, 80, 2)
        lon1, lon2 = rng.uniform(-180, 180, 2)
        # direction of point 2 seen from point 1, projected on the local tangent plane
        p1 = np.array(geodetic_to_ecef(lat1, lon1, 0.0, SPHERE))
        p2 = np.array(geodetic_to_ecef(lat2, lon2, 0.0, SPHERE))
        east, north, _ = enu_basis(lat1, lon1)
        d = p2 - p1
        expected = math.degrees(math.atan2(d @ east, d @ north)) % 360.0
        assert initial_azimuth_deg(lat1, lon1, lat2, lon2) == pytest.approx(expected, abs=1e-9)
    assert initial_azimuth_deg(0.0, 0.0, 0.0, 10.0) == pytest.approx(90.0)
    assert initial_azimuth_deg(0.0, 0.0, 10.0, 0.0) == pytest.approx(0.0)
    assert initial_azimuth_deg(0.0, 10.0, 0.0, 0.0) == pytest.approx(270.0)


def test_destination_point_inverts_distance_and_azimuth():
    rng = np.random.default_rng(9)
    lat1, lon1 = rng.uniform(-70, 70, 50), rng.uniform(-180, 180, 50)
    lat2, lon2 = rng.uniform(-70, 70, 50), rng.uniform(-180, 180, 50)
    az = initial_azimuth_deg(lat1, lon1, lat2, lon2)
    d = great_circle_distance_m(lat1, lon1, lat2, lon2)
    lat3, lon3 = destination_point(lat1, lon1, az, d)
    assert np.abs(lat3 - lat2).max() < 1e-9
    assert np.abs((lon3 - lon2 + 180) % 360 - 180).max() < 1e-9
    # a quarter of a great circle north from the equator reaches the pole
    assert destination_point(0.0, 20.0, 0.0, math.pi / 2 * 6371000.0)[0] == pytest.approx(90.0)


def test_surface_distance_on_each_earth_model():
    # sphere: great circle on its radius
    assert surface_distance_m(10, 20, 30, 40, SPHERE) == pytest.approx(
        _law_of_cosines_m(10, 20, 30, 40, 6371000.0), rel=1e-9)
    # WGS84: one degree along the equator is a*pi/180; equator to pole is the quarter meridian 10 001 965.729 m
    assert surface_distance_m(0.0, 0.0, 0.0, 1.0, WGS84) == pytest.approx(A * math.pi / 180, abs=1e-3)
    assert surface_distance_m(0.0, 0.0, 90.0, 0.0, WGS84) == pytest.approx(10_001_965.729, abs=0.01)
    d = surface_distance_m([0.0, 45.0], [0.0, 7.0], [0.0, 45.0], [0.0, 7.0], WGS84)
    assert d == pytest.approx([0.0, 0.0], abs=0.0)
    lat = np.array([90.0])
    surface_distance_m(lat, 0.0, 0.0, 0.0, WGS84)
    assert lat[0] == 90.0  # not edited in place


@pytest.mark.parametrize("earth", [WGS84, SPHERE], ids=["wgs84", "sphere"])
def test_altitude_and_normal_are_the_altitude_and_its_gradient(earth):
    """`altitude_and_normal` (the crossing solver's step): the altitude of `ecef_to_geodetic` (checked against
    pymap3d above), and a normal that is both the "up" vector of `enu_basis` and the gradient of the altitude
    by central differences."""
    rng = np.random.default_rng(8)
    lat, lon = rng.uniform(-89.0, 89.0, 200), rng.uniform(-180.0, 180.0, 200)
    p = geodetic_to_ecef(lat, lon, rng.uniform(-5e3, 1e6, 200), earth)
    up = enu_basis(*ecef_to_geodetic(p, earth)[:2])[2]
    h = 0.5
    for q, u in zip(p, up, strict=True):
        alt, *n = altitude_and_normal(*q, earth.a_m, earth.a_m**2, earth.e2, earth.is_sphere)
        assert alt == pytest.approx(float(ecef_to_geodetic(q, earth)[2]), abs=1e-8)
        assert n == pytest.approx(u, abs=1e-12)
        grad = [(altitude_and_normal(*(q + h * d), earth.a_m, earth.a_m**2, earth.e2, earth.is_sphere)[0]
                 - altitude_and_normal(*(q - h * d), earth.a_m, earth.a_m**2, earth.e2, earth.is_sphere)[0])
                / (2 * h) for d in np.eye(3)]
        assert grad == pytest.approx(n, abs=1e-7)


def test_frame_rotation_of_points_with_one_time_or_a_time_each():
    # the engine's shapes (one point, rows with one time, rows with a time each) against the rotation matrix
    # and v_eci = R(θ)(v_ecef + ω ẑ × r_ecef); and the same bits as the general broadcast (rows along a time axis)
    rng = np.random.default_rng(11)
    r = rng.normal(size=(6, 3)) * 7e6
    v = rng.normal(size=(6, 3)) * 3e3
    for t in (rng.uniform(0.0, 5e4, 6), 1234.5):
        tt = np.broadcast_to(t, (6,))
        eci = ecef_to_eci(r, t, WGS84)
        v_eci = ecef_velocity_to_eci(r, v, t, WGS84)
        for k in range(6):
            th = OMEGA * tt[k]
            rot = np.array([[math.cos(th), -math.sin(th), 0.0], [math.sin(th), math.cos(th), 0.0], [0.0, 0.0, 1.0]])
            assert eci[k] == pytest.approx(rot @ r[k], abs=1e-6)
            assert v_eci[k] == pytest.approx(rot @ (v[k] + np.cross([0.0, 0.0, OMEGA], r[k])), abs=1e-9)
            assert ecef_to_eci(r[k], tt[k], WGS84) == pytest.approx(eci[k], abs=0.0)
        back, v_back = eci_state_to_ecef(eci, v_eci, t, WGS84)
        assert back == pytest.approx(r, abs=1e-6) and v_back == pytest.approx(v, abs=1e-9)
        assert np.array_equal(eci_to_ecef(eci, t, WGS84), back)
        # points (1, 6, 3) against times (6,) or (1,) take the general broadcast: the same values to the bit
        general = ecef_to_eci(r[None], np.atleast_1d(t), WGS84)
        assert general.shape == (1, 6, 3) and np.array_equal(general[0], eci)
