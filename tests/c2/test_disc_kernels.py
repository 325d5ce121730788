"""`near_pairs` against the plain numpy rule it stands for: `np.nonzero` of the chord test on the full
(impacts, assets) array; and `probability_inside_disc` with and without broadcast inputs."""

from __future__ import annotations

import numpy as np

from amdx.c2.disc_kernels import near_pairs
from amdx.c2.threat_evaluation import probability_inside_disc


def test_near_pairs_are_the_chord_tests_nonzero() -> None:
    rng = np.random.default_rng(4)
    p_impact = rng.normal(0.0, 1.0, (60, 3)) * 50_000.0 + np.array([3.9e6, 0.3e6, 5.0e6])
    p_asset = rng.normal(0.0, 1.0, (9, 3)) * 50_000.0 + np.array([3.9e6, 0.3e6, 5.0e6])
    reach = rng.uniform(5_000.0, 80_000.0, (60, 9))
    chord = np.linalg.norm(p_impact[:, None, :] - p_asset[None, :, :], axis=-1)
    want_i, want_j = np.nonzero(chord <= reach * (1.0 + 1e-9) + 1.0)
    got_i, got_j = near_pairs(p_impact, p_asset, reach)
    assert 0 < want_i.size < chord.size  # some pairs in, some out
    np.testing.assert_array_equal(got_i, want_i)
    np.testing.assert_array_equal(got_j, want_j)
    none_i, none_j = near_pairs(p_impact[:0], p_asset, reach[:0])
    assert none_i.size == none_j.size == 0


def test_disc_probability_is_the_same_broadcast_or_given_per_pair() -> None:
    rng = np.random.default_rng(5)
    off = rng.normal(0.0, 3_000.0, (40, 2))
    cov = np.array([[4.0e6, 1.0e6], [1.0e6, 2.0e6]])
    per_pair = probability_inside_disc(off, np.full(40, 2_500.0), np.broadcast_to(cov, (40, 2, 2)).copy())
    np.testing.assert_array_equal(probability_inside_disc(off, 2_500.0, cov), per_pair)
    assert 0.0 < per_pair.min() < per_pair.max() <= 1.0
