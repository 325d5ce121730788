"""Compiled loops do not check bounds, so the public functions around them do: mismatched counts, indices out
of range and non-finite steps are clear errors, never reads past an array (they were errors in the numpy code
these kernels replaced, too)."""

from __future__ import annotations

import numpy as np
import pytest

from amdx.flight.kepler import KeplerOrbits
from amdx.tracking.association import gnn_assign, nearest_track, pair_mahalanobis2
from amdx.tracking.filters import ekf_update
from amdx.tracking.models import MotionModel, predict

_X = np.array([[7.0e6, 0.0, 0.0, 0.0, 7.0e3, 0.0]])
_P = np.eye(6)[None]


@pytest.mark.parametrize("call", [
    lambda: ekf_update(np.repeat(_X, 3, 0), np.repeat(_P, 3, 0), np.zeros((2, 3)), np.stack([np.eye(3)] * 2)),
    lambda: predict(np.repeat(_X, 3, 0), np.repeat(_P, 2, 0), [MotionModel.BALLISTIC] * 3, 1.0, 1.0, 1.0),
    lambda: predict(_X, _P, [MotionModel.BALLISTIC], np.nan, 1.0, 1.0),
    lambda: predict(_X, _P, [MotionModel.CONSTANT_VELOCITY], np.inf, 1.0, 1.0),
    lambda: pair_mahalanobis2(np.zeros((2, 3)), np.stack([np.eye(3)] * 2), np.zeros((1, 3)), np.eye(3)[None],
                              [0, 1], [0, 0, 0]),
    lambda: gnn_assign(2, 2, [0, 1], [0, 1], [1.0], 9.0),
], ids=["update counts", "predict counts", "predict nan step", "predict inf step", "pair lengths",
        "gnn cost length"])
def test_mismatched_inputs_are_value_errors(call):
    with pytest.raises(ValueError):
        call()


@pytest.mark.parametrize("call", [
    lambda: KeplerOrbits(_X[:, :3], _X[:, 3:], 0.0).states_at([1], 10.0),
    lambda: pair_mahalanobis2(np.zeros((2, 3)), np.stack([np.eye(3)] * 2), np.zeros((1, 3)), np.eye(3)[None],
                              [0, 2], [0, 0]),
    lambda: pair_mahalanobis2(np.zeros((2, 3)), np.stack([np.eye(3)] * 2), np.zeros((1, 3)), np.eye(3)[None],
                              [0, 1], [0, -1]),
    lambda: gnn_assign(2, 2, [0, 1], [0, 5], [1.0, 2.0], 9.0),
    lambda: nearest_track(2, [0, 1], [0, 2], [1.0, 2.0], 9.0),
], ids=["orbit index", "pair track index", "pair negative index", "gnn measurement index", "nearest index"])
def test_indices_out_of_range_are_index_errors(call):
    with pytest.raises(IndexError):
        call()


def test_valid_inputs_still_give_the_textbook_answer():
    # one pair: d² of a 3 m offset in each axis with unit covariances on both sides is 3·9/2
    d2 = pair_mahalanobis2(np.zeros((1, 3)), np.eye(3)[None], np.full((1, 3), 3.0), np.eye(3)[None], [0], [0])
    assert d2.tolist() == [13.5]
