"""`impact_probabilities` and `air_probabilities` against the plain per-pair rules they stand for (the great-circle
distance and azimuth of `amdx.geo`, the far-pair test, and `probability_inside_disc` of each near pair; the
closest approach of a straight line), and `probability_inside_disc` with and without broadcast inputs."""

from __future__ import annotations

import numpy as np

from amdx.c2.air_threats import HEADING_SPREAD, HORIZON_S
from amdx.c2.disc_kernels import air_probabilities, ellipse_probabilities, impact_probabilities
from amdx.c2.threat_evaluation import disc_points, probability_inside_disc
from amdx.geo import SPHERE, WGS84, geodetic_to_ecef, great_circle_distance_m, initial_azimuth_deg
from amdx.tracking.impact import ellipse_scale


def test_impact_probabilities_are_the_per_pair_rule() -> None:
    rng = np.random.default_rng(4)
    lat, lon = rng.uniform(40.0, 41.0, 60), rng.uniform(20.0, 21.5, 60)
    lat[3], lon[7] = np.nan, np.inf  # unknown impacts threaten nothing
    alat, alon, radius = rng.uniform(40.0, 41.0, 9), rng.uniform(20.0, 21.5, 9), rng.uniform(2e3, 20e3, 9)
    a, b, th = rng.uniform(500.0, 30e3, 60), rng.uniform(100.0, 10e3, 60), rng.uniform(0.0, np.pi, 60)
    u = np.stack([np.sin(th), np.cos(th)], -1)
    w = np.stack([np.cos(th), -np.sin(th)], -1)
    cov = (a * a)[:, None, None] * u[:, :, None] * u[:, None, :] \
        + (b * b)[:, None, None] * w[:, :, None] * w[:, None, :]
    want = np.zeros((60, 9))
    for i in range(60):
        if not (np.isfinite(lat[i]) and np.isfinite(lon[i])):
            continue
        for j in range(9):
            reach = radius[j] + 6.0 * np.sqrt(np.trace(cov[i]))
            chord = np.linalg.norm(geodetic_to_ecef(lat[i], lon[i], 0.0, SPHERE)
                                   - geodetic_to_ecef(alat[j], alon[j], 0.0, SPHERE))
            dist = great_circle_distance_m(lat[i], lon[i], alat[j], alon[j])
            if chord <= reach * (1.0 + 1e-9) + 1.0 and dist <= reach:
                az = np.radians(initial_azimuth_deg(lat[i], lon[i], alat[j], alon[j]))
                want[i, j] = probability_inside_disc([dist * np.sin(az), dist * np.cos(az)], radius[j], cov[i])
    got = impact_probabilities(lat, lon, cov, alat, alon, radius, SPHERE.a_m, *disc_points())
    assert 0 < np.count_nonzero(want) < want.size and np.count_nonzero((want > 0) & (want < 1)) > 0
    np.testing.assert_array_equal(got, want)
    none = impact_probabilities(lat[:0], lon[:0], cov[:0], alat, alon, radius, SPHERE.a_m, *disc_points())
    assert none.shape == (0, 9)


def test_disc_probability_is_the_same_broadcast_or_given_per_pair() -> None:
    rng = np.random.default_rng(5)
    off = rng.normal(0.0, 3_000.0, (40, 2))
    cov = np.array([[4.0e6, 1.0e6], [1.0e6, 2.0e6]])
    per_pair = probability_inside_disc(off, np.full(40, 2_500.0), np.broadcast_to(cov, (40, 2, 2)).copy())
    np.testing.assert_array_equal(probability_inside_disc(off, 2_500.0, cov), per_pair)
    assert 0.0 < per_pair.min() < per_pair.max() <= 1.0


