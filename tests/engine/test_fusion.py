"""National fusion: covariance intersection against Stone Soup and its consistency theorem; sticky track-to-track
correlation (kept while it passes the gate, one track per source, stable numbers)."""

from __future__ import annotations

import numpy as np
import pytest
from stonesoup.mixturereducer.gaussianmixture import CovarianceIntersection
from stonesoup.types.state import GaussianState

from amdx.engine.fusion import FusionCentre, SourceTracks, covariance_intersection


def _random_cov(rng: np.random.Generator, n: int = 6) -> np.ndarray:
    a = rng.standard_normal((n, n)) * rng.uniform(1.0, 300.0, n)
    return a @ a.T + np.eye(n)


def test_covariance_intersection_equals_stone_soup_with_the_trace_weight():
    rng = np.random.default_rng(11)
    Pa = np.stack([_random_cov(rng) for _ in range(5)])
    Pb = np.stack([_random_cov(rng) for _ in range(5)])
    xa, xb = rng.normal(0, 1e3, (5, 6)), rng.normal(0, 1e3, (5, 6))
    x, P = covariance_intersection(xa, Pa, xb, Pb)
    for k in range(5):
        w = np.trace(Pb[k]) / (np.trace(Pa[k]) + np.trace(Pb[k]))
        ref = CovarianceIntersection.merge_components(GaussianState(xa[k][:, None], Pa[k]),
                                                      GaussianState(xb[k][:, None], Pb[k]), weights=[w, 1.0 - w])
        np.testing.assert_allclose(x[k], np.asarray(ref.state_vector, float).ravel(), rtol=1e-9, atol=1e-6)
        np.testing.assert_allclose(P[k], np.asarray(ref.covar, float), rtol=1e-7, atol=1e-6)


@pytest.mark.parametrize("rho", [-0.9, 0.0, 0.5, 0.99])
def test_covariance_intersection_is_consistent_whatever_the_cross_covariance(rho):
    """Julier & Uhlmann (1997): for any cross-covariance P_ab the CI covariance bounds the true error covariance
    of the CI estimate, P_CI − E[ẽẽᵀ] ⪰ 0."""
    rng = np.random.default_rng(5)
    for _ in range(20):
        Pa, Pb = _random_cov(rng), _random_cov(rng)
        La, Lb = np.linalg.cholesky(Pa), np.linalg.cholesky(Pb)
        q, _ = np.linalg.qr(rng.standard_normal((6, 6)))
        Pab = rho * La @ q @ Lb.T  # a valid cross-covariance (the joint covariance stays PSD for |rho| <= 1)
        _, P = covariance_intersection(np.zeros((1, 6)), Pa[None], np.zeros((1, 6)), Pb[None])
        w = np.trace(Pb) / (np.trace(Pa) + np.trace(Pb))
        Ka, Kb = P[0] @ (w * np.linalg.inv(Pa)), P[0] @ ((1 - w) * np.linalg.inv(Pb))
        true = Ka @ Pa @ Ka.T + Kb @ Pb @ Kb.T + Ka @ Pab @ Kb.T + Kb @ Pab.T @ Ka.T
        assert np.linalg.eigvalsh(P[0] - true).min() >= -1e-8 * np.abs(P[0]).max()


def _source(origin: str, keys: list[str], pos: list[list[float]], sigma_m: float = 100.0) -> SourceTracks:
    k = len(keys)
    x = np.zeros((k, 6))
    x[:, :3] = np.asarray(pos, float).reshape(k, 3)
    x[:, 3] = 1000.0
    P = np.broadcast_to(np.diag([sigma_m**2] * 3 + [50.0**2] * 3), (k, 6, 6)).copy()
    return SourceTracks(origin, tuple(keys), x, P, np.full(k, 2, np.int8), tuple(f"{origin}.r" for _ in keys),
                        tuple(f"T{key[-1]}" for key in keys))


SITE = [6.4e6, 0.0, 0.0]


def _at(offset_m: float) -> list[float]:
    return [SITE[0], offset_m, 0.0]


