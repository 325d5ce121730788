"""Threat evaluation of air-breathing tracks: straight-line closest approach (refs §5.1) and the probability of
passing inside an asset's radius, against closed forms (distance/speed, the Rice CDF of an offset isotropic
bivariate normal) and scipy's numerical integration of the bivariate normal density.

Tracks are placed with pymap3d (a peer library) in the asset's local east/north/up frame, a few hundred metres
up, so the module's local horizontal plane is the plane the geometry is written in.
"""

from __future__ import annotations

import math

import numpy as np
import pymap3d
import pytest
from scipy import integrate, stats

from amdx.c2.air_threats import HEADING_SPREAD, HORIZON_S, evaluate_air_tracks

ASSET_LAT, ASSET_LON = -41.29, 174.78
QMC_TOL = 2e-2  # 1024 quasi-Monte-Carlo points


def _track(east_m: float, north_m: float, up_m: float, heading_deg: float, speed_mps: float) -> tuple:
    """ECEF position and velocity of a track at (east, north, up) of the asset flying level on a heading."""
    pos = np.array(pymap3d.enu2ecef(east_m, north_m, up_m, ASSET_LAT, ASSET_LON, 0.0))
    h = math.radians(heading_deg)
    vel = np.array(pymap3d.enu2uvw(speed_mps * math.sin(h), speed_mps * math.cos(h), 0.0, ASSET_LAT, ASSET_LON))
    return pos, vel


def _evaluate(tracks, sigma_m, radius_m, value=100.0, assets=((ASSET_LAT, ASSET_LON),)):
    pos = np.array([p for p, _ in tracks])
    vel = np.array([v for _, v in tracks])
    lat = [a[0] for a in assets]
    lon = [a[1] for a in assets]
    n = len(assets)
    return evaluate_air_tracks(pos, vel, np.broadcast_to(sigma_m, (len(tracks),)), lat, lon,
                               np.broadcast_to(radius_m, (n,)), np.broadcast_to(value, (n,)))


@pytest.mark.parametrize(("bearing_deg", "distance_m", "speed_mps"), [
    (90.0, 40e3, 250.0),  # a cruise missile from the east
    (0.0, 25e3, 60.0),  # a drone from the north
    (217.0, 60e3, 300.0),  # an aircraft from the south-west
    (333.0, 12e3, 180.0),
])
def test_a_track_flying_straight_at_an_asset(bearing_deg, distance_m, speed_mps):
    b = math.radians(bearing_deg)
    track = _track(distance_m * math.sin(b), distance_m * math.cos(b), 300.0, (bearing_deg + 180.0) % 360.0,
                   speed_mps)
    res = _evaluate([track], sigma_m=30.0, radius_m=12e3)
    t_go = distance_m / speed_mps
    assert res.threatened[0]
    assert res.time_to_impact_s[0] == pytest.approx(t_go, rel=1e-3)
    # the miss offset is zero; σ_eff = √(σ² + (k v t)²) against a 12 km radius: Rayleigh CDF, close to 1
    s_eff = math.hypot(30.0, HEADING_SPREAD * speed_mps * t_go)
    assert stats.rayleigh.cdf(12e3, scale=s_eff) > 0.98
    assert res.probability[0, 0] > 0.98
    assert res.probability[0, 0] == pytest.approx(stats.rayleigh.cdf(12e3, scale=s_eff), abs=QMC_TOL)
    assert res.expected_value_at_risk[0] == pytest.approx(100.0 * res.probability[0, 0])


@pytest.mark.parametrize("heading_offset_deg", [180.0, 120.0, 240.0, 90.0 + 1.0, 270.0 - 1.0])
def test_a_track_flying_away_threatens_nothing(heading_offset_deg):
    # from 5 km east of the asset (well inside its 12 km radius), heading away from it or opening
    bearing = 90.0
    heading = (bearing + 180.0 + heading_offset_deg) % 360.0
    track = _track(5e3, 0.0, 300.0, heading, 250.0)
    res = _evaluate([track], sigma_m=30.0, radius_m=12e3)
    assert res.probability[0, 0] == 0.0
    assert not res.threatened[0]
    assert np.isnan(res.time_to_impact_s[0])
    assert res.expected_value_at_risk[0] == 0.0


@pytest.mark.parametrize("heading_deg", [90.0, 20.0, 305.0])
@pytest.mark.parametrize("miss_m", [0.0, 1500.0, 3000.0, 4500.0, 6500.0])
def test_a_track_passing_abeam_matches_the_rice_cdf(heading_deg, miss_m):
    # the track crosses the asset's plane on a heading, passing at miss_m to the left of the asset after
    # flying lead_m: closest approach at lead/v, offset miss_m (refs §5.1)
    radius, sigma, speed, lead = 3000.0, 200.0, 200.0, 20e3
    h = math.radians(heading_deg)
    along = np.array([math.sin(h), math.cos(h)])
    left = np.array([-along[1], along[0]])
    start = -lead * along + miss_m * left
    track = _track(start[0], start[1], 250.0, heading_deg, speed)
    res = _evaluate([track], sigma_m=sigma, radius_m=radius)
    t_cpa = lead / speed
    s_eff = math.sqrt(sigma**2 + (HEADING_SPREAD * speed * t_cpa) ** 2)
    expected = stats.rice.cdf(radius / s_eff, miss_m / s_eff)
    assert res.probability[0, 0] == pytest.approx(expected, abs=QMC_TOL)
    if expected >= 0.05:  # clearly above the 1 % floor: threatened, at the closest approach
        assert res.threatened[0]
        assert res.time_to_impact_s[0] == pytest.approx(t_cpa, rel=1e-3)


