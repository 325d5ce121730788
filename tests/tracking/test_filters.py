"""The in-place row update against the textbook Kalman update (full matrices) and the batch update."""

from __future__ import annotations

import numpy as np
import pytest

from amdx.tracking.filters import ekf_update, ekf_update_rows


def _assert_textbook_update(xu, pu, x, P, z, R):
    """xu, pu are the Kalman update of (x, P) by the position measurement (z, R), in full matrices."""
    H = np.hstack([np.eye(3), np.zeros((3, 3))])
    K = P @ H.T @ np.linalg.inv(H @ P @ H.T + R)
    np.testing.assert_allclose(xu, x + K @ (z - H @ x), rtol=1e-10)
    np.testing.assert_allclose(pu, (np.eye(6) - K @ H) @ P, rtol=1e-9, atol=1e-9)


def _random_cov(rng, k, n):
    a = rng.normal(size=(k, n, n))
    return a @ a.transpose(0, 2, 1) + n * np.eye(n)


@pytest.mark.parametrize("joseph", [True, False])
def test_update_rows_is_the_textbook_update_of_the_given_rows_in_place(joseph):
    rng = np.random.default_rng(7)
    x = rng.normal(size=(5, 6)) * 100.0
    P = _random_cov(rng, 5, 6)
    z = rng.normal(size=(3, 3)) * 100.0
    R = _random_cov(rng, 3, 3)
    rows, meas = np.array([3, 0]), np.array([2, 0])
    xu, pu = x.copy(), P.copy()
    ekf_update_rows(xu, pu, rows, z, R, meas, joseph)
    for r, j in zip(rows, meas, strict=True):
        _assert_textbook_update(xu[r], pu[r], x[r], P[r], z[j], R[j])
        batch = ekf_update(x[r:r + 1], P[r:r + 1], z[j:j + 1], R[j:j + 1], joseph)
        np.testing.assert_array_equal(xu[r], batch.x[0])
        np.testing.assert_array_equal(pu[r], batch.P[0])
    for r in (1, 2, 4):  # rows not given are untouched
        np.testing.assert_array_equal(xu[r], x[r])
        np.testing.assert_array_equal(pu[r], P[r])
    with pytest.raises(IndexError):
        ekf_update_rows(xu, pu, [5], z, R, [0])
    with pytest.raises(ValueError):
        ekf_update_rows(xu, pu, [0, 1], z, R, [0])
    with pytest.raises(ValueError, match="distinct"):
        ekf_update_rows(xu, pu, [0, 0], z, R, [0, 1])


@pytest.mark.parametrize("joseph", [True, False])
@pytest.mark.parametrize("k", [31, 32, 33, 65])
def test_chunked_update_of_many_rows_is_the_textbook_update(k, joseph):
    """The update runs by chunks of 32 tracks: k rows across chunk edges, in scrambled order with gaps, each
    against the textbook Kalman update with full matrices."""
    rng = np.random.default_rng(k)
    x = rng.normal(size=(k + 4, 6)) * 100.0
    P = _random_cov(rng, k + 4, 6)
    z = rng.normal(size=(k, 3)) * 100.0
    R = _random_cov(rng, k, 3)
    rows, meas = rng.permutation(k + 4)[:k], rng.permutation(k)
    xu, pu = x.copy(), P.copy()
    ekf_update_rows(xu, pu, rows, z, R, meas, joseph)
    for r, j in zip(rows, meas, strict=True):
        _assert_textbook_update(xu[r], pu[r], x[r], P[r], z[j], R[j])
    left = np.setdiff1d(np.arange(k + 4), rows)
    np.testing.assert_array_equal(xu[left], x[left])
    np.testing.assert_array_equal(pu[left], P[left])