def test_two_radars_on_the_same_targets_give_one_fused_track_each_with_both_sources():
    fc = FusionCentre()
    a = _source("own", ["a/1", "a/2", "a/3"], [_at(0), _at(20_000), _at(40_000)])
    b = _source("own", ["b/7", "b/8", "b/9"], [_at(40_050), _at(50), _at(20_080)])
    picture = fc.fuse(0.0, [a, b])
    assert sorted(f.keys for f in picture) == [("a/1", "b/8"), ("a/2", "b/9"), ("a/3", "b/7")]
    x = {f.keys[0]: f.x[1] for f in picture}
    assert 0 < x["a/1"] < 50 and 20_000 < x["a/2"] < 20_080  # between the two estimates


def test_two_tracks_of_one_source_are_never_merged_however_close():
    fc = FusionCentre()
    picture = fc.fuse(0.0, [_source("own", ["a/1", "a/2"], [_at(0), _at(10)])])
    assert len(picture) == 2


def test_a_correlation_is_kept_while_it_passes_the_gate_and_numbers_survive_a_sources_new_track_ids():
    fc = FusionCentre()
    first = fc.fuse(0.0, [_source("own", ["a/1"], [_at(0)]), _source("own", ["b/1"], [_at(30)])])
    assert len(first) == 1
    number = first[0].number
    # b drops its track and starts another (new key): the fused track keeps its number through a
    again = fc.fuse(5.0, [_source("own", ["a/1"], [_at(0)]), _source("own", ["b/2"], [_at(30)])])
    assert [(f.number, f.keys) for f in again] == [(number, ("a/1", "b/2"))]
    # two targets cross: kept correlations are not swapped even when the fresh nearest pairing would swap them
    fc2 = FusionCentre()
    fc2.fuse(0.0, [_source("own", ["a/1", "a/2"], [_at(0), _at(1000)]),
                   _source("own", ["b/1", "b/2"], [_at(0), _at(1000)])])
    crossed = fc2.fuse(5.0, [_source("own", ["a/1", "a/2"], [_at(300), _at(700)]),
                             _source("own", ["b/1", "b/2"], [_at(720), _at(280)])])
    assert sorted(f.keys for f in crossed) == [("a/1", "b/1"), ("a/2", "b/2")]


def test_a_member_that_leaves_the_gate_is_decorrelated_into_its_own_track():
    fc = FusionCentre()
    (fused,) = fc.fuse(0.0, [_source("own", ["a/1"], [_at(0)]), _source("own", ["b/1"], [_at(30)])])
    split = fc.fuse(5.0, [_source("own", ["a/1"], [_at(0)]), _source("own", ["b/1"], [_at(30_000)])])
    assert sorted(f.keys for f in split) == [("a/1",), ("b/1",)]
    assert [f.number for f in split if f.keys == ("a/1",)] == [fused.number]  # the first source keeps it


def test_one_target_held_by_two_fused_tracks_is_merged_once_they_pass_the_gate():
    """Sticky correlation must not keep a duplicate forever: fused tracks with no source in common that come
    within the gate of each other are one target."""
    fc = FusionCentre()
    apart = fc.fuse(0.0, [_source("own", ["a/1"], [_at(0)]), _source("own", ["b/1"], [_at(30_000)])])
    assert len(apart) == 2
    number_a = next(f.number for f in apart if f.keys == ("a/1",))
    together = fc.fuse(5.0, [_source("own", ["a/1"], [_at(0)]), _source("own", ["b/1"], [_at(60)])])
    assert [(f.number, f.keys) for f in together] == [(number_a, ("a/1", "b/1"))]


def _clustered_tracks(rng: np.random.Generator, k: int, spread_m: float) -> tuple[np.ndarray, np.ndarray]:
    x = np.zeros((k, 6))
    x[:, :3] = np.array(SITE) + rng.uniform(-spread_m, spread_m, (k, 3))
    sig = rng.uniform(50.0, 400.0, (k, 3))
    rot = np.linalg.qr(rng.standard_normal((k, 3, 3)))[0]
    P = np.broadcast_to(np.diag([1.0] * 3 + [2500.0] * 3), (k, 6, 6)).copy()
    P[:, :3, :3] = np.einsum("kij,kj,klj->kil", rot, sig**2, rot)
    return x, P


