"""Agreement with Stone Soup (test-only oracle): the same measurements through Stone Soup's constant-velocity
Kalman predictor/updater and through amdx's batched filter give the same estimates (the same equations:
measured agreement ~1e-14 of a standard deviation, 1e-9 allowed); and a multi-target GNN case with crossing
targets where both trackers make the same associations."""

from __future__ import annotations

import datetime

import numpy as np
import pytest

pytest.importorskip("stonesoup")

from stonesoup.dataassociator.neighbour import GNNWith2DAssignment
from stonesoup.hypothesiser.distance import DistanceHypothesiser
from stonesoup.measures import SquaredMahalanobis
from stonesoup.models.measurement.linear import LinearGaussian
from stonesoup.models.transition.linear import (
    CombinedLinearGaussianTransitionModel,
    ConstantVelocity,
)
from stonesoup.predictor.kalman import KalmanPredictor
from stonesoup.types.detection import Detection
from stonesoup.types.hypothesis import SingleHypothesis
from stonesoup.types.state import GaussianState
from stonesoup.types.track import Track
from stonesoup.updater.kalman import KalmanUpdater

from amdx.geo import enu_basis, geodetic_to_ecef
from amdx.tracking.association import GnnAssociator
from amdx.tracking.filters import BatchEKF
from amdx.tracking.models import MotionModel
from amdx.tracking.tracker import Tracker, TrackerConfig

# Stone Soup orders a 3-D CV state [x, vx, y, vy, z, vz]; amdx [x, y, z, vx, vy, vz]
SS_FROM_AMDX = np.array([0, 3, 1, 4, 2, 5])
T0 = datetime.datetime(2030, 1, 1)


def _to_ss(x, P):
    return x[SS_FROM_AMDX], P[np.ix_(SS_FROM_AMDX, SS_FROM_AMDX)]


def _from_ss(x, P):
    inv = np.argsort(SS_FROM_AMDX)
    x = np.asarray(x, dtype=float).ravel()
    return x[inv], np.asarray(P, dtype=float)[np.ix_(inv, inv)]


def _random_cov3(rng, scale):
    a = rng.normal(size=(3, 3)) * scale
    return a @ a.T + scale**2 * np.eye(3)


def _ss_parts(q):
    transition = CombinedLinearGaussianTransitionModel([ConstantVelocity(q)] * 3)
    predictor = KalmanPredictor(transition)
    updater = KalmanUpdater(LinearGaussian(ndim_state=6, mapping=(0, 2, 4), noise_covar=np.eye(3)))
    return predictor, updater


def _detection(z, R, t):
    model = LinearGaussian(ndim_state=6, mapping=(0, 2, 4), noise_covar=R)
    return Detection(z.reshape(3, 1), timestamp=t, measurement_model=model)


def test_cv_filter_agrees_with_stonesoup():
    rng = np.random.default_rng(5)
    q = 3.0
    predictor, updater = _ss_parts(q)
    x = np.concatenate([geodetic_to_ecef(50.0, 8.0, 9000.0), [220.0, -40.0, 5.0]])
    P = np.diag([400.0**2] * 3 + [80.0**2] * 3)
    ss_state = GaussianState(*_to_ss(x, P), timestamp=T0)
    ekf = BatchEKF(q_cv_m2_s3=q)
    truth = x.copy()
    t = 0.0
    for step in range(25):
        dt = [1.0, 2.5, 4.0][step % 3]
        t += dt
        truth[:3] += dt * truth[3:]
        R = _random_cov3(rng, 60.0)
        z = truth[:3] + rng.multivariate_normal(np.zeros(3), R)
        stamp = T0 + datetime.timedelta(seconds=t)
        pred = predictor.predict(ss_state, timestamp=stamp)
        ss_state = updater.update(SingleHypothesis(pred, _detection(z, R, stamp)))
        xs, Ps = _from_ss(ss_state.state_vector, ss_state.covar)
        xp, pp = ekf.predict(x[None], P[None], np.array([MotionModel.CONSTANT_VELOCITY]), dt)
        res = ekf.update(xp, pp, z[None], R[None])
        x, P = res.x[0], res.P[0]
        sigma = np.sqrt(np.diag(Ps))
        assert np.all(np.abs(x - xs) <= 1e-9 * sigma), (step, (x - xs) / sigma)
        np.testing.assert_allclose(P, Ps, rtol=1e-9, atol=1e-9 * np.max(np.abs(Ps)))


