"""Kill probability and shoot-look-shoot against refs/physics.md §6.1–6.2 (analytic and Monte Carlo)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from amdx.c2.kill import (
    crossrange_sigma_m,
    cumulative_pk,
    divert_adjusted_pk,
    expected_leakers,
    raid_no_leaker_probability,
    shots_needed,
    simulate_sls,
    sls_expected_interceptors,
    sls_kill_probability,
    sls_outcome,
)

# refs/physics.md §6.1 table: p, P_k(n = 1..5), shots for P ≥ 0.90 / 0.95 / 0.99
SHOTS_TABLE = [
    (0.5, (0.5, 0.75, 0.875, 0.9375, 0.9688), (4, 5, 7)),
    (0.6, (0.6, 0.84, 0.936, 0.9744, 0.9898), (3, 4, 6)),
    (0.7, (0.7, 0.91, 0.973, 0.9919, 0.9976), (2, 3, 4)),
    (0.8, (0.8, 0.96, 0.992, 0.9984, 0.9997), (2, 2, 3)),
    (0.9, (0.9, 0.99, 0.999, 0.9999, 1.0000), (1, 2, 2)),
]


@pytest.mark.parametrize(("p", "pk", "shots"), SHOTS_TABLE)
def test_independent_shots_table(p, pk, shots):
    np.testing.assert_allclose(cumulative_pk(p, np.arange(1, 6)), pk, atol=5e-5)  # printed to 4 decimals
    np.testing.assert_array_equal(shots_needed(p, [0.90, 0.95, 0.99]), shots)


def test_shots_needed_edges():
    assert shots_needed(0.3, 0.0) == 0
    assert shots_needed(1.0, 0.999) == 1
    assert shots_needed(0.5, 0.5) == 1
    with pytest.raises(ValueError):
        shots_needed(0.0, 0.5)
    with pytest.raises(ValueError):
        shots_needed(0.9, 1.0)
    # the smallest n: one shot fewer never reaches P (closed form checked directly)
    rng = np.random.default_rng(4)
    p, P = rng.uniform(0.05, 0.95, 200), rng.uniform(0.05, 0.999, 200)
    n = shots_needed(p, P)
    assert np.all(1 - (1 - p) ** n >= P - 1e-12)
    assert np.all(1 - (1 - p) ** (n - 1) < P)


@pytest.mark.parametrize(("p", "n", "m", "no_leak", "leakers"), [
    (0.8, 2, 5, 0.8154, 0.2),   # refs §6.1 raid examples
    (0.8, 2, 20, 0.4420, 0.8),
    (0.9, 2, 20, 0.8179, 0.2),
])
def test_raid(p, n, m, no_leak, leakers):
    assert raid_no_leaker_probability(p, n, m) == pytest.approx(no_leak, abs=5e-5)
    assert expected_leakers(p, n, m) == pytest.approx(leakers, abs=1e-12)


# refs/physics.md §6.2 table: (k, s) -> P / E for p = 0.5, 0.7, 0.8, 0.9
SLS_P = np.array([0.5, 0.7, 0.8, 0.9])
SLS_TABLE = {
    (1, 1): ((0.500, 0.700, 0.800, 0.900), (1.00, 1.00, 1.00, 1.00)),
    (1, 2): ((0.750, 0.910, 0.960, 0.990), (2.00, 2.00, 2.00, 2.00)),
    (2, 1): ((0.750, 0.910, 0.960, 0.990), (1.50, 1.30, 1.20, 1.10)),
    (2, 2): ((0.9375, 0.9919, 0.9984, 0.9999), (2.50, 2.18, 2.08, 2.02)),
    (3, 1): ((0.875, 0.973, 0.992, 0.999), (1.75, 1.39, 1.24, 1.11)),
}


@pytest.mark.parametrize(("k", "s"), list(SLS_TABLE))
def test_shoot_look_shoot_table(k, s):
    pk, e = SLS_TABLE[(k, s)]
    np.testing.assert_allclose(sls_kill_probability(SLS_P, k, s), pk, atol=5e-5)
    np.testing.assert_allclose(sls_expected_interceptors(SLS_P, k, s), e, atol=5e-3)  # printed to 2 decimals
    p_rec, e_rec = sls_outcome(SLS_P, k, s)  # the general recursion reduces to the closed forms
    np.testing.assert_allclose(p_rec, pk, atol=5e-5)
    np.testing.assert_allclose(e_rec, e, atol=5e-3)


def test_imperfect_kill_assessment_table():
    # refs §6.2, k = 2, s = 1, P_ka = 0.9: E = 1.55, 1.37, 1.28, 1.19; P_k unchanged
    pk, e = sls_outcome(SLS_P, 2, 1, p_ka=0.9)
    np.testing.assert_allclose(e, [1.55, 1.37, 1.28, 1.19], atol=5e-3)
    np.testing.assert_allclose(pk, [0.75, 0.91, 0.96, 0.99], atol=5e-5)


def _within_3_sigma(sample, expected):
    sigma = sample.std(ddof=1) / np.sqrt(sample.size)
    assert abs(sample.mean() - expected) <= 3.0 * sigma, (sample.mean(), expected, sigma)


@pytest.mark.parametrize(("p", "k", "s", "p_ka", "pk_ref", "e_ref"), [
    (0.7, 2, 1, 1.0, 0.91, 1.30),  # refs §6.2: SLS p = 0.7, k = 2, s = 1
    (0.7, 2, 1, 0.9, 0.91, 1.37),  # refs §6.2 imperfect kill assessment, P_ka = 0.9
    (0.5, 2, 2, 1.0, 0.9375, 2.50),
    (0.8, 3, 1, 1.0, 0.992, 1.24),
])
def test_monte_carlo_against_the_tables(p, k, s, p_ka, pk_ref, e_ref):
    killed, fired = simulate_sls(p, k, s, 200_000, np.random.default_rng(2024), p_ka=p_ka)
    _within_3_sigma(killed.astype(float), pk_ref)
    # the table's E is rounded to 2 decimals: compare with the closed form 1 + (1 − p) + p (1 − P_ka) etc.
    q = (1 - p) ** s
    e_exact = s * sum(q**j for j in range(k)) + (s * p * (1 - p_ka) if (k, s) == (2, 1) else 0.0)
    assert e_exact == pytest.approx(e_ref, abs=5e-3)
    _within_3_sigma(fired.astype(float), e_exact)


def test_monte_carlo_checks_the_recursion_with_false_kill_declarations():
    rng = np.random.default_rng(77)
    for p, k, s, p_ka, p_fk in [(0.6, 3, 2, 0.8, 0.1), (0.4, 4, 1, 0.7, 0.2), (0.9, 2, 1, 0.5, 0.3)]:
        pk, e = sls_outcome(p, k, s, p_ka, p_fk)
        killed, fired = simulate_sls(p, k, s, 100_000, rng, p_ka=p_ka, p_false_kill=p_fk)
        _within_3_sigma(killed.astype(float), pk)
        _within_3_sigma(fired.astype(float), e)
    # a false kill declaration loses kill probability: below the perfect-assessment 1 − q^k
    assert sls_outcome(0.6, 3, 1, 1.0, 0.2)[0] < 1 - 0.4**3


def test_divert_adjustment_is_the_rayleigh_fraction():
    sigma = np.array([1.0, 5.0, 20.0, 50.0])
    d = 10.0
    ref = stats.rayleigh.cdf(d, scale=sigma)  # |e| of an isotropic 2-D Gaussian is Rayleigh(σ)
    np.testing.assert_allclose(divert_adjusted_pk(0.8, sigma, d), 0.8 * ref, rtol=1e-12)
    np.testing.assert_allclose(divert_adjusted_pk(0.8, sigma, d), 0.8 * stats.chi2(2).cdf((d / sigma) ** 2),
                               rtol=1e-12)
    assert divert_adjusted_pk(0.7, 0.0, 10.0) == 0.7
    assert divert_adjusted_pk(0.7, 1e6, 10.0) < 1e-9
    errs = np.random.default_rng(5).normal(0.0, 20.0, (200_000, 2))  # Monte Carlo of the stated model
    inside = (np.hypot(errs[:, 0], errs[:, 1]) <= d).astype(float)
    _within_3_sigma(inside, float(divert_adjusted_pk(1.0, 20.0, d)))


def test_crossrange_sigma_projects_out_the_flyout_direction():
    cov = np.diag([9.0, 25.0, 1e6])
    assert crossrange_sigma_m(cov, [0.0, 0.0, 1.0]) == pytest.approx(np.sqrt((9.0 + 25.0) / 2.0))
    rot = stats.special_ortho_group.rvs(3, random_state=11)
    rotated = rot @ cov @ rot.T
    assert crossrange_sigma_m(rotated, rot @ np.array([0.0, 0.0, 2.0])) == pytest.approx(np.sqrt(17.0))
    both = crossrange_sigma_m(np.stack([cov, rotated]), np.array([[0.0, 0.0, 1.0], rot @ [0.0, 0.0, 1.0]]))
    np.testing.assert_allclose(both, np.sqrt(17.0))