@pytest.mark.parametrize(("seed", "sorted_window"), [(s, False) for s in range(6)] + [(s, True) for s in range(3)])
def test_the_pairs_settled_without_the_associator_are_its_own_answer(seed, sorted_window):
    """Step 2 settles lone nearest pairs itself: on random crowded problems, every row it settles (or leaves
    unassigned) gets the same answer from the global-nearest-neighbour associator on the whole problem (a few rows
    against every candidate, more rows against those in a window of the candidates sorted along x)."""
    from amdx.engine.fusion_kernels import SORT_ROWS, lone_nearest
    from amdx.tracking.association import GnnAssociator

    n_rows = SORT_ROWS + 13 if sorted_window else min(25, SORT_ROWS)
    rng = np.random.default_rng(seed)
    x, P = _clustered_tracks(rng, 60, 3_000.0)
    rx, rP = _clustered_tracks(rng, n_rows, 3_000.0)
    cand, rows = np.arange(60), np.arange(n_rows)
    assoc = GnnAssociator(0.999, exclusion_probability=0.999)
    fused, to_solver, cand_to_solver = lone_nearest(x, P, cand, rx, rP, rows, assoc.gate_d2)
    tom = np.asarray(assoc.associate(x[:, :3], P[:, :3, :3], rx[:, :3], rP[:, :3, :3]).track_of_measurement)
    settled = ~to_solver
    assert np.array_equal(fused[settled], tom[settled])
    assert (fused[to_solver] == -1).all()
    solved = tom[to_solver]
    assert np.isin(solved[solved >= 0], cand[cand_to_solver]).all()  # the rest is the associator's on its part
    assert settled.sum() > 5 and to_solver.sum() > 0  # both kinds occur


def _brute_force_duplicates(x: np.ndarray, P: np.ndarray, has: np.ndarray, gamma: float) -> list[tuple[int, int]]:
    """Every pair of rows with no source in common, d² by the associator's `pair_mahalanobis2`, kept inside the
    gate, nearest first, each row once."""
    from amdx.tracking.association import pair_mahalanobis2

    a, b = np.triu_indices(len(x), 1)
    d2 = pair_mahalanobis2(x[:, :3], P[:, :3, :3], x[:, :3], P[:, :3, :3], a, b)
    ok = (d2 <= gamma) & ~(has[a] & has[b]).any(axis=1)
    used, expected = set(), []
    for m in np.flatnonzero(ok)[np.argsort(d2[ok], kind="stable")]:
        if a[m] not in used and b[m] not in used:
            used.update((a[m], b[m]))
            expected.append((int(a[m]), int(b[m])))
    return expected


def _duplicates_match_brute_force(x, P, has):
    """`duplicate_pairs` against `_brute_force_duplicates` at the associator's 99.9 % gate; returns how many pairs."""
    from amdx.engine.fusion_kernels import duplicate_pairs
    from amdx.tracking.association import GnnAssociator

    gamma = GnnAssociator(0.999).gate_d2
    expected = _brute_force_duplicates(x, P, has, gamma)
    keep, gone = duplicate_pairs(x, P, has, gamma)
    assert list(zip(keep.tolist(), gone.tolist(), strict=True)) == expected
    return len(expected)


@pytest.mark.parametrize("seed", range(4))
def test_duplicate_pairs_are_the_nearest_disjoint_pairs_inside_the_gate(seed):
    """Step 3's pairs against brute force: every pair of fused rows with no source in common, d² by the
    associator's `pair_mahalanobis2`, kept inside the gate, nearest first, each row once."""
    rng = np.random.default_rng(seed)
    x, P = _clustered_tracks(rng, 80, 5_000.0)
    has = rng.random((80, 4)) < 0.3
    assert _duplicates_match_brute_force(x, P, has) > 2


@pytest.mark.parametrize("seed", range(4))
def test_duplicate_pairs_with_a_few_poorly_known_tracks_are_still_every_nearest_pair(seed):
    """As above, with position errors spread over four orders of magnitude (the sweep's window is per size class):
    a few tracks known to kilometres among tracks known to tens of metres, some identical in size."""
    rng = np.random.default_rng(100 + seed)
    x, P = _clustered_tracks(rng, 120, 20_000.0)
    scale = rng.choice([0.01, 0.1, 1.0, 1.0, 1.0, 30.0, 1_000.0], 120)
    P[:, :3, :3] *= scale[:, None, None]
    P[:5] = P[5]  # equal sizes
    has = rng.random((120, 3)) < 0.3
    assert _duplicates_match_brute_force(x, P, has) > 5


