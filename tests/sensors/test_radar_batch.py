"""`RadarNetwork`: an equivalence check of the batched scan against the per-radar form it replaces — the batched
scan of several radars equals each radar's own `Radar.scan` bit for bit (every report array, and every random
stream left in the same state), over radars of every kind: 360° and sector fields, the three detection models,
range rate measured or not, false alarms on, frequent or off, targets below the horizon, out of range, at the
site, and empty scans. The physics of a scan is tested against independent references in test_radar.py."""

from __future__ import annotations

import numpy as np
import pymap3d
import pytest

from amdx.geo import SPHERE, destination_point
from amdx.scenario.catalog import bundled_catalog
from amdx.scenario.catalog_models import RadarType
from amdx.sensors.radar import Radar
from amdx.sensors.radar_batch import RadarNetwork, scan_radars

FIELDS = ("z_polar", "z_ecef_m", "R_ecef", "snr_db", "truth_index", "range_rate_mps")


def _type(base: str, **overrides: object) -> RadarType:
    fields = bundled_catalog().sensor_type(base).model_dump()
    fields.update(overrides)
    return RadarType.model_validate(fields)


def _radars() -> list[Radar]:
    """Radars of every kind, at sites a few hundred km apart (so each sees a different part of the raid)."""
    ewr, fcx, fcc = (bundled_catalog().sensor_type(i) for i in ("ewr-l", "fcr-x", "fcr-c"))
    noisy = _type("fcr-x", false_alarm_probability=1e-5, azimuth_fov_deg=90.0)  # many false alarms a scan
    return [
        Radar("r.ewr", -40.0, 176.0, 300.0, 110.0, ewr),
        Radar("r.fcx", -41.0, 175.0, 100.0, 120.0, fcx),
        Radar("r.fcc", -39.5, 176.8, 50.0, 110.0, fcc, detection_model="albersheim", n_pulses=8,
              range_rate_sigma_mps=5.0),
        Radar("r.noisy", -40.5, 174.0, 20.0, 30.0, noisy, range_rate_sigma_mps=2.0),
        Radar("r.sw0", -42.0, 173.5, 10.0, 200.0, fcx, detection_model="swerling0", n_pulses=4),
        Radar("r.alb1", -38.5, 177.5, 0.0, 0.0, fcc, detection_model="albersheim", n_pulses=1),
        Radar("r.quiet", -40.2, 175.5, 500.0, 90.0, ewr, false_alarms=False, k_factor=1.0),
        Radar("r.sphere", -41.5, 176.0, 30.0, 350.0, noisy, earth=SPHERE, horizon_radius_m=6.4e6),
        Radar("r.fcx2", -37.0, 175.0, 100.0, 300.0, fcx),
    ]


