"""The planning reach bound (`envelope_kernels.reach_bound`) against the plain rule |r − site| ≤ reach + T |v|."""

import numpy as np

from amdx.c2.envelope_kernels import reach_bound


def test_reach_bound_is_the_plain_rule_to_the_bit():
    rng = np.random.default_rng(7)
    sites = rng.normal(size=(12, 3)) * 6.4e6
    states = np.concatenate([rng.normal(size=(40, 3)) * 6.4e6, rng.normal(size=(40, 3)) * 3000.0], axis=1)
    reach = rng.uniform(1e5, 6e6, 12)
    rows = rng.integers(-1, 40, 25)
    got = reach_bound(sites, reach, states, rows.astype(np.intp), 900.0)
    for i in range(12):
        for k, r in enumerate(rows.tolist()):
            want = r >= 0 and bool(np.linalg.norm(states[r, :3] - sites[i]) <=
                                   reach[i] + 900.0 * np.linalg.norm(states[r, 3:]))
            assert got[i, k] == want


def test_reach_bound_at_the_boundary_and_without_rows():
    sites = np.array([[0.0, 0.0, 0.0]])
    states = np.array([[3.0, 4.0, 0.0, 0.0, 0.0, 1.0]])  # 5 m away, 1 m/s
    assert reach_bound(sites, np.array([3.0]), states, np.array([0], dtype=np.intp), 2.0)[0, 0]  # 5 <= 3 + 2
    assert not reach_bound(sites, np.array([2.5]), states, np.array([0], dtype=np.intp), 2.0)[0, 0]
    assert reach_bound(sites, np.array([1e9]), states, np.array([-1], dtype=np.intp), 2.0).tolist() == [[False]]
    assert reach_bound(sites, np.array([1e9]), np.zeros((0, 6)), np.zeros(0, dtype=np.intp), 2.0).shape == (1, 0)