@pytest.mark.parametrize("seed", range(4))
def test_renumber_matches_are_the_nearest_compatible_pairs_first(seed):
    """The renumbering's matching against the plain rule: every compatible pair (classes equal or either
    unknown) within the gap gate, sorted by (gap, new track, lost number), taken greedily, each side once; with
    repeated gaps so that the ties are decided by the track and the number."""
    from amdx.engine.fusion_kernels import renumber_matches

    rng = np.random.default_rng(seed)
    x = rng.integers(0, 6, (15, 6)).astype(float) * 1_000.0
    r = rng.integers(0, 6, (20, 3)).astype(float) * 1_000.0
    sigma, sigma0 = rng.integers(0, 3, 15) * 100.0, rng.integers(0, 3, 20) * 100.0
    cls, c0 = rng.integers(0, 3, 15).astype(np.int8), rng.integers(0, 3, 20).astype(np.int8)
    lost = rng.permutation(np.arange(100, 120)).astype(np.int64)
    pairs = []
    for i in range(15):
        for k in range(20):
            gap = float(np.sqrt(((x[i, :3] - r[k]) ** 2).sum()))
            if (cls[i] == 0 or c0[k] == 0 or cls[i] == c0[k]) and gap <= 2_000.0 + 4.0 * (sigma[i] + sigma0[k]):
                pairs.append((gap, i, int(lost[k]), k))
    used_i, used_k, expected = set(), set(), []
    for _, i, _, k in sorted(pairs):
        if i not in used_i and k not in used_k:
            used_i.add(i)
            used_k.add(k)
            expected.append((i, k))
    a, b = renumber_matches(x, sigma, cls, r, sigma0, c0, lost, 2_000.0)
    assert list(zip(a.tolist(), b.tolist(), strict=True)) == expected
    assert len(expected) > 3 and len({p[0] for p in pairs}) < len(pairs)  # ties occur


def test_fold_or_start_folds_the_associated_rows_and_starts_the_others_in_row_order():
    """Step 2's bookkeeping for one source against the plain rule: a row with a fused row folds into it (the
    merge of Stone Soup's covariance intersection with the trace weight) and marks the source held, the others
    start fused rows n, n + 1, ... in row order, copies of the source rows; the count returned is the new n."""
    from amdx.engine.fusion_kernels import fold_or_start

    rng = np.random.default_rng(4)
    x, P = rng.normal(0, 1e3, (8, 6)), np.stack([_random_cov(rng) for _ in range(8)])
    rx, rP = rng.normal(0, 1e3, (5, 6)), np.stack([_random_cov(rng) for _ in range(5)])
    has, member = np.zeros((8, 2), bool), np.full(5, -1, np.intp)
    rows, fused_of = np.array([0, 2, 3, 4]), np.array([1, -1, 0, -1])
    x0, P0 = x.copy(), P.copy()
    n = fold_or_start(x, P, has, member, 3, rx, rP, rows, fused_of, 1)
    assert n == 5 and member.tolist() == [1, -1, 3, 0, 4]
    assert has[:, 1].tolist() == [True, True, False, True, True, False, False, False] and not has[:, 0].any()
    for f, r in ((1, 0), (0, 3)):
        w = np.trace(rP[r]) / (np.trace(P0[f]) + np.trace(rP[r]))
        ref = CovarianceIntersection.merge_components(GaussianState(x0[f][:, None], P0[f]),
                                                      GaussianState(rx[r][:, None], rP[r]), weights=[w, 1.0 - w])
        np.testing.assert_allclose(x[f], np.asarray(ref.state_vector, float).ravel(), rtol=1e-9, atol=1e-6)
        np.testing.assert_allclose(P[f], np.asarray(ref.covar, float), rtol=1e-7, atol=1e-6)
    assert np.array_equal(x[3:5], rx[[2, 4]]) and np.array_equal(P[3:5], rP[[2, 4]])
    assert np.array_equal(x[5:], x0[5:]) and np.array_equal(x[2], x0[2])  # the rest untouched


def test_covariance_intersection_takes_one_side_once_and_refuses_mismatched_batches():
    xa = np.arange(12.0).reshape(2, 6)
    Pa = np.stack([np.eye(6) * 4.0, np.eye(6) * 9.0])
    once = covariance_intersection(xa, Pa, np.ones(6), np.eye(6))
    each = covariance_intersection(xa, Pa, np.ones((2, 6)), np.stack([np.eye(6)] * 2))
    assert all(np.array_equal(a, b) for a, b in zip(once, each, strict=True))
    with pytest.raises(ValueError):
        covariance_intersection(xa, Pa, np.ones((3, 6)), np.stack([np.eye(6)] * 3))
    with pytest.raises(ValueError):
        covariance_intersection(xa, Pa[:1], np.ones(6), np.eye(6))