def _truth(gen: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """n targets around the sites: high and low, near and far (some beyond every radar, some near the
    horizon), with velocities and RCS spanning faint to bright."""
    lat, lon = destination_point(-40.0, 175.5, gen.uniform(0, 360, n), gen.uniform(0.0, 1.2e6, n))
    alt = np.where(gen.random(n) < 0.3, gen.uniform(-100.0, 3e3, n), gen.uniform(3e3, 400e3, n))
    pos = np.stack(pymap3d.geodetic2ecef(lat, lon, alt), axis=-1)
    vel = gen.normal(0.0, 1500.0, (n, 3))
    rcs = 10.0 ** gen.uniform(-3.0, 1.0, n)
    return pos, vel, rcs


def _streams(seed: int, n: int) -> list[np.random.Generator]:
    return [np.random.default_rng([seed, k]) for k in range(n)]


def _assert_same(batch, k, det):
    mine = batch.detections(k)
    assert (mine.sensor_id, mine.t_s, len(mine)) == (det.sensor_id, det.t_s, len(det))
    for name in FIELDS:
        a, b = getattr(mine, name), getattr(det, name)
        if b is None:
            assert a is None, name
        else:
            assert a.dtype == b.dtype and a.shape == b.shape, name
            assert np.array_equal(a, b), name  # bit for bit, not close


@pytest.mark.parametrize("seed", range(6))
def test_batched_scan_equals_per_radar_scans_bit_for_bit(seed):
    radars = _radars()
    network = RadarNetwork(radars)
    gen = np.random.default_rng(seed)
    for step in range(4):
        pos, vel, rcs = _truth(gen, int(gen.integers(50, 600)))
        which = gen.permutation(len(radars))[: int(gen.integers(1, len(radars) + 1))]
        mine, theirs = _streams(100 * seed + step, len(which)), _streams(100 * seed + step, len(which))
        batch = network.scan(7.5 * step, pos, vel, rcs, mine, which)
        assert batch.sensor_ids == tuple(radars[i].sensor_id for i in which)
        for k, i in enumerate(which.tolist()):
            _assert_same(batch, k, radars[i].scan(7.5 * step, pos, vel, rcs, theirs[k]))
            assert mine[k].bit_generator.state == theirs[k].bit_generator.state
        # later draws stay in step too: a scan's draws never spill into the next one
        assert all(a.random() == b.random() for a, b in zip(mine, theirs, strict=True))


def test_batch_covers_false_alarms_range_rate_and_horizon():
    """The cases above are not vacuous: the batch holds false alarms of several radars, range rates, and pairs
    masked by the horizon alone."""
    radars = _radars()
    gen = np.random.default_rng(3)
    pos, vel, rcs = _truth(gen, 800)
    batch = scan_radars(radars, 0.0, pos, vel, rcs, _streams(3, len(radars)))
    fa_radars = np.unique(batch.sensor[batch.truth_index < 0])
    assert len(fa_radars) >= 2
    assert np.isfinite(batch.range_rate_mps[batch.measures_range_rate[batch.sensor]]).all()
    assert np.isnan(batch.range_rate_mps[~batch.measures_range_rate[batch.sensor]]).all()
    low = 0
    for r in radars:
        polar = pymap3d.ecef2aer(pos[:, 0], pos[:, 1], pos[:, 2], r.lat_deg, r.lon_deg, r.alt_m)
        near = (polar[2] <= r.radar_type.instrumented_range_m) & (polar[1] < 1.0) & (polar[1] > 0.0)
        low += int(near.sum())
    assert low > 20  # targets in range just above the local horizontal: the horizon test decides


def test_empty_scans_ties_and_targets_at_the_site():
    radars = _radars()
    network = RadarNetwork(radars)
    # no targets at all: only false alarms, and identical streams afterwards
    mine, theirs = _streams(9, len(radars)), _streams(9, len(radars))
    batch = network.scan(1.0, np.zeros((0, 3)), np.zeros((0, 3)), np.zeros(0), mine)
    for k, r in enumerate(radars):
        _assert_same(batch, k, r.scan(1.0, np.zeros((0, 3)), np.zeros((0, 3)), np.zeros(0), theirs[k]))
        assert mine[k].bit_generator.state == theirs[k].bit_generator.state
    # no radars
    assert len(network.scan(1.0, np.zeros((2, 3)), None, 1.0, [], [])) == 0
    # targets at a site (range 0), on one azimuth with no azimuth noise (ties in the sort), one RCS for all
    flat = _type("fcr-c", azimuth_sigma_deg=0.0, false_alarm_probability=1e-4)
    tie = Radar("r.tie", -40.0, 175.0, 0.0, 0.0, flat, range_rate_sigma_mps=1.0)
    az = np.repeat([10.0, 200.0], 20)
    x, y, z = pymap3d.aer2ecef(az, np.tile(np.linspace(5.0, 60.0, 20), 2), np.tile(np.linspace(5e3, 150e3, 20), 2),
                               -40.0, 175.0, 0.0)
    pos = np.concatenate([np.stack([x, y, z], axis=-1), tie.site_ecef_m[None]])
    vel = np.ones_like(pos)
    for seed in range(5):
        mine, theirs = _streams(seed, 2), _streams(seed, 2)
        batch = scan_radars([tie, radars[2]], 0.0, pos, vel, 1e3, mine)
        _assert_same(batch, 0, tie.scan(0.0, pos, vel, 1e3, theirs[0]))
        _assert_same(batch, 1, radars[2].scan(0.0, pos, vel, 1e3, theirs[1]))
        assert np.unique(batch.detections(0).z_polar[:, 1]).size < len(batch.detections(0))  # ties happened


def test_targets_at_the_edge_of_range():
    """Targets within centimetres of the instrumented range, on both sides: the batch's preselection of the pairs
    near enough must not change which are in range."""
    radars = _radars()
    gen = np.random.default_rng(5)
    parts = []
    for r in radars:
        edge = r.radar_type.instrumented_range_m + gen.uniform(-0.05, 0.05, 40)
        az = r.boresight_deg + gen.uniform(-20.0, 20.0, 40)
        parts.append(np.stack(pymap3d.aer2ecef(az, gen.uniform(2.0, 30.0, 40), edge, r.lat_deg, r.lon_deg, r.alt_m),
                              axis=-1))
    pos = np.concatenate(parts)
    mine, theirs = _streams(5, len(radars)), _streams(5, len(radars))
    batch = scan_radars(radars, 0.0, pos, np.zeros_like(pos), 1e6, mine)
    for k, r in enumerate(radars):
        _assert_same(batch, k, r.scan(0.0, pos, np.zeros_like(pos), 1e6, theirs[k]))
    assert (batch.truth_index >= 0).sum() > 100


def test_arrays_are_read_only_and_errors_are_clear():
    radars = _radars()
    gen = np.random.default_rng(0)
    pos, vel, rcs = _truth(gen, 50)
    batch = scan_radars(radars, 0.0, pos, vel, rcs, _streams(0, len(radars)))
    assert np.array_equal(np.diff(batch.offsets), np.bincount(batch.sensor, minlength=len(radars)))
    with pytest.raises(ValueError):
        batch.z_ecef_m[0, 0] = 0.0
    with pytest.raises(ValueError, match="needs truth velocities"):
        scan_radars(radars, 0.0, pos, None, rcs, _streams(0, len(radars)))
    with pytest.raises(ValueError, match="random streams"):
        scan_radars(radars, 0.0, pos, vel, rcs, _streams(0, 2))
    without_rr = [r for r in radars if r.range_rate_sigma_mps is None]
    assert len(scan_radars(without_rr, 0.0, pos, None, rcs, _streams(0, len(without_rr)))) > 0
