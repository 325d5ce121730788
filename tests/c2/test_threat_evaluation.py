"""Threat evaluation against independent integrals of the bivariate normal impact density."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate, stats

from amdx.c2.threat_evaluation import evaluate_threats, probability_inside_disc


@pytest.mark.parametrize(("d", "sigma", "radius"), [(0.0, 1000.0, 1000.0), (1500.0, 800.0, 1000.0),
                                                      (5000.0, 2000.0, 3000.0), (300.0, 50.0, 400.0)])
def test_isotropic_case_matches_the_noncentral_chi_square(d, sigma, radius):
    """|x - c|² / σ² for x ~ N(0, σ²I) is noncentral χ² with 2 dof and λ = d²/σ² (textbook)."""
    expected = stats.ncx2.cdf(radius**2 / sigma**2, 2, d**2 / sigma**2)
    got = probability_inside_disc([d * 0.6, d * 0.8], radius, np.eye(2) * sigma**2)
    assert got == pytest.approx(expected, abs=0.01)


def test_anisotropic_case_matches_a_direct_integral():
    cov = np.array([[4000.0**2, 0.6 * 4000 * 1500], [0.6 * 4000 * 1500, 1500.0**2]])
    centre, radius = np.array([2500.0, 1500.0]), 2000.0
    pdf = stats.multivariate_normal(mean=[0, 0], cov=cov).pdf

    def ring(r, th):
        return pdf([centre[0] + r * math.cos(th), centre[1] + r * math.sin(th)]) * r

    expected, _ = integrate.dblquad(ring, 0, 2 * math.pi, 0, radius, epsabs=1e-7)
    assert probability_inside_disc(centre, radius, cov) == pytest.approx(expected, abs=0.01)


def test_a_batch_of_discs_far_inside_near_and_far_outside_matches_the_noncentral_chi_square():
    """Batched over many (offset, radius, covariance) cases, including discs that hold or miss the whole
    spread, whose probabilities are decided without sampling: every one within QMC error of the textbook ncx2."""
    rng = np.random.default_rng(3)
    d = rng.uniform(0.0, 20_000.0, 400)
    sigma = rng.uniform(50.0, 5_000.0, 400)
    radius = rng.uniform(500.0, 15_000.0, 400)
    theta = rng.uniform(0.0, 2 * np.pi, 400)
    offset = np.stack([d * np.cos(theta), d * np.sin(theta)], axis=-1)
    got = probability_inside_disc(offset.reshape(20, 20, 2), radius.reshape(20, 20),
                                  (np.eye(2) * (sigma**2)[:, None, None]).reshape(20, 20, 2, 2))
    expected = stats.ncx2.cdf(radius**2 / sigma**2, 2, d**2 / sigma**2)
    assert got.shape == (20, 20)
    np.testing.assert_allclose(got.ravel(), expected, atol=0.01)
    assert ((got == 0.0) | (got == 1.0)).mean() > 0.3  # the cases decided without samples are covered


def test_an_impact_in_open_sea_threatens_nothing_and_ranks_last():
    assets = {"lat": [-41.29, -43.53], "lon": [174.78, 172.64], "r": [8000.0, 8000.0], "v": [100.0, 80.0]}
    cov = np.array([np.eye(2) * 2000.0**2] * 3)
    # track 0: open sea 400 km east; track 1: on the first asset, 200 s out; track 2: on the second, 100 s out
    ta = evaluate_threats([-43.6, -41.29, -43.53], [179.0, 174.78, 172.64], cov, [90.0, 200.0, 100.0],
                          assets["lat"], assets["lon"], assets["r"], assets["v"])
    assert not ta.threatened[0] and ta.probability[0].max() == 0.0
    assert ta.threatened[1] and ta.threatened[2]
    assert ta.probability[1, 0] == pytest.approx(1 - math.exp(-0.5 * (8000 / 2000) ** 2), abs=0.01)
    assert list(ta.order) == [1, 2, 0]  # more value at risk first; the harmless track last
    assert ta.expected_value_at_risk[1] == pytest.approx(100.0 * ta.probability[1, 0])


def test_equal_value_at_risk_is_ordered_by_time_to_impact_and_unknown_impacts_are_harmless():
    cov = np.array([np.eye(2) * 10.0**2] * 3)
    ta = evaluate_threats([0.0, 0.0, np.nan], [0.0, 0.0, np.nan], cov, [300.0, 120.0, np.nan],
                          [0.0], [0.0], [1000.0], [50.0])
    assert list(ta.order) == [1, 0, 2]
    assert not ta.threatened[2]


def test_spectral_norm_of_the_cholesky_factor_matches_the_svd():
    """The disc pre-test's spread uses the closed-form spectral norm of L; it must never undercut the true one
    (numpy's SVD-based 2-norm), including round and degenerate ellipses."""
    from amdx.c2.disc_kernels import spectral_norm_bound

    rng = np.random.default_rng(11)
    a = rng.uniform(1.0, 5e4, 2000)
    b = a * rng.choice([1.0, 1 - 1e-12, 0.9, 0.3, 1e-9], 2000)
    th = rng.uniform(0, np.pi, 2000)
    u = np.stack([np.cos(th), np.sin(th)], -1)
    w = np.stack([-np.sin(th), np.cos(th)], -1)
    cov = (a * a)[:, None, None] * u[:, :, None] * u[:, None, :] \
        + (b * b)[:, None, None] * w[:, :, None] * w[:, None, :]
    chol = np.linalg.cholesky(cov + np.eye(2) * 1e-6)
    svd = np.linalg.norm(chol, 2, axis=(-2, -1))
    got = np.array([spectral_norm_bound(m[0, 0], m[1, 0], m[1, 1]) for m in chol])
    assert np.all(got * (1.0 + 1e-9) >= svd)
    np.testing.assert_allclose(got, svd, rtol=1e-12)


def test_columns_of_different_lengths_are_refused_and_scalars_broadcast() -> None:
    """The compiled passes index the columns without bounds checks: columns that do not match raise ValueError
    (they must never be read past their end), and a single value stands for every row, as numpy broadcasts."""
    from amdx.c2.air_threats import evaluate_air_tracks
    from amdx.geo import geodetic_to_ecef

    cov = np.broadcast_to(np.diag([4e6, 1e6]), (3, 2, 2))
    lat, lon, tti = np.array([40.0, 40.1, 40.2]), np.array([20.0, 20.1, 20.2]), np.array([100.0, 90.0, 80.0])
    assets = (np.array([40.0, 40.2]), np.array([20.0, 20.2]), np.array([5e3, 5e3]), np.array([1.0, 2.0]))
    with pytest.raises(ValueError):
        evaluate_threats(lat, lon, cov[:2], tti, *assets)
    with pytest.raises(ValueError):
        evaluate_threats(lat, lon, cov, tti, assets[0], assets[1], assets[2][:1].repeat(3), assets[3])
    one = evaluate_threats(lat, lon, cov, tti, assets[0], assets[1], 5e3, assets[3])
    np.testing.assert_array_equal(one.probability, evaluate_threats(lat, lon, cov, tti, *assets).probability)
    pos = geodetic_to_ecef(np.array([39.0, 39.5]), np.array([20.0, 20.1]), np.array([3e3, 3e3]))
    pos = np.stack(pos, -1) if isinstance(pos, tuple) else pos
    vel = np.array([[0.0, 0.0, 200.0], [0.0, 0.0, 200.0]])
    with pytest.raises(ValueError):
        evaluate_air_tracks(pos, vel, np.array([100.0, 100.0, 100.0]), *assets)
    shared = evaluate_air_tracks(pos, vel[0], np.array([100.0]), *assets)
    np.testing.assert_array_equal(shared.probability,
                                  evaluate_air_tracks(pos, vel, np.array([100.0, 100.0]), *assets).probability)
