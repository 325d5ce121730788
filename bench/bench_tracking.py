"""Benchmark: multi-target tracking per scan, amdx (batched EKF, grid gate, GNN) vs Stone Soup on the same data.

    python bench/bench_tracking.py [--targets 100 1000 10000] [--scans 12] [--timed-from 4]
                                   [--stonesoup-max 1000] [--dt 5] [--seed 7]

Targets fly at constant velocity (ECEF straight lines; 150–300 m/s, random headings, 1–12 km up) from the
nodes of a grid 30 km apart (well separated). Every scan (every `--dt` s) measures every target once with the
same notional radar-like covariance R (30 m along one axis, 150 m across; rotated, not diagonal), in a new
random order. Both trackers use the same constant-velocity model (white-noise acceleration, q = 0.5 m²/s³),
the same R and a χ² (3 dof) 99 % gate with GNN assignment.

- amdx: `Tracker` from scan 0 (single-point initiation, 3-of-5 confirmation): predict, gate, assign, update,
  manage, all in one `step` per scan.
- Stone Soup 1.9.1: `KalmanPredictor` + `KalmanUpdater` (CV, same q and R), `DetectionKDTreeGNN2D` with a
  `DistanceHypothesiser` on `SquaredMahalanobis` (missed distance = the same gate) and a 3 km KD-tree radius.
  Its tracks are seeded by two-point differencing of scans 0 and 1 (its own initiators would only add time);
  a scan is `associate` plus one `update` per track (the predictions are made inside the hypothesiser).

Times are the median milliseconds per scan over scans `--timed-from`.. (tracks established), wall clock, one
process, one thread. Position RMSE: each target against its nearest confirmed track (within 2 km), over the
same scans; "found" is the share of targets with such a track at the last scan, "extra" the mean number of
confirmed tracks that are no target's nearest (duplicates, coasting or spurious tracks). Stone Soup runs
only up to `--stonesoup-max` targets (10,000 would take hours).
"""

from __future__ import annotations

import argparse
import datetime
import statistics
import time

import numpy as np
from scipy.spatial import cKDTree

from amdx.geo import geodetic_to_ecef, local_velocity_ecef
from amdx.tracking import BatchEKF, GnnAssociator, Tracker, TrackerConfig, TrackStatus

Q_CV = 0.5
SPACING_M = 30_000.0
T0 = datetime.datetime(2030, 1, 1)


def make_scenario(n: int, scans: int, dt: float, seed: int):
    """Truth positions (scans, n, 3), measurements per scan (shuffled) and the common R."""
    rng = np.random.default_rng(seed)
    side = int(np.ceil(np.sqrt(n)))
    row, col = np.divmod(np.arange(n), side)
    lat = 30.0 + np.degrees(row * SPACING_M / 6_371_000.0)
    lon = np.degrees(col * SPACING_M / (6_371_000.0 * np.cos(np.radians(lat))))
    r0 = geodetic_to_ecef(lat, lon, rng.uniform(1_000.0, 12_000.0, n))
    v = local_velocity_ecef(lat, lon, rng.uniform(0.0, 360.0, n), rng.uniform(150.0, 300.0, n), 0.0)
    rot, _ = np.linalg.qr(rng.normal(size=(3, 3)))
    R = rot @ np.diag([30.0**2, 150.0**2, 150.0**2]) @ rot.T
    L = np.linalg.cholesky(R)
    truth = np.stack([r0 + v * k * dt for k in range(scans)])
    meas = []
    for k in range(scans):
        z = truth[k] + rng.normal(size=(n, 3)) @ L.T
        meas.append(z[rng.permutation(n)])
    return truth, meas, R


def match(est: np.ndarray, truth: np.ndarray) -> tuple[np.ndarray, int, int]:
    """Each target's nearest estimate within 2 km: (squared errors of the targets found, number found,
    number of estimates that are nobody's nearest: duplicates, stale or spurious tracks)."""
    if not len(est):
        return np.zeros(0), 0, 0
    d, i = cKDTree(est).query(truth, distance_upper_bound=2_000.0)
    ok = np.isfinite(d)
    used = len(np.unique(i[ok]))
    return d[ok] ** 2, int(ok.sum()), len(est) - used


def run_amdx(truth, meas, R, dt, timed_from):
    n = truth.shape[1]
    tracker = Tracker(TrackerConfig(init_velocity_sigma_mps=400.0), BatchEKF(q_cv_m2_s3=Q_CV),
                      GnnAssociator())
    Rs = np.broadcast_to(R, (n, 3, 3))
    times, sq, found, extra = [], [], [], []
    for k, z in enumerate(meas):
        start = time.perf_counter()
        tracker.step(k * dt, z, Rs)
        elapsed = time.perf_counter() - start
        if k >= timed_from:
            times.append(elapsed)
            snap = tracker.tracks()
            conf = snap.status == TrackStatus.CONFIRMED
            e2, nf, ne = match(snap.state[conf, :3], truth[k])
            sq.append(e2)
            found.append(nf)
            extra.append(ne)
    return times, float(np.sqrt(np.mean(np.concatenate(sq)))), found[-1] / n, float(np.mean(extra))