def _scenario(seed, n_scans=12):
    """Four targets in two crossing pairs (they pass within ~100 m), one scan every 3 s, noisy positions
    with a common R (the ordering of the measurements is shuffled every scan)."""
    rng = np.random.default_rng(seed)
    base = geodetic_to_ecef(47.0, 3.0, 7000.0)
    e, n, _ = enu_basis(47.0, 3.0)
    starts = np.array([base - 1500 * e, base - 1500 * n + 100 * e,
                       base + 20_000 * e - 1500 * e, base + 20_000 * e - 1500 * n])
    vel = np.array([250 * e, 250 * n, 250 * e, 250 * n])
    R = np.diag([40.0**2, 60.0**2, 50.0**2])
    scans = []
    for k in range(n_scans):
        t = 3.0 * k
        pos = starts + vel * t
        z = pos + rng.multivariate_normal(np.zeros(3), R, size=4)
        perm = rng.permutation(4)
        scans.append((t, z[perm], perm))
    return starts, vel, R, scans


@pytest.mark.parametrize("seed", [8, 11])
def test_gnn_associations_agree_with_stonesoup(seed):
    q = 2.0
    starts, vel, R, scans = _scenario(seed)
    P0 = np.diag([50.0**2] * 3 + [10.0**2] * 3)
    x0 = np.hstack([starts, vel])

    predictor, updater = _ss_parts(q)
    gate = GnnAssociator().gate_d2
    hypothesiser = DistanceHypothesiser(predictor, updater, SquaredMahalanobis(), missed_distance=gate)
    associator = GNNWith2DAssignment(hypothesiser)
    ss_tracks = [Track([GaussianState(*_to_ss(x0[i], P0), timestamp=T0)]) for i in range(4)]

    tracker = Tracker(TrackerConfig(max_coast_s=100.0), BatchEKF(q_cv_m2_s3=q), GnnAssociator())
    ids = tracker.seed(0.0, x0, np.broadcast_to(P0, (4, 6, 6)))
    n_compared = 0
    for t, z, _ in scans[1:]:
        stamp = T0 + datetime.timedelta(seconds=t)
        dets = [_detection(z[j], R, stamp) for j in range(4)]
        hyps = associator.associate(set(ss_tracks), set(dets), stamp)
        ss_map = np.full(4, -1)
        for i, track in enumerate(ss_tracks):
            h = hyps[track]
            if h:
                ss_map[dets.index(h.measurement)] = ids[i]
                track.append(updater.update(h))
            else:
                track.append(h.prediction)
        report = tracker.step(t, z, np.broadcast_to(R, (4, 3, 3)))
        # compare the seeded tracks only (amdx also starts tentative tracks from unassigned measurements)
        amdx_map = np.where(np.isin(report.track_of_measurement, ids), report.track_of_measurement, -1)
        np.testing.assert_array_equal(amdx_map, ss_map)
        n_compared += int((ss_map >= 0).sum())
        table = tracker.tracks()
        for i, track in enumerate(ss_tracks):
            xs, _ = _from_ss(track.state_vector, track.covar)
            row = table.index(int(ids[i]))
            assert np.all(np.abs(table.state[row] - xs) <= 1e-9 * np.sqrt(np.diag(table.cov[row])))
    assert n_compared >= 40  # nearly every measurement was assigned, by both