def test_a_fused_picture_is_its_tracks_in_columns_ordered_by_number():
    """`fuse` returns the picture as columns and as the sequence of its FusedTracks: the same values either way
    (each track's state and covariance are the rows of the columns), ascending numbers, and tracks compared by
    identity (as objects holding arrays must be)."""
    fc = FusionCentre()
    fc.fuse(0.0, [_source("own", ["a/1", "a/2"], [_at(0), _at(20_000)])])
    picture = fc.fuse(5.0, [_source("own", ["a/2", "a/3"], [_at(20_000), _at(40_000)]),
                            _source("own", ["b/6", "b/7"], [_at(30), _at(20_050)]),
                            _source("south", ["south/south.T0001"], [_at(60_000)])])
    tracks = list(picture)
    assert len(picture) == len(tracks) == 4 and picture[-1] is tracks[-1] and picture[1:3] == tracks[1:3]
    assert [f.number for f in tracks] == sorted(f.number for f in tracks) == picture.number.tolist()
    for k, f in enumerate(tracks):
        assert np.array_equal(f.x, picture.x[k]) and np.array_equal(f.P, picture.P[k])
        assert (f.classification, f.origins, f.sensor_id, f.label, f.first_t_s, f.keys) == (
            picture.classification[k], picture.origins[k], picture.sensor_id[k], picture.label[k],
            picture.first_t_s[k], picture.keys[k])
    assert {f.keys: f.first_t_s for f in tracks} == {("b/6",): 5.0, ("a/2", "b/7"): 0.0, ("a/3",): 5.0,
                                                     ("south/south.T0001",): 5.0}
    assert tracks[0] == tracks[0] and tracks[0] != tracks[1] and len({*tracks, *picture}) == 4


@pytest.mark.parametrize("seed", range(3))
def test_step_two_is_the_associator_source_by_source(seed):
    """Step 2 in one compiled pass (`correlate_from`, which calls back for the associator only where needed)
    against the plain rule: source by source, the global-nearest-neighbour associator on all the fused tracks
    holding no track of that source; associated rows folded in by covariance intersection, the others new tracks
    in row order."""
    from amdx.engine.fusion import _Fold
    from amdx.tracking.association import GnnAssociator

    rng = np.random.default_rng(20 + seed)
    counts = [30, 25, 1, 20]
    x, P = _clustered_tracks(rng, sum(counts), 3_000.0)
    src_of = np.repeat(np.arange(len(counts)), counts).astype(np.intp)
    assoc = GnnAssociator(0.999, exclusion_probability=0.999)
    fold = _Fold(x, P, src_of, len(counts), assoc)
    fold.correlate_rest()
    # the plain rule
    fx, fP, has, member = [], [], [], np.full(len(x), -1)
    for s in range(len(counts)):
        rows = np.flatnonzero(src_of == s)
        cand = [f for f in range(len(fx)) if not has[f][s]]
        tom = np.full(len(rows), -1)
        if cand:
            tom = np.asarray(assoc.associate(np.array(fx)[cand, :3], np.array(fP)[cand, :3, :3], x[rows, :3],
                                             P[rows, :3, :3]).track_of_measurement)
        for j, r in enumerate(rows):
            if tom[j] >= 0:
                f = cand[tom[j]]
                (xn,), (Pn,) = covariance_intersection(fx[f], fP[f], x[r], P[r])
                fx[f], fP[f] = xn, Pn
                has[f][s] = True
                member[r] = f
            else:
                fx.append(x[r].copy())
                fP.append(P[r].copy())
                has.append([t == s for t in range(len(counts))])
                member[r] = len(fx) - 1
    assert fold.n == len(fx) and np.array_equal(fold.member, member)
    assert np.array_equal(fold.has, np.array(has))
    np.testing.assert_allclose(fold.x, np.array(fx), rtol=1e-12, atol=1e-6)
    assert (fold.member >= 0).all() and len(fx) < len(x)  # some rows were folded
