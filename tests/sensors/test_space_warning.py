"""Notional space-based launch warning: timing (never sooner than the delay, boost only), error statistics."""

from __future__ import annotations

import numpy as np
import pymap3d
import pytest
from scipy import stats

from amdx.scenario.catalog import bundled_catalog
from amdx.scenario.catalog_models import SpaceWarningType
from amdx.sensors.space_warning import SpaceWarningSensor

WT = SpaceWarningType.model_validate(dict(
    id="test-sbw", name="Test warning", kind="space_warning", detection_delay_s=45.0, revisit_s=10.0,
    launch_position_sigma_m=2000.0, launch_azimuth_sigma_deg=2.0,
))


def _launches(gen, n):
    lat = gen.uniform(-70, 70, n)
    lon = gen.uniform(-180, 180, n)
    alt = gen.uniform(0, 1500, n)
    pts = np.stack(pymap3d.geodetic2ecef(lat, lon, alt), axis=-1)
    return lat, lon, alt, pts


def test_reports_start_after_the_delay_and_rest_on_boost_looks():
    gen = np.random.default_rng(4)
    n = 60
    launch = gen.uniform(0, 300, n)
    burn = gen.uniform(3, 200, n)
    _lat, _lon, _alt, pts = _launches(gen, n)
    heading = gen.uniform(0, 2 * np.pi, n)
    sensor = SpaceWarningSensor("sbw.1", WT)
    scan_times = np.arange(0.0, 800.0, WT.revisit_s)  # the engine scans every revisit
    reports: dict[int, list[float]] = {i: [] for i in range(n)}
    for t in scan_times:
        for w in sensor.scan(float(t), launch, launch + burn, pts, heading, gen):
            assert w.t_s == t and w.sensor_id == "sbw.1"
            reports[w.threat_index].append(w.t_s)
    for i in range(n):
        times = np.array(reports[i])
        assert np.all(times >= launch[i] + 45.0)  # never sooner than the delay
        assert np.all(times <= launch[i] + burn[i] + 45.0)  # each report rests on a look during boost
        expected = (scan_times >= launch[i] + 45.0) & (scan_times <= launch[i] + burn[i] + 45.0)
        assert len(times) == expected.sum()
        if burn[i] >= WT.revisit_s:
            assert len(times) >= 1 and times[0] < launch[i] + 45.0 + WT.revisit_s
    # a 4 s boost between two looks goes unreported; one that spans a look is reported once
    short = sensor.scan(150.0, np.array([100.5, 102.0]), np.array([104.5, 106.0]), pts[:2], heading[:2], gen)
    assert [w.threat_index for w in short] == [1]


def _chi2_ok(errors, sigma):
    n = len(errors)
    stat = (n - 1) * np.var(errors, ddof=1) / sigma**2
    return stats.chi2.ppf(0.0005, n - 1) <= stat <= stats.chi2.ppf(0.9995, n - 1) and \
        abs(np.mean(errors)) <= 3.5 * sigma / np.sqrt(n)


def test_error_statistics():
    gen = np.random.default_rng(8)
    n = 3000
    lat, lon, alt, pts = _launches(gen, n)
    heading = gen.uniform(0, 2 * np.pi, n)
    warnings = SpaceWarningSensor("sbw.1", WT).scan(60.0, np.zeros(n), np.full(n, 120.0), pts, heading, gen)
    assert [w.threat_index for w in warnings] == list(range(n))
    rep_lat = np.array([w.launch_lat_deg for w in warnings])
    rep_lon = np.array([w.launch_lon_deg for w in warnings])
    e, nn, u = pymap3d.geodetic2enu(rep_lat, rep_lon, alt, lat, lon, alt)
    assert _chi2_ok(e, 2000.0) and _chi2_ok(nn, 2000.0)
    # reported at the launch altitude: the point drops below the tangent plane by d²/(2R)
    np.testing.assert_allclose(u, -(e**2 + nn**2) / (2 * 6_371e3), atol=0.5)
    assert not _chi2_ok(e, 1500.0)
    d_heading = np.mod(np.array([w.heading_rad for w in warnings]) - heading + np.pi, 2 * np.pi) - np.pi
    assert _chi2_ok(d_heading, np.radians(2.0))
    rep = np.stack([w.launch_ecef_m for w in warnings])
    expected = np.stack(pymap3d.geodetic2ecef(rep_lat, rep_lon, alt), axis=-1)
    np.testing.assert_allclose(rep, expected, atol=1e-3)
    w0 = warnings[0]
    assert (w0.position_sigma_m, w0.heading_sigma_rad) == (2000.0, pytest.approx(np.radians(2.0)))
    assert 0.0 <= w0.heading_rad < 2 * np.pi
    with pytest.raises(ValueError):
        w0.launch_ecef_m[0] = 0.0


def test_nothing_to_report_and_reproducible():
    gen = np.random.default_rng(1)
    _lat, _lon, _alt, pts = _launches(gen, 3)
    sensor = SpaceWarningSensor("sbw.1", bundled_catalog().sensor_type("sbw-a"))
    launch, burnout, heading = np.array([100.0, 0.0, 10.0]), np.array([160.0, 60.0, 70.0]), np.zeros(3)
    assert sensor.scan(20.0, launch, burnout, pts, heading, gen) == ()  # delay (45 s) not over for any
    assert sensor.scan(0.0, np.zeros(0), np.zeros(0), np.zeros((0, 3)), np.zeros(0), gen) == ()
    a = sensor.scan(60.0, launch, burnout, pts, heading, np.random.default_rng(5))
    b = sensor.scan(60.0, launch, burnout, pts, heading, np.random.default_rng(5))
    assert [w.threat_index for w in a] == [1, 2]
    assert [w.launch_lat_deg for w in a] == [w.launch_lat_deg for w in b]
    pts0 = pts.copy()
    sensor.scan(60.0, launch, burnout, pts, heading, gen)
    np.testing.assert_array_equal(pts, pts0)
