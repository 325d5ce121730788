"""Polar measurements at a site and their ECEF conversion, against pymap3d (a peer library)."""

from __future__ import annotations

import numpy as np
import pymap3d
import pytest

from amdx.sensors.polar import (
    convert_polar,
    enu_rotation,
    polar_covariance_ecef,
    polar_from_ecef,
    polar_to_ecef,
)

SITE = (-33.0, 151.0, 120.0)


def _site_ecef():
    return np.array(pymap3d.geodetic2ecef(*SITE))


def _random_polar(n, seed=5):
    rng = np.random.default_rng(seed)
    return np.stack([rng.uniform(1e3, 900e3, n), rng.uniform(0, 2 * np.pi, n), rng.uniform(-0.1, 1.5, n)], -1)


def test_polar_round_trip_against_pymap3d():
    z = _random_polar(200)
    rot = enu_rotation(SITE[0], SITE[1])
    ecef = polar_to_ecef(z, _site_ecef(), rot)
    x, y, w = pymap3d.aer2ecef(np.degrees(z[:, 1]), np.degrees(z[:, 2]), z[:, 0], *SITE)
    np.testing.assert_allclose(ecef, np.stack([x, y, w], -1), atol=1e-4)
    back = polar_from_ecef(ecef, _site_ecef(), rot)
    az, el, rng = pymap3d.ecef2aer(x, y, w, *SITE)
    np.testing.assert_allclose(back[:, 0], rng, atol=1e-4)
    np.testing.assert_allclose(back[:, 1], np.radians(az), atol=1e-9)
    np.testing.assert_allclose(back[:, 2], np.radians(el), atol=1e-9)
    assert np.all((back[:, 1] >= 0) & (back[:, 1] < 2 * np.pi))


def _numeric_jacobian(z):
    """∂(ECEF)/∂(r, az, el) by central differences of pymap3d.aer2ecef."""
    steps = np.array([1e-2, 1e-7, 1e-7])
    cols = []
    for k in range(3):
        dz = np.zeros(3)
        dz[k] = steps[k]
        hi, lo = z + dz, z - dz
        hi = np.array(pymap3d.aer2ecef(np.degrees(hi[1]), np.degrees(hi[2]), hi[0], *SITE))
        lo = np.array(pymap3d.aer2ecef(np.degrees(lo[1]), np.degrees(lo[2]), lo[0], *SITE))
        cols.append((hi - lo) / (2 * steps[k]))
    return np.stack(cols, axis=-1)


def test_covariance_is_j_r_jt_of_the_peer_jacobian():
    z = _random_polar(20, seed=9)
    sig = np.array([50.0, 2e-3, 3e-3])
    cov = polar_covariance_ecef(z, sig, enu_rotation(SITE[0], SITE[1]))
    for zi, ci in zip(z, cov, strict=True):
        g = _numeric_jacobian(zi)
        expected = g @ np.diag(sig**2) @ g.T
        np.testing.assert_allclose(ci, expected, rtol=1e-5, atol=1e-6 * np.abs(expected).max())
        assert np.all(np.linalg.eigvalsh(ci) > 0)


def test_convert_polar_matches_the_parts_and_per_point_sigmas():
    z = _random_polar(50)
    rot = enu_rotation(SITE[0], SITE[1])
    sig = np.tile([10.0, 1e-3, 1e-3], (50, 1)) * np.arange(1, 51)[:, None]
    p, cov = convert_polar(z, sig, _site_ecef(), rot)
    np.testing.assert_array_equal(p, polar_to_ecef(z, _site_ecef(), rot))
    np.testing.assert_array_equal(cov, polar_covariance_ecef(z, sig, rot))
    # the range direction carries exactly σ_r² (a closed form: u_rᵀ R u_r = σ_r²)
    u = (p - _site_ecef()) / z[:, :1]
    np.testing.assert_allclose(np.einsum("ni,nij,nj->n", u, cov, u), sig[:, 0] ** 2, rtol=1e-9)


def test_inputs_are_not_mutated():
    z = _random_polar(10)
    z0 = z.copy()
    convert_polar(z, [1.0, 1e-3, 1e-3], _site_ecef(), enu_rotation(SITE[0], SITE[1]))
    np.testing.assert_array_equal(z, z0)
    with pytest.raises(ValueError):
        polar_from_ecef(np.zeros((2, 4)), _site_ecef(), enu_rotation(SITE[0], SITE[1]))


def test_covariances_are_exactly_symmetric_and_leading_axes_kept():
    z = _random_polar(24, seed=3).reshape(2, 12, 3)
    p, cov = convert_polar(z, [30.0, 2e-3, 2e-3], _site_ecef(), enu_rotation(SITE[0], SITE[1]))
    assert p.shape == (2, 12, 3) and cov.shape == (2, 12, 3, 3)
    np.testing.assert_array_equal(cov, np.swapaxes(cov, -1, -2))
    np.testing.assert_array_equal(polar_from_ecef(p, _site_ecef(), enu_rotation(SITE[0], SITE[1])).shape, (2, 12, 3))
