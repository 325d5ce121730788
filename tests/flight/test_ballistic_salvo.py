"""A salvo solved together (`solve_salvo`) is its rounds solved one at a time: the same numbers, bit for bit, and
each failing round's own error; and its rounds land where they are aimed (pymap3d), on the path scipy's
`solve_ivp` integrates from their burnout states (two-body motion, inertial frame)."""

from __future__ import annotations

from dataclasses import fields

import numpy as np
import pymap3d
import pytest
from scipy.integrate import solve_ivp

from amdx.flight.ballistic import BoostModel, UnreachableAim, solve_ballistic, solve_salvo
from amdx.geo import SPHERE, WGS84, destination_point

BOOSTS = {"none": None, "srbm": BoostModel(60.0, 50e3, 20e3), "icbm": BoostModel(180.0, 200e3, 150e3)}


def _alone(launch, aims, times, **kwargs):
    """Each round solved by itself: its solution, or the error it raises."""
    out = []
    for (lat, lon), t in zip(aims, times, strict=True):
        try:
            out.append(solve_ballistic(*launch, lat, lon, launch_t_s=t, **kwargs))
        except ValueError as exc:
            out.append(exc)
    return out


def _assert_same(together, alone):
    assert len(together) == len(alone)
    for a, b in zip(together, alone, strict=True):
        if isinstance(b, ValueError):
            assert type(a) is type(b) and str(a) == str(b)
            continue
        for f in fields(b):
            x, y = getattr(a, f.name), getattr(b, f.name)
            if isinstance(y, np.ndarray):
                assert x.tobytes() == y.tobytes() and x.shape == y.shape and not x.flags.writeable, f.name
            else:
                assert x == y or (x != x and y != y), f.name  # NaN-safe equality, no tolerance


def _salvo(seed, n, lo_km, hi_km):
    """A launch point and n aim points lo..hi km away in a 40° fan, launch times 10 s apart from a random start."""
    rng = np.random.default_rng(seed)
    launch = (float(rng.uniform(-60, 60)), float(rng.uniform(-180, 180)))
    az = rng.uniform(0, 360) + rng.uniform(-20, 20, n)
    lat, lon = destination_point(launch[0], launch[1], az, rng.uniform(lo_km, hi_km, n) * 1e3)
    times = (rng.uniform(0, 500) + 10.0 * np.arange(n)).tolist()
    return launch, list(zip(lat.tolist(), lon.tolist(), strict=True)), times


@pytest.mark.parametrize("profile", ["min-energy", "lofted", "depressed"])
@pytest.mark.parametrize("boost", ["none", "srbm", "icbm"])
def test_salvo_is_its_rounds_solved_alone_and_lands_on_the_aims(profile, boost):
    lo, hi = (300, 1500) if boost == "srbm" else (800, 9000)
    launch, aims, times = _salvo(list(BOOSTS).index(boost) + 7 * len(profile), 7, lo, hi)
    kwargs = {"profile": profile, "earth": WGS84, "boost": BOOSTS[boost], "aim_alt_m": 200.0}
    together = solve_salvo(*launch, [a[0] for a in aims], [a[1] for a in aims], times, **kwargs)
    _assert_same(together, _alone(launch, aims, times, **kwargs))
    for sol, (lat, lon) in zip(together, aims, strict=True):
        aim = np.array(pymap3d.geodetic2ecef(lat, lon, 200.0))
        assert np.linalg.norm(sol.r_impact_ecef_m - aim) < 1.0
        assert np.linalg.norm(_integrated_impact_ecef(sol) - aim) < 1.0


def _integrated_impact_ecef(sol):
    """The ECEF point reached at the solution's impact time by integrating two-body motion (DOP853, rtol 1e-11)
    from its burnout state in the inertial frame (which meets ECEF at t = 0; ECEF turns about +z)."""
    mu, omega = WGS84.mu_m3_s2, WGS84.omega_rad_s

    def rhs(_t, y):
        return np.concatenate([y[3:], -mu * y[:3] / np.linalg.norm(y[:3]) ** 3])

    run = solve_ivp(rhs, (sol.burnout_t_s, sol.impact_t_s), np.concatenate([sol.r_bo_eci_m, sol.v_bo_eci_mps]),
                    method="DOP853", rtol=1e-11, atol=1e-6)
    assert run.success
    x, y, z = run.y[:3, -1]
    c, s = np.cos(-omega * sol.impact_t_s), np.sin(-omega * sol.impact_t_s)
    return np.array([c * x - s * y, s * x + c * y, z])


