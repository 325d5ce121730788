"""Association: χ² gate threshold (refs/physics.md §4), KD-tree gating loses no pair, GNN is the global
optimum (brute force over all assignments) and beats greedy nearest neighbour on crossing targets."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy.stats import chi2

from amdx.tracking.association import (
    GnnAssociator,
    coarse_candidates,
    gnn_assign,
    nearest_track,
    pair_mahalanobis2,
)

GATE_99_3DOF = 11.345  # refs/physics.md §4, χ² gate, m = 3, 99 %
GATE_95_3DOF = 7.815  # refs/physics.md §4, χ² gate, m = 3, 95 %


def test_gate_thresholds_match_the_table():
    assert GnnAssociator().gate_d2 == pytest.approx(GATE_99_3DOF, abs=1e-3)
    assert GnnAssociator(gate_probability=0.95).gate_d2 == pytest.approx(GATE_95_3DOF, abs=1e-3)
    with pytest.raises(ValueError):
        GnnAssociator(gate_probability=1.0)


@pytest.mark.parametrize("d2, inside", [(11.30, True), (11.39, False), (7.0, True), (20.0, False)])
def test_measurement_on_the_gate_boundary(d2, inside):
    # S = P + R = σ² I: a measurement offset by √d² σ along a diagonal has squared distance d²
    sigma = 70.0
    p = np.array([[6.4e6, 1.0e5, 2.0e5]])
    P = np.diag([40.0**2] * 3)[None]
    R = np.diag([sigma**2 - 40.0**2] * 3)[None]
    z = p + np.sqrt(d2) * sigma * np.array([1.0, 1.0, 1.0]) / np.sqrt(3.0)
    a = GnnAssociator().associate(p, P, z, R)
    assert (a.track_of_measurement[0] == 0) == inside
    if inside:
        assert a.d2[0] == pytest.approx(d2, rel=1e-9)


def _random_scene(rng, k, n, spread):
    p = rng.normal(size=(k, 3)) * spread + 6.4e6
    z = rng.normal(size=(n, 3)) * spread + 6.4e6
    a = rng.normal(size=(k, 3, 3)) * rng.uniform(20, 400, (k, 1, 1))
    P = a @ a.transpose(0, 2, 1) + 100.0 * np.eye(3)
    b = rng.normal(size=(n, 3, 3)) * rng.uniform(10, 200, (n, 1, 1))
    R = b @ b.transpose(0, 2, 1) + 100.0 * np.eye(3)
    return p, P, z, R


def test_coarse_gating_keeps_every_pair_inside_the_gate():
    rng = np.random.default_rng(2)
    p, P, z, R = _random_scene(rng, 300, 400, 3000.0)
    ti, mj = coarse_candidates(p, P, z, R, GATE_99_3DOF)
    # brute force: every pair's Mahalanobis distance with numpy's own solver
    nu = z[None, :, :] - p[:, None, :]
    S = P[:, None] + R[None, :]
    d2 = np.einsum("tmi,tmi->tm", nu, np.linalg.solve(S, nu[..., None])[..., 0])
    truth = set(zip(*np.nonzero(d2 <= GATE_99_3DOF), strict=True))
    assert len(truth) > 300  # a crowded scene, with crowded gates
    assert truth <= set(zip(ti.tolist(), mj.tolist(), strict=True))
    np.testing.assert_allclose(pair_mahalanobis2(p, P, z, R, ti, mj), d2[ti, mj], rtol=1e-9)


@pytest.mark.parametrize(("k", "n"), [(300, 400), (40, 60)])  # the tree path, then every pair measured directly
def test_gating_with_measurements_of_very_different_sizes_keeps_every_pair_inside_the_gate(k, n):
    rng = np.random.default_rng(5)
    p, P, z, R = _random_scene(rng, k, n, 20_000.0)
    R = R * np.exp(rng.uniform(0.0, np.log(1e4), n))[:, None, None]  # ‖R‖ over four decades: very different gates
    ti, mj = coarse_candidates(p, P, z, R, GATE_99_3DOF)
    nu = z[None, :, :] - p[:, None, :]
    S = P[:, None] + R[None, :]
    d2 = np.einsum("tmi,tmi->tm", nu, np.linalg.solve(S, nu[..., None])[..., 0])
    truth = set(zip(*np.nonzero(d2 <= GATE_99_3DOF), strict=True))
    assert len(truth) > k // 2
    assert truth <= set(zip(ti.tolist(), mj.tolist(), strict=True))
    assert np.all(np.diff(ti) >= 0) and np.all((np.diff(ti) > 0) | (np.diff(mj) > 0))  # by track, then meas.


def test_grouped_gating_keeps_every_pair_of_one_group_inside_the_gate_and_no_other():
    rng = np.random.default_rng(11)
    p, P, z, R = _random_scene(rng, 400, 500, 3000.0)
    tg, mg = rng.integers(3, 8, 400), rng.integers(2, 7, 500)  # groups 2 and 7 on one side only
    ti, mj = coarse_candidates(p, P, z, R, GATE_99_3DOF, tg, mg)
    nu = z[None, :, :] - p[:, None, :]
    S = P[:, None] + R[None, :]
    d2 = np.einsum("tmi,tmi->tm", nu, np.linalg.solve(S, nu[..., None])[..., 0])
    same = tg[:, None] == mg[None, :]
    truth = set(zip(*np.nonzero((d2 <= GATE_99_3DOF) & same), strict=True))
    assert len(truth) > 100
    assert truth <= set(zip(ti.tolist(), mj.tolist(), strict=True))
    assert np.all(tg[ti] == mg[mj])
    assert np.all(np.diff(ti) >= 0) and np.all((np.diff(ti) > 0) | (np.diff(mj) > 0))


def test_gating_of_a_wide_area_with_tracks_outside_the_measurements_keeps_every_pair():
    # tracks far beyond the measurements' extent and gates from 10 m to 300 km across one problem
    rng = np.random.default_rng(13)
    p, P, z, R = _random_scene(rng, 200, 300, 2.0e6)
    p[:20] += 5.0e6
    P = P * np.exp(rng.uniform(-4.0, np.log(1e6), 200))[:, None, None]
    ti, mj = coarse_candidates(p, P, z, R, GATE_99_3DOF)
    nu = z[None, :, :] - p[:, None, :]
    S = P[:, None] + R[None, :]
    d2 = np.einsum("tmi,tmi->tm", nu, np.linalg.solve(S, nu[..., None])[..., 0])
    truth = set(zip(*np.nonzero(d2 <= GATE_99_3DOF), strict=True))
    assert len(truth) > 20
    assert truth <= set(zip(ti.tolist(), mj.tolist(), strict=True))


def _brute_force(cost, missed):
    """Least total cost over all partial assignments (a track takes at most one measurement and vice versa;
    an unassigned track costs `missed`; inf = not allowed)."""
    k, n = cost.shape
    best = np.inf
    options = [*range(n), None]
    for choice in itertools.product(options, repeat=k):
        used = [c for c in choice if c is not None]
        if len(used) != len(set(used)):
            continue
        total = sum(missed if c is None else cost[i, c] for i, c in enumerate(choice))
        best = min(best, total)
    return best


@pytest.mark.parametrize("seed", range(6))
def test_gnn_is_the_global_optimum(seed):
    rng = np.random.default_rng(seed)
    # several small dense clusters, far apart: several components of several sizes in one call
    k_sizes, n_sizes = rng.integers(1, 5, 4), rng.integers(1, 5, 4)
    ti, mj, cost = [], [], []
    t0 = m0 = 0
    matrices = []
    for kc, nc in zip(k_sizes, n_sizes, strict=True):
        c = rng.uniform(0.0, 14.0, (kc, nc))
        c[c > GATE_99_3DOF] = np.inf
        matrices.append(c)
        r, q = np.nonzero(np.isfinite(c))
        ti += list(t0 + r)
        mj += list(m0 + q)
        cost += list(c[r, q])
        t0, m0 = t0 + kc, m0 + nc
    mot, tom, _ = gnn_assign(t0, m0, np.array(ti, int), np.array(mj, int), np.array(cost), GATE_99_3DOF)
    total = 0.0
    t0 = m0 = 0
    for c in matrices:
        kc, nc = c.shape
        for i in range(kc):
            j = mot[t0 + i]
            total += GATE_99_3DOF if j < 0 else c[i, j - m0]
            if j >= 0:
                assert m0 <= j < m0 + nc and tom[j] == t0 + i
        t0, m0 = t0 + kc, m0 + nc
    assert total == pytest.approx(sum(_brute_force(c, GATE_99_3DOF) for c in matrices))


def _greedy_nearest_neighbour(d2, gate):
    """Reference nearest neighbour: repeatedly take the closest remaining (track, measurement) pair."""
    d = np.where(d2 <= gate, d2, np.inf)
    out = np.full(d.shape[0], -1)
    while np.isfinite(d).any():
        i, j = np.unravel_index(np.argmin(d), d.shape)
        out[i] = j
        d[i, :] = np.inf
        d[:, j] = np.inf
    return out


def test_crossing_targets_designed_case():
    # S = σ² I. Track A is 1σ from measurement 1 and √2σ from measurement 2; track B is √2σ from
    # measurement 1 and √10.5σ from measurement 2. The targets cross: measurement 1 is B's, 2 is A's.
    # Nearest neighbour takes (A, 1) first (d² = 1) and leaves B with d² = 10.5 (total 11.5);
    # GNN pairs (A, 2) + (B, 1), total 4.
    sigma = 100.0
    A = np.zeros(3)
    m1 = np.array([1.0, 0.0, 0.0])
    m2 = np.array([-1.0, 1.0, 0.0])
    # B on the circle of radius √2 about m1 with |B − m2|² = 10.5: 4√2 cos β − 2√2 sin β = 3.5
    amp, phase = np.hypot(4 * np.sqrt(2), 2 * np.sqrt(2)), np.arctan2(2 * np.sqrt(2), 4 * np.sqrt(2))
    beta = np.arccos(3.5 / amp) - phase
    B = m1 + np.sqrt(2.0) * np.array([np.cos(beta), np.sin(beta), 0.0])
    base = np.array([6.4e6, 0.0, 0.0])
    p = base + sigma * np.stack([A, B])
    z = base + sigma * np.stack([m1, m2])
    P = np.broadcast_to(np.eye(3) * sigma**2 / 2, (2, 3, 3))
    R = np.broadcast_to(np.eye(3) * sigma**2 / 2, (2, 3, 3))
    d2 = np.array([[np.sum((zz - pp) ** 2) / sigma**2 for zz in z] for pp in p])
    np.testing.assert_allclose(d2, [[1.0, 2.0], [2.0, 10.5]], atol=1e-9)
    assert list(_greedy_nearest_neighbour(d2, GATE_99_3DOF)) == [0, 1]  # wrong
    a = GnnAssociator().associate(p, P, z, R)
    assert list(a.measurement_of_track) == [1, 0]  # right
    assert a.n_solved_components == 1


def test_crossing_targets_monte_carlo_gnn_beats_nearest_neighbour():
    rng = np.random.default_rng(7)
    pairs, sigma = 2000, 100.0
    # pairs of targets crossing at a random angle, caught near the crossing point; each pair 100 km apart
    centre = np.zeros((pairs, 3))
    centre[:, 0] = np.arange(pairs) * 1e5
    centre += np.array([6.4e6, 0.0, 0.0])
    angle = rng.uniform(0.3, np.pi - 0.3, pairs)
    offset = rng.uniform(-150.0, 150.0, (pairs, 2))
    u1 = np.array([0.0, 1.0, 0.0])
    u2 = np.stack([np.zeros(pairs), np.cos(angle), np.sin(angle)], axis=1)
    truth = np.stack([centre + offset[:, :1] * u1, centre + offset[:, 1:] * u2], axis=1)  # (pairs, 2, 3)
    pos_err = rng.normal(size=(pairs, 2, 3)) * sigma / np.sqrt(2)
    meas_err = rng.normal(size=(pairs, 2, 3)) * sigma / np.sqrt(2)
    p = (truth + pos_err).reshape(-1, 3)
    z = (truth + meas_err).reshape(-1, 3)
    P = np.broadcast_to(np.eye(3) * sigma**2 / 2, (2 * pairs, 3, 3))
    a = GnnAssociator().associate(p, P, z, P)
    gnn_right = int(np.sum(a.measurement_of_track == np.arange(2 * pairs)))
    nn_right = 0
    for k in range(pairs):
        d2 = np.sum((z[2 * k:2 * k + 2][None] - p[2 * k:2 * k + 2][:, None]) ** 2, axis=-1) / sigma**2
        nn_right += int(np.sum(_greedy_nearest_neighbour(d2, GATE_99_3DOF) == [0, 1]))
    # measured: 2764 vs 2571 of 4000; the targets pass within ~1.5σ of each other, so both err often
    assert gnn_right > nn_right + 100
    assert gnn_right > 0.6 * 2 * pairs


def test_associate_handles_empty_inputs():
    a = GnnAssociator().associate(np.zeros((0, 3)), np.zeros((0, 3, 3)), np.ones((2, 3)),
                                  np.broadcast_to(np.eye(3), (2, 3, 3)))
    assert list(a.track_of_measurement) == [-1, -1]
    b = GnnAssociator().associate(np.ones((2, 3)), np.broadcast_to(np.eye(3), (2, 3, 3)), np.zeros((0, 3)),
                                  np.zeros((0, 3, 3)))
    assert list(b.measurement_of_track) == [-1, -1]


@pytest.mark.parametrize("d2, assigned, near", [(5.0, True, True), (15.0, False, True), (25.0, False, False)])
def test_exclusion_gate_marks_near_measurements(d2, assigned, near):
    assoc = GnnAssociator()
    assert assoc.exclusion_d2 == pytest.approx(chi2.ppf(0.9999, 3), rel=1e-12)  # 21.108
    sigma = 50.0
    p = np.array([[6.4e6, 0.0, 0.0], [6.4e6, 5e4, 0.0]])
    P = np.broadcast_to(np.eye(3) * sigma**2 / 2, (2, 3, 3))
    z = p[:1] + np.array([0.0, 0.0, np.sqrt(d2) * sigma])
    a = assoc.associate(p, P, z, P[:1])
    assert (a.track_of_measurement[0] == 0) == assigned
    assert a.near_track[0] == (0 if near else -1)


def test_nearest_track_picks_the_least_distance():
    ti = np.array([0, 1, 2, 1, 0])
    mj = np.array([0, 0, 0, 1, 2])
    d2 = np.array([9.0, 4.0, 4.0, 30.0, 1.0])
    # measurement 0: tracks 1 and 2 tie at 4 → the lower index; 1: beyond the limit; 2: track 0
    np.testing.assert_array_equal(nearest_track(4, ti, mj, d2, 21.0), [1, -1, 0, -1])
