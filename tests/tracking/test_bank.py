"""A tracker bank tracks each sensor exactly as that sensor's own tracker would, whoever else steps with it."""

from __future__ import annotations

import numpy as np
import pytest

from amdx.geo import geodetic_to_ecef
from amdx.tracking.bank import TrackerBank
from amdx.tracking.track_types import TrackStatus
from amdx.tracking.tracker import Tracker, TrackerConfig


def _scans(seed: int, n_targets: int = 12, steps: int = 30):
    """Three sensors looking at the same crossing targets (so a bank that mixed sensors up would pair one
    sensor's measurement with another's track): per step, which sensors look and their scans."""
    rng = np.random.default_rng(seed)
    start = np.array([geodetic_to_ecef(-41.0 + 0.02 * k, 174.0 + 0.01 * k, 8_000.0) for k in range(n_targets)])
    vel = rng.normal(0.0, 200.0, (n_targets, 3))
    sigma = np.array([30.0, 60.0, 120.0])
    out = []
    for step in range(steps):
        t = 2.0 * step
        looking = [s for s in range(3) if step % (s + 1) == 0]  # sensor 0 every step, 1 every 2nd, 2 every 3rd
        scans = {}
        for s in looking:
            seen = rng.random(n_targets) < 0.9
            z = start[seen] + vel[seen] * t + rng.normal(0.0, sigma[s], (int(seen.sum()), 3))
            clutter = start[0] + rng.uniform(-20_000.0, 20_000.0, (int(rng.poisson(1.0)), 3))
            z = np.concatenate([z, clutter])
            scans[s] = (z, np.broadcast_to(np.eye(3) * sigma[s] ** 2, (len(z), 3, 3)).copy())
        out.append((t, scans))
    return out


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_bank_tracks_each_sensor_as_its_own_tracker_does(seed):
    configs = [TrackerConfig(confirm_m=3, confirm_n=5, max_coast_s=5.0),
               TrackerConfig(confirm_m=2, confirm_n=3, max_coast_s=10.0, first_id=100),
               TrackerConfig(confirm_m=1, confirm_n=1, max_coast_s=15.0)]
    bank = TrackerBank(configs)
    alone = [Tracker(c) for c in configs]
    for t, scans in _scans(seed):
        sensors = sorted(scans)
        z = np.concatenate([scans[s][0] for s in sensors])
        R = np.concatenate([scans[s][1] for s in sensors])
        owner = np.concatenate([np.full(len(scans[s][0]), s) for s in sensors])
        report = bank.step(t, sensors, z, R, owner)
        for s in sensors:
            own = alone[s].step(t, *scans[s])
            mine = owner == s
            np.testing.assert_array_equal(report.track_of_measurement[mine], own.track_of_measurement)
            np.testing.assert_array_equal(report.new_ids[report.new_sensor == s], own.new_ids)
            np.testing.assert_array_equal(report.deleted_ids[report.deleted_sensor == s], own.deleted_ids)
            np.testing.assert_array_equal(report.confirmed_ids[report.confirmed_sensor == s], own.confirmed_ids)
    for s in range(3):
        table, own = bank.tracks(s), alone[s].tracks()
        assert table.t_s == own.t_s and len(own) > 0
        np.testing.assert_array_equal(table.ids, own.ids)
        np.testing.assert_array_equal(table.status, own.status)
        np.testing.assert_array_equal(table.state, own.state)
        np.testing.assert_array_equal(table.cov, own.cov)
    ids, sensor = bank.confirmed([0, 2])
    assert set(sensor.tolist()) <= {0, 2}
    assert sorted(ids[sensor == 2].tolist()) == sorted(alone[2].tracks().ids.tolist())  # M = 1: all confirmed


def test_a_bank_refuses_what_it_cannot_track():
    bank = TrackerBank([TrackerConfig(), TrackerConfig()])
    z, R = np.zeros((1, 3)) + 7e6, np.eye(3)[None] * 100.0
    with pytest.raises(ValueError, match="stepping sensors"):
        bank.step(0.0, [0], z, R, [1])
    with pytest.raises(ValueError, match="indices"):
        bank.step(0.0, [2], z, R, [2])
    bank.step(5.0, [0], z, R, [0])
    with pytest.raises(ValueError, match="backwards for sensor 0"):
        bank.step(4.0, [0, 1], z, R, [1])
    bank.step(4.0, [1], z, R, [1])  # another sensor has its own time
    with pytest.raises(ValueError, match="indices"):
        TrackerBank([]).step(0.0, [0], z, R, [0])  # a bank of no sensors (no radars) is empty, never stepped
    with pytest.raises(ValueError, match="agree"):
        TrackerBank([TrackerConfig(), TrackerConfig(confirmed_first=False)])


def test_confirmed_tracks_predicted_together_equal_each_sensors_predicted_alone():
    """An equivalence check of the batched form: the confirmed tracks of sensors with different times, predicted
    to one time in one call, equal each sensor's confirmed tracks predicted alone with the filter, bit for bit."""
    configs = [TrackerConfig(confirm_m=2, confirm_n=3), TrackerConfig(confirm_m=2, confirm_n=3, first_id=100),
               TrackerConfig(confirm_m=1, confirm_n=1)]
    bank = TrackerBank(configs)
    for t, scans in _scans(4, steps=12):  # the sensors last look at 22, 20 and 18 s
        sensors = sorted(scans)
        z = np.concatenate([scans[s][0] for s in sensors])
        R = np.concatenate([scans[s][1] for s in sensors])
        bank.step(t, sensors, z, R, np.concatenate([np.full(len(scans[s][0]), s) for s in sensors]))
    order = [2, 0, 1]
    got = bank.confirmed_predicted(order, 29.5)
    assert [s for s in dict.fromkeys(got.sensor.tolist())] == [s for s in order if bank.confirmed([s])[0].size]
    for s in order:
        table = bank.tracks(s)
        keep = table.status == TrackStatus.CONFIRMED
        x, P = bank.filter.predict(table.state[keep], table.cov[keep], table.model[keep], 29.5 - table.t_s)
        mine = got.sensor == s
        np.testing.assert_array_equal(got.ids[mine], table.ids[keep])
        np.testing.assert_array_equal(got.state[mine], x)
        np.testing.assert_array_equal(got.cov[mine], P)
    assert [bank.t_s(s) for s in range(3)] == [22.0, 20.0, 18.0]  # the bank itself is not moved