@pytest.mark.parametrize("boost", [None, BoostModel(60.0, 50e3, 20e3)])
def test_failing_rounds_keep_their_own_errors_among_good_ones(boost):
    launch = (10.0, 20.0)
    lat, lon = destination_point(10.0, 20.0, [80.0, 85.0], [900e3, 15e3])
    aims = [(float(lat[0]), float(lon[0])),  # good
            (float(lat[1]), float(lon[1])),  # inside the boost's downrange (good without a boost)
            (95.0, 20.0),  # latitude out of range
            (-10.0, -160.0),  # the antipode: half-way round the globe without a boost
            (10.0, 20.0),  # the launch point itself
            (12.0, 28.0)]  # good
    times = [0.0, 10.0, 20.0, 30.0, 40.0, 50.0]
    kinds = (["BallisticSolution", "UnreachableAim", "ValueError", "BallisticSolution", "UnreachableAim"] if boost
             else ["BallisticSolution", "BallisticSolution", "ValueError", "UnreachableAim", "UnreachableAim"])
    for profile in ("min-energy", "lofted", "depressed"):
        together = solve_salvo(*launch, [a[0] for a in aims], [a[1] for a in aims], times, profile=profile,
                               boost=boost)
        if profile == "min-energy":
            assert [type(x).__name__ for x in together] == [*kinds, "BallisticSolution"]
        _assert_same(together, _alone(launch, aims, times, profile=profile, boost=boost))


def test_requested_apogee_between_the_rounds_minimum_energy_apogees():
    # a lofted (depressed) apogee between the rounds' minimum-energy apogees: some rounds are refused, each with
    # its own figures, the others meet it on the ellipsoid
    launch, aims, times = _salvo(3, 8, 900, 1400)
    lats, lons = [a[0] for a in aims], [a[1] for a in aims]
    me = [s.apogee_m for s in solve_salvo(*launch, lats, lons, times)]
    apogee = float(np.median(me))
    for profile in ("lofted", "depressed"):
        together = solve_salvo(*launch, lats, lons, times, profile=profile, apogee_m=apogee)
        refused = [isinstance(s, UnreachableAim) for s in together]
        assert any(refused) and not all(refused)
        for sol in together:
            if not isinstance(sol, UnreachableAim):
                _lat, _lon, alt = pymap3d.ecef2geodetic(*pymap3d.geodetic2ecef(sol.apogee_lat_deg, sol.apogee_lon_deg,
                                                                              sol.apogee_m))
                assert alt == pytest.approx(apogee, abs=0.01)
        _assert_same(together, _alone(launch, aims, times, profile=profile, apogee_m=apogee, earth=WGS84))


def test_a_round_refused_after_its_flight_is_solved():
    # a burnout below the launch horizon is found from the solved flight (with the boost exponent): refused alone
    boost = BoostModel(60.0, 10e3, 1500e3)
    aims, times = [(0.0, 40.0), (5.0, 42.0)], [0.0, 5.0]
    together = solve_salvo(0.0, 0.0, [0.0, 5.0], [40.0, 42.0], times, boost=boost)
    assert all(isinstance(x, UnreachableAim) and "horizon" in str(x) for x in together)
    _assert_same(together, _alone((0.0, 0.0), aims, times, boost=boost))
    # on a sphere without rotation the flights are those of the same rounds alone too
    together = solve_salvo(0.0, 0.0, [0.0, 5.0], [40.0, 42.0], times, earth=SPHERE)
    _assert_same(together, _alone((0.0, 0.0), aims, times, earth=SPHERE))


def test_bad_salvo_arguments():
    with pytest.raises(ValueError, match="one aim longitude and launch time per round"):
        solve_salvo(0.0, 0.0, [1.0, 2.0], [3.0], [0.0, 1.0])
    assert [str(e) for e in solve_salvo(0.0, 0.0, [1.0, 2.0], [3.0, 4.0], [0.0, 1.0], profile="sideways")] == \
        ["unknown profile 'sideways'; expected one of min-energy, lofted, depressed"] * 2
    assert all("[-90, 90]" in str(e) for e in solve_salvo(95.0, 0.0, [1.0], [3.0], [0.0]))


def test_depth_check_refuses_each_round_with_its_own_depth(monkeypatch):
    # with a tolerance far below any flight every round is refused by the depth check, naming its own depth
    import amdx.flight.ballistic as ballistic

    monkeypatch.setattr(ballistic, "BELOW_SURFACE_TOLERANCE_M", -1e9)
    launch, aims, times = _salvo(5, 4, 500, 900)
    together = solve_salvo(*launch, [a[0] for a in aims], [a[1] for a in aims], times)
    assert all(isinstance(x, UnreachableAim) and "below the surface" in str(x) for x in together)
    assert len({str(x) for x in together}) == 4
    _assert_same(together, _alone(launch, aims, times))
