"""4/3-Earth radar horizon and line of sight against refs/physics.md §3.3."""

from __future__ import annotations

import numpy as np
import pymap3d
import pytest

from amdx.geo import SPHERE, WGS84, destination_point
from amdx.sensors.horizon import clears_effective_earth, horizon_distance_m, line_of_sight

R_E = 6_371_000.0  # refs/physics.md constants: R_E = 6371.0 km

# refs/physics.md §3.3 worked numbers, one end (target on the surface): h -> (k = 1, k = 4/3) km
ONE_END_KM = {10.0: (11.29, 13.03), 100.0: (35.70, 41.22), 1_000.0: (112.9, 130.3), 10_000.0: (357.0, 412.2)}


@pytest.mark.parametrize("h_m", list(ONE_END_KM))
def test_horizon_table(h_m):
    geometric, refracted = ONE_END_KM[h_m]
    assert horizon_distance_m(h_m, 0.0, k_factor=1.0) == pytest.approx(geometric * 1e3, abs=100.0)
    assert horizon_distance_m(h_m) == pytest.approx(refracted * 1e3, abs=100.0)
    assert horizon_distance_m(0.0, h_m) == pytest.approx(refracted * 1e3, abs=100.0)


def test_radar_10_m_target_100_m():
    # refs/physics.md §3.3: 46.98 km (k = 1), 54.25 km (k = 4/3); 54.28 km on 4/3 × 6378.137 km;
    # 54.20 km with R_e = 8,477,362 m; practical form 4.12(√h_t + √h_r) km
    assert horizon_distance_m(10.0, 100.0, k_factor=1.0) == pytest.approx(46.98e3, abs=100.0)
    assert horizon_distance_m(10.0, 100.0) == pytest.approx(54.25e3, abs=100.0)
    assert horizon_distance_m(10.0, 100.0, earth_radius_m=6_378_137.0) == pytest.approx(54.28e3, abs=100.0)
    assert horizon_distance_m(10.0, 100.0, k_factor=8_477_362.0 / R_E) == pytest.approx(54.20e3, abs=100.0)
    practical = 4.12e3 * (np.sqrt(100.0) + np.sqrt(10.0))
    assert horizon_distance_m(10.0, 100.0) == pytest.approx(practical, abs=100.0)
    h = np.array([[10.0], [30.0]])
    assert horizon_distance_m(h, np.array([0.0, 100.0])).shape == (2, 2)


def test_effective_earth_boundary_is_the_exact_tangent():
    # exact tangent distance on the effective sphere kR (ground distance kept): kR(acos(kR/(kR+h_r)) + ...)
    kr = 4.0 / 3.0 * R_E
    h_r, h_t = 10.0, np.array([100.0, 1_000.0, 10_000.0, 300_000.0])
    d = kr * (np.arccos(kr / (kr + h_r)) + np.arccos(kr / (kr + h_t)))
    np.testing.assert_allclose(d[0], 54.25e3, atol=100.0)
    assert np.all(clears_effective_earth(h_r, h_t, (d - 1.0) / R_E))
    assert not np.any(clears_effective_earth(h_r, h_t, (d + 1.0) / R_E))
    # close targets are always seen, also at low height; a target below the surface counts as on it
    assert np.all(clears_effective_earth(h_r, np.array([0.0, -50.0, 5.0]), np.array([0.0, 1e-4, 1e-3])))


@pytest.mark.parametrize("earth", [SPHERE, WGS84])
def test_line_of_sight_just_below_and_above_the_horizon(earth):
    lat0, lon0, h_r = 47.0, 8.0, 10.0
    x0, y0, z0 = pymap3d.geodetic2ecef(lat0, lon0, h_r, ell=pymap3d.Ellipsoid(earth.a_m, earth.b_m))
    site = np.array([x0, y0, z0])
    for h_t in (100.0, 3_000.0, 100_000.0):
        d = horizon_distance_m(h_r, h_t)
        az = np.array([0.0, 75.0, 160.0, 250.0])
        near = np.repeat([0.99 * d, 1.01 * d], len(az))
        lat, lon = destination_point(lat0, lon0, np.tile(az, 2), near)
        x, y, z = pymap3d.geodetic2ecef(lat, lon, h_t, ell=pymap3d.Ellipsoid(earth.a_m, earth.b_m))
        seen = line_of_sight(site, np.stack([x, y, z], axis=-1), earth=earth)
        assert seen[: len(az)].all(), (h_t, seen)
        assert not seen[len(az):].any(), (h_t, seen)


def test_line_of_sight_is_symmetric_and_vectorised():
    rng = np.random.default_rng(3)
    lat, lon = destination_point(30.0, 50.0, rng.uniform(0, 360, 300), rng.uniform(0, 600e3, 300))
    alt = rng.uniform(0, 20e3, 300)
    pts = np.stack(pymap3d.geodetic2ecef(lat, lon, alt), axis=-1)
    site = pts[0]
    seen = line_of_sight(site, pts)
    back = np.array([line_of_sight(p, site) for p in pts])
    np.testing.assert_array_equal(seen, back)
    assert seen.any() and not seen.all()
