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
