"""`Radar.scan` by Monte Carlo: detection frequency, noise, covariance consistency (NEES, refs/physics.md §4),
false alarms, field of view, elevation limits and the 4/3-Earth horizon (refs/physics.md §3.3)."""

from __future__ import annotations

import numpy as np
import pymap3d
import pytest
from scipy import stats

from amdx.geo import destination_point
from amdx.scenario.catalog import bundled_catalog
from amdx.scenario.catalog_models import RadarType
from amdx.scenario.models import Sensor
from amdx.sensors.radar import Radar

SITE = (45.0, 10.0, 20.0)
"""Test radar site: lat deg, lon deg, alt m (WGS84)."""


def radar_type(**overrides: object) -> RadarType:
    """A notional fire-control radar type; keyword arguments replace fields."""
    fields: dict[str, object] = dict(
        id="test-fcr", name="Test radar", kind="fire_control", instrumented_range_km=400.0, revisit_s=1.0,
        azimuth_fov_deg=120.0, elevation_min_deg=0.0, elevation_max_deg=85.0, reference_range_km=300.0,
        reference_snr_db=15.0, reference_rcs_m2=0.1, false_alarm_probability=1.0e-6, range_sigma_m=10.0,
        azimuth_sigma_deg=0.05, elevation_sigma_deg=0.05,
    )
    fields.update(overrides)
    return RadarType.model_validate(fields)


def aer_targets(az_deg: np.ndarray, el_deg: np.ndarray, range_m: np.ndarray,
                site: tuple[float, float, float] = SITE) -> np.ndarray:
    """ECEF positions (n, 3), m, of targets at azimuth/elevation (deg) and slant range (m) from the site,
    computed by pymap3d (a peer library, WGS84)."""
    x, y, z = pymap3d.aer2ecef(az_deg, el_deg, range_m, *site)
    return np.stack([x, y, z], axis=-1)


def true_aer(points: np.ndarray, site: tuple[float, float, float] = SITE) -> np.ndarray:
    """(n, 3) [range m, az rad, el rad] of ECEF points seen from the site, by pymap3d."""
    az, el, rng = pymap3d.ecef2aer(points[:, 0], points[:, 1], points[:, 2], *site)
    return np.stack([rng, np.radians(az), np.radians(el)], axis=-1)


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20240601)


BIG_RCS = 1e6  # m²: Pd = 1 − O(1e-7) anywhere in range


def _radar(rt, boresight_deg=0.0, site=SITE, **kw):
    return Radar("test.radar", *site, boresight_deg, rt, **kw)


def _wrap(a):
    return np.mod(a + np.pi, 2 * np.pi) - np.pi


def _expected_pd(model, snr_db, pfa, n):
    """Pd written out from the closed forms of refs/physics.md §3.2 (not amdx's functions)."""
    snr = 10 ** (snr_db / 10)
    if model == "swerling1":
        return pfa ** (1 / (1 + snr))
    if model == "swerling0":
        return stats.ncx2.sf(stats.chi2.isf(pfa, 2 * n), 2 * n, 2 * n * snr)
    a = np.log(0.62 / pfa)
    z = (snr_db + 5 * np.log10(n)) / (6.2 + 4.54 / np.sqrt(n + 0.44))
    return 1 / (1 + np.exp(-(10**z - a) / (1.7 + 0.12 * a)))


@pytest.mark.parametrize(("model", "n_pulses", "snr_db"),
                         [("swerling1", 1, 12.0), ("swerling1", 1, 18.0), ("albersheim", 1, 12.0),
                          ("albersheim", 4, 6.5), ("swerling0", 1, 12.5)])
def test_detection_frequency_matches_pd(model, n_pulses, snr_db, rng):
    rt = radar_type()  # reference: 15 dB on 0.1 m² at 300 km
    radar = _radar(rt, detection_model=model, n_pulses=n_pulses, false_alarms=False)
    # targets at 250 km with the RCS that gives snr_db there: SNR_ref·(σ/σ_ref)·(R_ref/R)⁴ (refs §3.1)
    rcs = 0.1 * 10 ** ((snr_db - 15.0 - 40 * np.log10(300.0 / 250.0)) / 10)
    n_scans, n_targets = 10, 600
    az = rng.uniform(-55, 55, n_targets)
    truth = aer_targets(az, rng.uniform(2, 80, n_targets), np.full(n_targets, 250e3))
    hits = 0
    for k in range(n_scans):
        det = radar.scan(float(k), truth, None, rcs, rng)
        assert np.all(det.truth_index >= 0)
        hits += len(det)
        np.testing.assert_allclose(det.snr_db, snr_db, atol=1e-6)
    n = n_scans * n_targets
    pd = _expected_pd(model, snr_db, 1e-6, n_pulses)
    assert 0.2 < pd < 0.95
    assert abs(hits - n * pd) <= 3 * np.sqrt(n * pd * (1 - pd)), (hits / n, pd)


