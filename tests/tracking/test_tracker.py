"""Track management: M-of-N confirmation timing, deletion (tentative, stale, uncertain), classification,
determinism, frozen outputs, and a small end-to-end multi-target run against truth."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from scipy.spatial import cKDTree

from amdx.flight import KeplerOrbits, solve_ballistic
from amdx.geo import eci_state_to_ecef, geodetic_to_ecef, local_velocity_ecef
from amdx.tracking.filters import BatchEKF
from amdx.tracking.models import MotionModel
from amdx.tracking.tracker import Classification, Tracker, TrackerConfig, TrackStatus

SIGMA = 30.0
R1 = np.eye(3) * SIGMA**2


def _target(t):
    r0 = geodetic_to_ecef(48.0, 2.0, 9000.0)
    v = local_velocity_ecef(48.0, 2.0, 60.0, 220.0, 0.0)
    return r0 + v * t, v


def _scan(rng, pos):
    pos = np.atleast_2d(pos)
    return pos + rng.normal(size=pos.shape) * SIGMA, np.broadcast_to(R1, (pos.shape[0], 3, 3))


def _run_pattern(pattern, config, dt=5.0, seed=0):
    rng = np.random.default_rng(seed)
    tracker = Tracker(config, BatchEKF(q_cv_m2_s3=1.0))
    reports = []
    for k, hit in enumerate(pattern):
        t = k * dt
        if hit:
            z, R = _scan(rng, _target(t)[0])
        else:
            z, R = np.zeros((0, 3)), np.zeros((0, 3, 3))
        reports.append(tracker.step(t, z, R))
    return tracker, reports


# M-of-N, 3 of 5 (hit = 1): confirmation at the first scan with 3 hits among the last 5 looks
@pytest.mark.parametrize("pattern, confirmed_at", [
    ([1, 1, 1, 1], 2),
    ([1, 0, 1, 0, 1, 1], 4),
    ([1, 1, 0, 0, 1, 1], 4),
    ([1, 0, 0, 1, 1, 1], 4),
])
def test_m_of_n_confirmation_timing(pattern, confirmed_at):
    _, reports = _run_pattern(pattern, TrackerConfig(confirm_m=3, confirm_n=5))
    when = [k for k, r in enumerate(reports) if len(r.confirmed_ids)]
    assert when == [confirmed_at]
    assert list(reports[confirmed_at].confirmed_ids) == [1]


def test_two_of_three_confirms_on_the_second_hit():
    _, reports = _run_pattern([1, 0, 1], TrackerConfig(confirm_m=2, confirm_n=3))
    assert [len(r.confirmed_ids) for r in reports] == [0, 0, 1]


def test_tentative_track_deleted_when_m_of_n_is_out_of_reach():
    # 3 of 5: after hit, miss, miss, miss the best possible is 2 hits in the first 5 looks
    tracker, reports = _run_pattern([1, 0, 0, 0], TrackerConfig(confirm_m=3, confirm_n=5))
    assert [list(r.deleted_ids) for r in reports] == [[], [], [], [1]]
    assert len(tracker) == 0


def test_stale_confirmed_track_deleted_after_max_coast():
    # hits at t = 0, 5, 10 (confirmed at 10); coasting 5 s, 10 s: kept; 15 s > 12 s: deleted at t = 25
    cfg = TrackerConfig(max_coast_s=12.0)
    _, reports = _run_pattern([1, 1, 1, 0, 0, 0, 0], cfg)
    assert [list(r.deleted_ids) for r in reports] == [[], [], [], [], [], [1], []]


def test_uncertain_confirmed_track_deleted():
    cfg = TrackerConfig(max_coast_s=1e4, max_position_sigma_m=400.0, init_velocity_sigma_mps=300.0)
    tracker, _ = _run_pattern([1, 1, 1], cfg)
    snap = tracker.tracks()
    assert snap.status[0] == TrackStatus.CONFIRMED
    # expected deletion scan from the snapshot covariance and the textbook CV matrices (q = 1 m²/s³)
    dt, q = 5.0, 1.0
    i3 = np.eye(3)
    F = np.block([[i3, dt * i3], [0 * i3, i3]])
    Q = q * np.block([[dt**3 / 3 * i3, dt**2 / 2 * i3], [dt**2 / 2 * i3, dt * i3]])
    P = snap.cov[0]
    expected = 0
    while np.sqrt(np.trace(P[:3, :3])) <= 400.0:
        P = F @ P @ F.T + Q
        expected += 1
    assert expected >= 2
    t = 10.0
    for k in range(1, expected + 1):
        t += dt
        report = tracker.step(t, np.zeros((0, 3)), np.zeros((0, 3, 3)))
        assert list(report.deleted_ids) == ([1] if k == expected else [])


def _seed_one(tracker, x, vel_sigma=5.0):
    P = np.diag([50.0**2] * 3 + [vel_sigma**2] * 3)
    return tracker.seed(0.0, x[None], P[None])


@pytest.mark.parametrize("alt_m, speed_mps, fpa_deg, vel_sigma, expected", [
    (10_000.0, 250.0, 0.0, 5.0, Classification.AIR_BREATHING),  # airliner
    (35_000.0, 250.0, 0.0, 5.0, Classification.BALLISTIC),  # above the 30 km altitude threshold
    (12_000.0, 1_500.0, -20.0, 5.0, Classification.BALLISTIC),  # faster than 1,200 m/s
    (8_000.0, 600.0, 45.0, 5.0, Classification.BALLISTIC),  # climbing at 424 m/s > 300 m/s
    (10_000.0, 250.0, 0.0, 500.0, Classification.UNKNOWN),  # velocity not known well enough yet
])
def test_classification_thresholds(alt_m, speed_mps, fpa_deg, vel_sigma, expected):
    r = geodetic_to_ecef(40.0, 20.0, alt_m)
    v = local_velocity_ecef(40.0, 20.0, 90.0, speed_mps, fpa_deg)
    tracker = Tracker()
    _seed_one(tracker, np.concatenate([r, v]), vel_sigma)
    report = tracker.step(0.5, np.zeros((0, 3)), np.zeros((0, 3, 3)))
    snap = tracker.tracks()
    assert snap.classification[0] == expected
    ballistic = expected == Classification.BALLISTIC
    assert snap.model[0] == (MotionModel.BALLISTIC if ballistic else MotionModel.CONSTANT_VELOCITY)
    assert list(report.ballistic_ids) == ([1] if ballistic else [])


def test_ballistic_missile_is_tracked_classified_and_switched():
    rng = np.random.default_rng(3)
    sol = solve_ballistic(32.0, 35.0, 36.0, 40.0)  # ~600 km, minimum energy
    times = sol.burnout_t_s + 20.0 + 5.0 * np.arange(40)  # first detection ~40 km up
    orbit = KeplerOrbits(sol.r_bo_eci_m[None], sol.v_bo_eci_mps[None], [sol.burnout_t_s])
    r, v = orbit.states(times)
    pos, _ = eci_state_to_ecef(r[0], v[0], times)
    cfg = TrackerConfig(init_velocity_sigma_mps=1500.0)
    tracker = Tracker(cfg, BatchEKF(q_cv_m2_s3=10.0, q_ballistic_m2_s3=0.01))
    first = tracker.step(times[0], *_scan(rng, pos[0]))
    assert tracker.tracks().model[0] == MotionModel.BALLISTIC  # started above 30 km: gravity from the start
    reports = [first] + [tracker.step(t, *_scan(rng, pos[k])) for k, t in enumerate(times) if k]
    assert [list(r.ballistic_ids) for r in reports[:3]] == [[], [], [1]]  # confirmed and classified together
    updated = sum(int(r.track_of_measurement[0] >= 0) for r in reports[1:])
    assert updated >= 37  # a 99 % gate: the odd measurement may fall outside
    snap = tracker.tracks()
    conf = snap.status == TrackStatus.CONFIRMED
    assert conf.sum() == 1
    assert snap.classification[conf][0] == Classification.BALLISTIC
    assert snap.model[conf][0] == MotionModel.BALLISTIC
    assert np.linalg.norm(snap.state[conf][0, :3] - pos[-1]) < 3 * SIGMA * np.sqrt(3.0)


def test_ballistic_missile_low_down_switches_from_constant_velocity():
    # first seen at 20 km on the way down (speed > 1,200 m/s): a CV track, switched once confirmed
    rng = np.random.default_rng(5)
    sol = solve_ballistic(32.0, 35.0, 36.0, 40.0)
    t_imp = sol.impact_t_s
    times = t_imp - 12.0 + 1.0 * np.arange(8)  # 1 s revisit in the terminal phase
    orbit = KeplerOrbits(sol.r_bo_eci_m[None], sol.v_bo_eci_mps[None], [sol.burnout_t_s])
    r, v = orbit.states(times)
    pos, vel = eci_state_to_ecef(r[0], v[0], times)
    assert np.linalg.norm(vel[0]) > 1200.0
    tracker = Tracker(TrackerConfig(init_velocity_sigma_mps=1500.0), BatchEKF(q_cv_m2_s3=200.0))
    reports = [tracker.step(times[0], *_scan(rng, pos[0]))]
    assert tracker.tracks().model[0] == MotionModel.CONSTANT_VELOCITY
    reports += [tracker.step(t, *_scan(rng, pos[k])) for k, t in enumerate(times) if k]
    assert tracker.tracks().model[0] == MotionModel.BALLISTIC
    assert [list(r.ballistic_ids) for r in reports[:3]] == [[], [], [1]]
    assert all(r.track_of_measurement[0] == 1 for r in reports[1:])


def test_confirmed_tracks_take_their_measurements_before_tentative_ones():
    # a confirmed track and a tentative one near it; the only measurement goes to the confirmed track,
    # leaving the tentative one nothing (and no measurement left over at all)
    tracker = Tracker(TrackerConfig())
    x, _ = _target(0.0)
    v = _target(0.0)[1]
    ids = _seed_one(tracker, np.concatenate([x, v]))
    wide = np.diag([200.0**2] * 3 + [100.0**2] * 3)
    tent = tracker.seed(0.0, np.concatenate([x + 40.0, v])[None], wide[None], confirmed=False)
    report = tracker.step(1.0, (x + v)[None], R1[None])
    assert list(report.track_of_measurement) == [ids[0]]
    snap = tracker.tracks()
    assert snap.hits[snap.index(int(tent[0]))] == 1


def _multi_target(seed, n=40, scans=15, dt=4.0):
    rng = np.random.default_rng(seed)
    lat = 45.0 + rng.uniform(-1.0, 1.0, n)
    lon = 10.0 + rng.uniform(-1.5, 1.5, n)
    r0 = geodetic_to_ecef(lat, lon, rng.uniform(1000.0, 12000.0, n))
    v = local_velocity_ecef(lat, lon, rng.uniform(0.0, 360.0, n), rng.uniform(100.0, 300.0, n), 0.0)
    out = []
    for k in range(scans):
        truth = r0 + v * k * dt
        z, R = _scan(rng, truth)
        perm = rng.permutation(n)
        out.append((k * dt, z[perm], R, truth))
    return out


def test_multi_target_run_recovers_every_target_and_beats_the_raw_measurements():
    scans = _multi_target(4)
    tracker = Tracker(TrackerConfig(init_velocity_sigma_mps=400.0), BatchEKF(q_cv_m2_s3=1.0))
    for t, z, R, _ in scans:
        tracker.step(t, z, R)
    snap = tracker.tracks()
    truth = scans[-1][3]
    conf = snap.status == TrackStatus.CONFIRMED
    d, i = cKDTree(truth).query(snap.state[conf, :3])
    assert conf.sum() == truth.shape[0] and len(set(i.tolist())) == truth.shape[0]
    raw_rmse = SIGMA * np.sqrt(3.0)
    assert np.sqrt(np.mean(d**2)) < 0.8 * raw_rmse


def test_tracker_is_deterministic():
    def run():
        tracker = Tracker(TrackerConfig(init_velocity_sigma_mps=400.0))
        reports = [tracker.step(t, z, R) for t, z, R, _ in _multi_target(9, scans=8)]
        return tracker.tracks(), reports

    (a, ra), (b, rb) = run(), run()
    for f in dataclasses.fields(a):
        np.testing.assert_array_equal(getattr(a, f.name), getattr(b, f.name))
    for x, y in zip(ra, rb, strict=True):
        np.testing.assert_array_equal(x.track_of_measurement, y.track_of_measurement)
        np.testing.assert_array_equal(x.new_ids, y.new_ids)
    assert list(a.ids) == sorted(a.ids)


def test_outputs_are_frozen_and_time_is_monotonic():
    tracker, reports = _run_pattern([1, 1, 1], TrackerConfig())
    snap = tracker.tracks()
    with pytest.raises(ValueError):
        snap.state[0, 0] = 0.0
    with pytest.raises(ValueError):
        reports[0].new_ids[0] = 7
    with pytest.raises(dataclasses.FrozenInstanceError):
        snap.t_s = 3.0  # type: ignore[misc]
    with pytest.raises(ValueError, match="backwards"):
        tracker.step(1.0, np.zeros((0, 3)), np.zeros((0, 3, 3)))
    with pytest.raises(ValueError):
        TrackerConfig(confirm_m=4, confirm_n=3)


def test_a_single_near_miss_starts_no_duplicate_but_repeated_misses_do():
    # a confirmed track sees measurements at d² ≈ 15: outside its 99 % gate (11.345), inside the 99.99 %
    # exclusion gate (21.1). The first starts nothing (the track was updated on its previous look), the
    # second does (the track has missed since).
    tracker = Tracker(TrackerConfig(), BatchEKF(q_cv_m2_s3=0.0))
    x = np.concatenate([geodetic_to_ecef(10.0, 10.0, 5000.0), [0.0, 0.0, 0.0]])
    P = np.diag([30.0**2] * 3 + [1e-6] * 3)
    tracker.seed(0.0, x[None], P[None])
    S = 30.0**2 + SIGMA**2
    off = np.array([0.0, 0.0, np.sqrt(15.0 * S)])
    first = tracker.step(1.0, (x[:3] + off)[None], R1[None])
    assert list(first.track_of_measurement) == [-1] and len(first.new_ids) == 0
    second = tracker.step(2.0, (x[:3] + off)[None], R1[None])
    assert list(second.track_of_measurement) == [-1] and len(second.new_ids) == 1
