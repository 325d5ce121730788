"""`threat_components` against scipy: the close pairs by a k-d tree (`cKDTree.query_pairs`) and the components by
`scipy.sparse.csgraph.connected_components`, each labelled by its least member."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from amdx.engine.threat_kernels import threat_components


def _reference(first: np.ndarray, second: np.ndarray, pos: np.ndarray, sigma: np.ndarray, same_m: float,
               min_m: float) -> np.ndarray:
    pairs = cKDTree(pos).query_pairs(same_m, output_type="ndarray")
    a, b = pairs[:, 0], pairs[:, 1]
    near = np.linalg.norm(pos[a] - pos[b], axis=1) <= np.maximum(min_m, 3.0 * (sigma[a] + sigma[b]))
    u, v = np.concatenate([first, a[near]]), np.concatenate([second, b[near]])
    n = len(pos)
    _, comp = connected_components(coo_matrix((np.ones(u.size), (u, v)), shape=(n, n)), directed=False)
    least = np.full(comp.max() + 1, n)
    np.minimum.at(least, comp, np.arange(n))
    return least[comp]


@pytest.mark.parametrize(("seed", "centre"), [(0, (4.0e6, 1.0e6, 4.5e6)), (1, (4.0e6, 1.0e6, 4.5e6)),
                                             (2, (4.0e6, 1.0e6, 4.5e6)),
                                             (3, (0.0, 4.5e6, 4.5e6))])  # near 90° E: one x for every track
def test_components_are_scipys(seed: int, centre: tuple[float, float, float]) -> None:
    rng = np.random.default_rng(seed)
    n = 400
    pos = rng.uniform(-60_000.0, 60_000.0, (n, 3)) + np.array(centre)
    if seed == 3:
        pos[:, 0] = rng.uniform(-500.0, 500.0, n)  # the theatre's spread lies along y and z
    pos[n // 2:] = pos[: n // 2] + rng.normal(0.0, 1_500.0, (n // 2, 3))  # pairs near each other
    sigma = rng.uniform(10.0, 1_500.0, n)
    first, second = rng.integers(0, n, 30), rng.integers(0, n, 30)
    got = threat_components(first.astype(np.intp), second.astype(np.intp), pos, sigma, 8_000.0, 2_000.0)
    want = _reference(first, second, pos, sigma, 8_000.0, 2_000.0)
    np.testing.assert_array_equal(got, want)
    assert len(np.unique(got)) < n  # some tracks were joined


def test_no_edges_leave_every_track_alone() -> None:
    pos = np.array([[0.0, 0.0, 0.0], [9_000.0, 0.0, 0.0], [0.0, 2_500.0, 0.0]])
    none = np.zeros(0, np.intp)
    # 2.5 km apart: joined only when 3 (σa + σb) reaches 2.5 km
    np.testing.assert_array_equal(threat_components(none, none, pos, np.full(3, 100.0), 8_000.0, 2_000.0), [0, 1, 2])
    np.testing.assert_array_equal(threat_components(none, none, pos, np.full(3, 500.0), 8_000.0, 2_000.0), [0, 1, 0])
    # a given edge joins whatever the distance
    np.testing.assert_array_equal(threat_components(np.array([2]), np.array([1]), pos, np.full(3, 100.0), 8_000.0,
                                                    2_000.0), [0, 1, 1])