def _chi2_ok(errors, sigma):
    """Sample variance of errors against sigma², two-sided 99.9 % χ² interval (dof n − 1); mean within
    3.5σ/√n."""
    n = len(errors)
    stat = (n - 1) * np.var(errors, ddof=1) / sigma**2
    mean_ok = abs(np.mean(errors)) <= 3.5 * sigma / np.sqrt(n)
    return stats.chi2.ppf(0.0005, n - 1) <= stat <= stats.chi2.ppf(0.9995, n - 1) and mean_ok


def test_measurement_errors_have_the_configured_sigmas(rng):
    rt = radar_type(range_sigma_m=25.0, azimuth_sigma_deg=0.2, elevation_sigma_deg=0.1)
    radar = _radar(rt, boresight_deg=90.0, range_rate_sigma_mps=3.0, false_alarms=False)
    n = 3000
    truth = aer_targets(rng.uniform(35, 145, n), rng.uniform(1, 80, n), rng.uniform(5e3, 390e3, n))
    vel = rng.normal(0.0, 800.0, (n, 3))
    det = radar.scan(0.0, truth, vel, BIG_RCS, rng)
    assert len(det) == n
    ref = true_aer(truth[det.truth_index])
    assert _chi2_ok(det.z_polar[:, 0] - ref[:, 0], 25.0)
    assert _chi2_ok(_wrap(det.z_polar[:, 1] - ref[:, 1]), np.radians(0.2))
    assert _chi2_ok(det.z_polar[:, 2] - ref[:, 2], np.radians(0.1))
    # range rate: line-of-sight component of the Earth-relative velocity (site fixed on the Earth)
    site = np.array(pymap3d.geodetic2ecef(*SITE))
    los = truth[det.truth_index] - site
    rr_true = np.einsum("ij,ij->i", los / np.linalg.norm(los, axis=1)[:, None], vel[det.truth_index])
    assert _chi2_ok(det.range_rate_mps - rr_true, 3.0)
    # a wrong sigma is caught (the check can fail)
    assert not _chi2_ok(det.z_polar[:, 0] - ref[:, 0], 22.0)


NEES_BOUNDS_DOF3_N500 = (2.789, 3.218)  # refs/physics.md §4 table: dof 3, N = 500, 95 % two-sided


@pytest.mark.parametrize("type_id", ["ewr-l", "fcr-x", "fcr-c"])
def test_converted_covariance_is_consistent(type_id, rng):
    rt = bundled_catalog().sensor_type(type_id)
    radar = _radar(rt, false_alarms=False)
    n = 500
    r_max = rt.instrumented_range_m
    half = 0.5 * min(rt.azimuth_fov_deg, 359.0)
    # the far quarter of the instrumented range, where the linearisation is worst
    truth = aer_targets(rng.uniform(-half, half, n), rng.uniform(1.0, rt.elevation_max_deg - 1.0, n),
                        rng.uniform(0.75 * r_max, r_max, n))
    det = radar.scan(0.0, truth, None, BIG_RCS, rng)
    assert len(det) == n
    err = det.z_ecef_m - truth[det.truth_index]

    def nees(scale):
        w = np.linalg.solve(scale * det.R_ecef, err[..., None])[..., 0]
        return np.mean(np.einsum("ni,ni->n", err, w))

    lo, hi = NEES_BOUNDS_DOF3_N500
    assert lo <= nees(1.0) <= hi, nees(1.0)
    assert nees(4.0) < lo and nees(0.25) > hi  # the test fails in the right direction when R is wrong