def test_abeam_probability_against_a_numerical_integral_of_the_bivariate_normal():
    radius, sigma, speed, lead, miss = 4000.0, 500.0, 240.0, 30e3, 3500.0
    track = _track(-lead, miss, 400.0, 90.0, speed)  # eastbound, passing 3.5 km north of the asset
    res = _evaluate([track], sigma_m=sigma, radius_m=radius)
    s2 = sigma**2 + (HEADING_SPREAD * speed * lead / speed) ** 2
    density = stats.multivariate_normal(mean=[0.0, miss], cov=s2 * np.eye(2))
    inside, _ = integrate.dblquad(lambda y, x: density.pdf([x, y]), -radius, radius,
                                  lambda x: -math.sqrt(max(radius**2 - x * x, 0.0)),
                                  lambda x: math.sqrt(max(radius**2 - x * x, 0.0)), epsabs=1e-6)
    assert 0.2 < inside < 0.8  # a genuinely partial overlap
    assert res.probability[0, 0] == pytest.approx(inside, abs=QMC_TOL)


def test_far_miss_slow_or_beyond_horizon_tracks_threaten_nothing():
    tracks = [
        _track(-20e3, 40e3, 300.0, 90.0, 200.0),  # passes 40 km north of a 3 km asset: far beyond 6σ_eff
        _track(0.0, 20e3, 300.0, 180.0, 10.0),  # straight at it, but closest approach after 2000 s > HORIZON_S
        _track(0.0, 2e3, 300.0, 180.0, 0.5),  # (nearly) stationary: no closest approach to predict
    ]
    assert HORIZON_S < 20e3 / 10.0
    res = _evaluate(tracks, sigma_m=100.0, radius_m=3000.0)
    np.testing.assert_array_equal(res.probability, 0.0)
    assert not res.threatened.any()
    assert np.isnan(res.time_to_impact_s).all()


def test_several_tracks_and_assets_value_at_risk_and_priority_order():
    # asset A at the origin (value 100), asset B 60 km east of it (value 10), 6 km radius each
    b_lat, b_lon, _ = pymap3d.enu2geodetic(60e3, 0.0, 0.0, ASSET_LAT, ASSET_LON, 0.0)
    assets = ((ASSET_LAT, ASSET_LON), (float(b_lat), float(b_lon)))
    radius, sigma = 6000.0, 50.0
    tracks = [
        _track(-20e3, 0.0, 300.0, 270.0, 200.0),  # 0: west of A flying west: away from both
        _track(60e3, 30e3, 300.0, 180.0, 250.0),  # 1: straight at B from the north (passes A 60 km off)
        _track(0.0, 40e3, 300.0, 180.0, 250.0),  # 2: straight at A from the north
        _track(-20e3, 6000.0, 300.0, 90.0, 200.0),  # 3: eastbound, passing A then B about 6 km to the north
    ]
    values = np.array([100.0, 10.0])
    res = _evaluate(tracks, sigma_m=sigma, radius_m=radius, value=values, assets=assets)

    def rice(miss_m: float, speed: float, t_cpa: float) -> float:
        s_eff = math.hypot(sigma, HEADING_SPREAD * speed * t_cpa)
        return float(stats.rice.cdf(radius / s_eff, miss_m / s_eff))

    expected = np.array([
        [0.0, 0.0],
        [0.0, rice(0.0, 250.0, 120.0)],
        [rice(0.0, 250.0, 160.0), 0.0],  # B is 60 km abeam of track 2's line: nothing
        [rice(6000.0, 200.0, 100.0), rice(6000.0, 200.0, 400.0)],  # B's plane is 0.5° off A's: negligible
    ])
    assert res.probability.shape == (4, 2)
    np.testing.assert_allclose(res.probability, expected, atol=QMC_TOL)
    np.testing.assert_allclose(res.expected_value_at_risk, res.probability @ values)
    assert res.threatened.tolist() == [False, True, True, True]
    # threatening tracks first, highest value at risk first (2: ≈ 99 > 3: ≈ 47 + 4 > 1: ≈ 10), then the rest
    assert res.order.tolist() == [2, 3, 1, 0]
    assert res.time_to_impact_s[2] == pytest.approx(40e3 / 250.0, rel=1e-3)
    assert res.time_to_impact_s[1] == pytest.approx(30e3 / 250.0, rel=1e-3)
    assert res.time_to_impact_s[3] == pytest.approx(20e3 / 200.0, rel=1e-3)  # A first, then B
    assert np.isnan(res.time_to_impact_s[0])