def test_air_probabilities_are_the_per_pair_rule() -> None:
    """Closest approach in the asset's east/north plane (local axes from `amdx.geo`), its time and the disc
    probability of the miss with the spread grown along the way, pair by pair."""
    rng = np.random.default_rng(6)
    alat, alon, radius = rng.uniform(40.0, 41.0, 5), rng.uniform(20.0, 21.0, 5), rng.uniform(5e3, 30e3, 5)
    start = geodetic_to_ecef(rng.uniform(39.0, 42.0, 30), rng.uniform(19.0, 22.0, 30), rng.uniform(50.0, 9e3, 30))
    target = geodetic_to_ecef(rng.uniform(40.0, 41.0, 30), rng.uniform(20.0, 21.0, 30), 0.0)
    vel = (target - start) / rng.uniform(60.0, 3_000.0, 30)[:, None]
    vel[4] = 0.0  # a hovering track has no closest approach
    sigma = rng.uniform(50.0, 2_000.0, 30)
    want_p, want_t = np.zeros((30, 5)), np.full((30, 5), np.nan)
    for j in range(5):
        la, lo = np.radians(alat[j]), np.radians(alon[j])
        east = np.array([-np.sin(lo), np.cos(lo), 0.0])
        north = np.array([-np.sin(la) * np.cos(lo), -np.sin(la) * np.sin(lo), np.cos(la)])
        for i in range(30):
            d = start[i] - geodetic_to_ecef(alat[j], alon[j], 0.0)
            rel, v = np.array([east @ d, north @ d]), np.array([east @ vel[i], north @ vel[i]])
            if v @ v <= 1.0:
                continue
            tc = -(rel @ v) / (v @ v)
            if not 0.0 < tc <= HORIZON_S:
                continue
            want_t[i, j] = tc
            miss = rel + v * tc
            s2 = sigma[i] ** 2 + (HEADING_SPREAD * np.linalg.norm(v) * tc) ** 2
            if np.linalg.norm(miss) <= radius[j] + 6.0 * np.sqrt(s2):
                want_p[i, j] = probability_inside_disc(miss, radius[j], s2 * np.eye(2))
    got_p, got_t = air_probabilities(np.ascontiguousarray(start), vel, sigma, alat, alon, radius, WGS84.a_m, WGS84.e2,
                                     HEADING_SPREAD, HORIZON_S, *disc_points())
    assert np.count_nonzero(np.isfinite(want_t)) > 10 and np.count_nonzero((want_p > 0) & (want_p < 1)) > 0
    np.testing.assert_allclose(got_t, want_t, rtol=1e-9)
    np.testing.assert_allclose(got_p, want_p, atol=2.0 / 1024)  # a point on a disc's edge may fall either way


def test_ellipse_probabilities_are_those_of_the_ellipses_covariances() -> None:
    """Impacts given by their 95 % ellipses: the covariance (a/k)² u uᵀ + (b/k)² w wᵀ (u the major axis east/north,
    w ⟂ u), then `impact_probabilities`."""
    rng = np.random.default_rng(7)
    k = ellipse_scale(0.95)
    imp = np.stack([rng.uniform(40.0, 41.0, 50), rng.uniform(20.0, 21.5, 50), rng.uniform(10.0, 300.0, 50),
                    rng.uniform(1e3, 40e3, 50), rng.uniform(200.0, 10e3, 50), rng.uniform(0.0, 360.0, 50)], axis=1)
    alat, alon, radius = rng.uniform(40.0, 41.0, 7), rng.uniform(20.0, 21.5, 7), rng.uniform(2e3, 20e3, 7)
    a, b, az = imp[:, 3] / k, imp[:, 4] / k, np.radians(imp[:, 5])
    u = np.stack([np.sin(az), np.cos(az)], -1)
    w = np.stack([np.cos(az), -np.sin(az)], -1)
    cov = (a * a)[:, None, None] * u[:, :, None] * u[:, None, :] \
        + (b * b)[:, None, None] * w[:, :, None] * w[:, None, :]
    want = impact_probabilities(imp[:, 0].copy(), imp[:, 1].copy(), cov, alat, alon, radius, SPHERE.a_m,
                                *disc_points())
    got = ellipse_probabilities(imp, k, alat, alon, radius, SPHERE.a_m, *disc_points())
    assert np.count_nonzero((want > 0) & (want < 1)) > 0
    np.testing.assert_array_equal(got, want)


def test_disc_probability_is_the_count_of_the_cholesky_points() -> None:
    """The plain rule in numpy, without the pre-test: LAPACK's Cholesky factor of the symmetrised covariance
    (plus the 1 mm spread), every point L z, and the share of them inside the disc; a covariance that is not
    positive semi-definite has no probability (NaN)."""
    rng = np.random.default_rng(6)
    z0, z1, _ = disc_points()
    off = rng.normal(0.0, 4_000.0, (300, 2))
    radius = rng.uniform(500.0, 6_000.0, 300)
    a, b, th = rng.uniform(100.0, 5e3, 300), rng.uniform(10.0, 3e3, 300), rng.uniform(0.0, np.pi, 300)
    u = np.stack([np.sin(th), np.cos(th)], -1)
    w = np.stack([np.cos(th), -np.sin(th)], -1)
    cov = (a * a)[:, None, None] * u[:, :, None] * u[:, None, :] \
        + (b * b)[:, None, None] * w[:, :, None] * w[:, None, :]
    want = np.empty(300)
    for k in range(300):
        c = 0.5 * (cov[k] + cov[k].T) + np.eye(2) * 1e-6
        L = np.linalg.cholesky(c)
        dx = L[0, 0] * z0 - off[k, 0]
        dy = (L[1, 0] * z0 + L[1, 1] * z1) - off[k, 1]
        want[k] = np.count_nonzero(dx * dx + dy * dy <= radius[k] ** 2) / len(z0)
    assert 0 < np.count_nonzero((want > 0) & (want < 1)) < 300
    np.testing.assert_array_equal(probability_inside_disc(off, radius, cov), want)
    not_psd = np.array([[1.0e6, 3.0e6], [3.0e6, 1.0e6]])
    assert np.isnan(probability_inside_disc([100.0, 0.0], 2_000.0, not_psd))