def test_false_alarm_count_and_placement(rng):
    rt = radar_type(instrumented_range_km=200.0, azimuth_fov_deg=90.0, elevation_min_deg=0.0,
                    elevation_max_deg=30.0, false_alarm_probability=1e-5)
    radar = _radar(rt, boresight_deg=350.0, range_cell_m=150.0, beamwidth_deg=1.5, range_rate_sigma_mps=5.0,
                   range_rate_limit_mps=2000.0)
    # mean = Pfa × cells, cells = (200 km / 150 m) × (90° / 1.5°) × (30° / 1.5°)
    lam = 1e-5 * (200e3 / 150.0) * (90.0 / 1.5) * (30.0 / 1.5)
    assert radar.false_alarm_mean == pytest.approx(lam)
    k = 400
    scans = [radar.scan(float(i), np.zeros((0, 3)), np.zeros((0, 3)), np.zeros(0), rng) for i in range(k)]
    counts = np.array([len(s) for s in scans])
    assert abs(counts.mean() - lam) <= 3 * np.sqrt(lam / k)
    # Poisson: variance equals the mean (dispersion index, χ²(k − 1), 99.9 %)
    disp = (k - 1) * counts.var(ddof=1) / lam
    assert stats.chi2.ppf(0.0005, k - 1) <= disp <= stats.chi2.ppf(0.9995, k - 1)
    z = np.concatenate([s.z_polar for s in scans])
    assert np.all(np.concatenate([s.truth_index for s in scans]) == -1)
    # uniform over the searched cells: uniform in range, azimuth (305°..35°) and elevation
    u_r = z[:, 0] / 200e3
    u_az = np.mod(z[:, 1] - np.radians(305.0), 2 * np.pi) / np.radians(90.0)
    u_el = z[:, 2] / np.radians(30.0)
    for u in (u_r, u_az, u_el):
        assert np.all((u >= 0) & (u <= 1))
        assert stats.kstest(u, "uniform").pvalue > 1e-3
    snr = np.concatenate([s.snr_db for s in scans])
    assert np.all(snr >= 10 * np.log10(-np.log(1e-5) - 1) - 1e-9)  # above the square-law threshold
    rr = np.concatenate([s.range_rate_mps for s in scans])
    assert np.all(np.abs(rr) <= 2000.0)
    off = _radar(rt, false_alarms=False)
    assert len(off.scan(0.0, np.zeros((0, 3)), None, np.zeros(0), rng)) == 0


def test_field_of_view_and_elevation_limits(rng):
    rt = radar_type(azimuth_fov_deg=120.0, elevation_min_deg=0.0, elevation_max_deg=60.0)
    radar = _radar(rt, boresight_deg=330.0)  # the field wraps through north: 270°..30°
    n = 4000
    truth = aer_targets(rng.uniform(0, 360, n), rng.uniform(-5, 90, n), rng.uniform(1e3, 500e3, n))
    ref = true_aer(truth)
    off = np.degrees(_wrap(ref[:, 1] - np.radians(330.0)))
    inside = (np.abs(off) <= 60.0) & (ref[:, 2] >= 0) & (ref[:, 2] <= np.radians(60.0)) & (ref[:, 0] <= 400e3)
    det = radar.scan(0.0, truth, None, BIG_RCS, rng)
    real = det.truth_index[det.truth_index >= 0]
    np.testing.assert_array_equal(np.sort(real), np.flatnonzero(inside))
    fa = det.z_polar[det.truth_index < 0]
    assert len(fa) > 0
    assert np.all(np.abs(np.degrees(_wrap(fa[:, 1] - np.radians(330.0)))) <= 60.0 + 1e-9)
    assert np.all((fa[:, 2] >= 0) & (fa[:, 2] <= np.radians(60.0)) & (fa[:, 0] <= 400e3))


def test_horizon_masks_low_targets(rng):
    # refs/physics.md §3.3: radar at 10 m, target at 100 m: horizon at 54.25 km (4/3 Earth)
    rt = radar_type(elevation_min_deg=-1.0, azimuth_fov_deg=360.0)
    site = (52.0, 4.0, 10.0)
    radar = _radar(rt, site=site, false_alarms=False)
    az = np.arange(0.0, 360.0, 30.0)
    dist = np.concatenate([np.full(az.size, 0.99 * 54.25e3), np.full(az.size, 1.01 * 54.25e3)])
    lat, lon = destination_point(site[0], site[1], np.tile(az, 2), dist)
    truth = np.stack(pymap3d.geodetic2ecef(lat, lon, 100.0), axis=-1)
    # inside the elevation limits: only the horizon can mask them
    assert np.all(true_aer(truth, site)[:, 2] > np.radians(-1.0))
    det = radar.scan(0.0, truth, None, BIG_RCS, rng)
    np.testing.assert_array_equal(np.sort(det.truth_index), np.arange(az.size))