def run_stonesoup(truth, meas, R, dt, timed_from):
    from stonesoup.dataassociator.tree import DetectionKDTreeGNN2D
    from stonesoup.hypothesiser.distance import DistanceHypothesiser
    from stonesoup.measures import SquaredMahalanobis
    from stonesoup.models.measurement.linear import LinearGaussian
    from stonesoup.models.transition.linear import CombinedLinearGaussianTransitionModel, ConstantVelocity
    from stonesoup.predictor.kalman import KalmanPredictor
    from stonesoup.types.detection import Detection
    from stonesoup.types.state import GaussianState
    from stonesoup.types.track import Track
    from stonesoup.updater.kalman import KalmanUpdater

    mm = LinearGaussian(ndim_state=6, mapping=(0, 2, 4), noise_covar=R)
    predictor = KalmanPredictor(CombinedLinearGaussianTransitionModel([ConstantVelocity(Q_CV)] * 3))
    updater = KalmanUpdater(mm)
    hypothesiser = DistanceHypothesiser(predictor, updater, SquaredMahalanobis(),
                                        missed_distance=GnnAssociator().gate_d2)
    associator = DetectionKDTreeGNN2D(hypothesiser=hypothesiser, predictor=predictor, updater=updater,
                                      max_distance=3_000.0)
    # two-point initiation from scans 0 and 1, paired by nearest neighbour (targets are 30 km apart)
    z0, z1 = meas[0], meas[1]
    _, pair = cKDTree(z0).query(z1)
    vel = (z1 - z0[pair]) / dt
    order = np.array([0, 3, 1, 4, 2, 5])  # Stone Soup state [x, vx, y, vy, z, vz]
    P = np.block([[R, R / dt], [R / dt, 2.0 * R / dt**2]])[np.ix_(order, order)]
    stamp1 = T0 + datetime.timedelta(seconds=dt)
    tracks = {Track([GaussianState(np.concatenate([z1[i], vel[i]])[order][:, None], P, timestamp=stamp1)])
              for i in range(z1.shape[0])}
    times, sq, found, extra = [], [], [], []
    for k in range(2, len(meas)):
        stamp = T0 + datetime.timedelta(seconds=k * dt)
        dets = {Detection(z[:, None], timestamp=stamp, measurement_model=mm) for z in meas[k]}
        start = time.perf_counter()
        hyps = associator.associate(tracks, dets, stamp)
        for track, hyp in hyps.items():
            track.append(updater.update(hyp) if hyp else hyp.prediction)
        elapsed = time.perf_counter() - start
        if k >= timed_from:
            times.append(elapsed)
            est = np.array([np.asarray(t.state_vector, dtype=float).ravel()[[0, 2, 4]] for t in tracks])
            e2, nf, ne = match(est, truth[k])
            sq.append(e2)
            found.append(nf)
            extra.append(ne)
    n = truth.shape[1]
    return times, float(np.sqrt(np.mean(np.concatenate(sq)))), found[-1] / n, float(np.mean(extra))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--targets", type=int, nargs="+", default=[100, 1_000, 10_000])
    parser.add_argument("--scans", type=int, default=12)
    parser.add_argument("--timed-from", type=int, default=4, help="first scan timed (tracks established)")
    parser.add_argument("--stonesoup-max", type=int, default=1_000, help="largest N run through Stone Soup")
    parser.add_argument("--dt", type=float, default=5.0, help="scan period, s")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    rows = []
    for n in args.targets:
        truth, meas, R = make_scenario(n, args.scans, args.dt, args.seed)
        a_t, a_rmse, a_found, a_extra = run_amdx(truth, meas, R, args.dt, args.timed_from)
        a_ms = 1e3 * statistics.median(a_t)
        if n <= args.stonesoup_max:
            s_t, s_rmse, s_found, s_extra = run_stonesoup(truth, meas, R, args.dt, args.timed_from)
            s_ms = 1e3 * statistics.median(s_t)
            rows.append((n, a_ms, s_ms, s_ms / a_ms, a_rmse, s_rmse, a_found, s_found, a_extra, s_extra))
        else:
            rows.append((n, a_ms, None, None, a_rmse, None, a_found, None, a_extra, None))
        print(f"... {n} targets done", flush=True)

    raw = float(np.sqrt(np.trace(R)))
    timed = args.scans - args.timed_from
    print(f"\nscan period {args.dt:g} s, {args.scans} scans, median over the last {timed}; "
          f"raw measurement RMSE {raw:.0f} m")
    head = (f"{'targets':>8} {'amdx ms/scan':>13} {'SS ms/scan':>11} {'speed ratio':>12} "
            f"{'amdx RMSE m':>12} {'SS RMSE m':>10} {'amdx found':>11} {'SS found':>9} "
            f"{'amdx extra':>11} {'SS extra':>9}")
    print(head)
    print("-" * len(head))

    def f(x: float | None, fmt: str) -> str:
        return "not run" if x is None else format(x, fmt)

    for n, a_ms, s_ms, ratio, a_r, s_r, a_f, s_f, a_x, s_x in rows:
        print(f"{n:>8} {a_ms:>13.2f} {f(s_ms, '.1f'):>11} {f(ratio, '.0f') + ('x' if ratio else ''):>12} "
              f"{a_r:>12.1f} {f(s_r, '.1f'):>10} {a_f:>11.1%} {f(s_f, '.1%'):>9} {a_x:>11.1f} "
              f"{f(s_x, '.1f'):>9}")
    if any(r[2] is None for r in rows):
        print(f"(Stone Soup not run above {args.stonesoup_max} targets: too slow)")


if __name__ == "__main__":
    main()