def test_reports_are_labelled_ordered_read_only_and_reproducible():
    rt = radar_type(azimuth_fov_deg=360.0, false_alarm_probability=1e-4)
    radar = _radar(rt, range_rate_sigma_mps=1.0)
    gen = np.random.default_rng(7)
    n = 300
    truth = aer_targets(gen.uniform(0, 360, n), gen.uniform(1, 80, n), gen.uniform(5e3, 390e3, n))
    vel = gen.normal(0, 300, (n, 3))
    a = radar.scan(12.5, truth, vel, BIG_RCS, np.random.default_rng(11))
    b = radar.scan(12.5, truth, vel, BIG_RCS, np.random.default_rng(11))
    assert a.sensor_id == "test.radar" and a.t_s == 12.5
    assert (a.truth_index < 0).any() and (a.truth_index >= 0).sum() == n
    for name in ("z_polar", "z_ecef_m", "R_ecef", "snr_db", "truth_index", "range_rate_mps"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
        assert not getattr(a, name).flags.writeable
    assert np.all(np.diff(a.z_polar[:, 1]) >= 0)
    real = a.truth_index >= 0
    e = a.z_ecef_m[real] - truth[a.truth_index[real]]
    d2 = np.einsum("ni,ni->n", e, np.linalg.solve(a.R_ecef[real], e[..., None])[..., 0])
    assert d2.max() < stats.chi2.ppf(1 - 1e-6, 3)
    with pytest.raises(ValueError):
        a.z_polar[0, 0] = 0.0


def test_inputs_are_not_mutated_and_errors_are_clear(rng):
    rt = radar_type()
    truth = aer_targets(np.array([0.0, 10.0]), np.array([5.0, 6.0]), np.array([50e3, 60e3]))
    t0 = truth.copy()
    _radar(rt).scan(0.0, truth, None, np.array([1.0, 2.0]), rng)
    np.testing.assert_array_equal(truth, t0)
    with pytest.raises(ValueError, match="needs truth velocities"):
        _radar(rt, range_rate_sigma_mps=1.0).scan(0.0, truth, None, 1.0, rng)
    with pytest.raises(ValueError, match="n_pulses"):
        _radar(rt, n_pulses=3)
    with pytest.raises(ValueError, match="unknown detection model"):
        _radar(rt, detection_model="swerling7")
    with pytest.raises(ValueError, match="Pfa"):
        _radar(radar_type(false_alarm_probability=0.01), detection_model="albersheim")


def test_from_scenario_sensor_and_catalog():
    sensor = Sensor.model_validate(dict(id="north.ewr1", owner="north", type="ewr-l", lat_deg=50.0,
                                        lon_deg=20.0, alt_m=300.0, boresight_deg=45.0, command="north.cc"))
    rt = bundled_catalog().sensor_type("ewr-l")
    radar = Radar.from_sensor(sensor, rt)
    assert (radar.sensor_id, radar.lat_deg, radar.boresight_deg, radar.detection_model) == \
        ("north.ewr1", 50.0, 45.0, "swerling1")
    np.testing.assert_allclose(radar.site_ecef_m, pymap3d.geodetic2ecef(50.0, 20.0, 300.0), atol=1e-6)


def test_ten_thousand_targets_in_one_scan():
    """Scale without timing (performance lives in bench/): every reported target is in range by pymap3d's slant
    range, and the measured ranges stay within 6 sigma of it."""
    rt = bundled_catalog().sensor_type("ewr-l")
    radar = _radar(rt, range_rate_sigma_mps=5.0)
    gen = np.random.default_rng(1)
    n = 10_000
    lat, lon = destination_point(SITE[0], SITE[1], gen.uniform(0, 360, n), gen.uniform(1e3, 900e3, n))
    alt = gen.uniform(0, 200e3, n)
    truth = np.stack(pymap3d.geodetic2ecef(lat, lon, alt), axis=-1)
    vel = gen.normal(0, 1000, (n, 3))
    det = radar.scan(0.0, truth, vel, 0.5, gen)
    real = det.truth_index >= 0
    assert real.sum() > 1000
    slant = pymap3d.geodetic2aer(lat, lon, alt, *SITE)[2][det.truth_index[real]]
    assert np.all(slant <= rt.instrumented_range_m)
    assert np.all(np.abs(det.z_polar[real, 0] - slant) < 6.0 * rt.range_sigma_m)
