"""The batch of flights: segments, NaN outside the flight, continuity, and velocity = d(position)/dt."""

from __future__ import annotations

import numpy as np
import pymap3d
import pytest

from amdx.flight.ballistic import BoostModel, boost_exponent, boost_state, solve_ballistic
from amdx.flight.flights import BallisticFlights
from amdx.geo import WGS84

BOOST = BoostModel(120.0, 150e3, 80e3)


@pytest.fixture(scope="module")
def flights():
    sols = [
        solve_ballistic(40.0, -100.0, 10.0, -20.0, boost=BOOST, launch_t_s=0.0),
        solve_ballistic(40.0, -100.0, 10.0, -20.0, profile="lofted", boost=BOOST, launch_t_s=10.0),
        solve_ballistic(-20.0, 30.0, -25.0, 36.0, profile="depressed", launch_t_s=50.0),
    ]
    return sols, BallisticFlights.from_solutions(sols)


def test_shapes_and_nan_outside_the_flight(flights):
    sols, batch = flights
    t = np.linspace(-10.0, 4000.0, 401)
    pos = batch.position_ecef(t)
    assert pos.shape == (3, 401, 3)
    for i, s in enumerate(sols):
        inside = (t >= s.launch_t_s) & (t <= s.impact_t_s)
        assert np.all(np.isnan(pos[i, ~inside])) and not np.any(np.isnan(pos[i, inside]))
    assert batch.n_missiles == 3
    assert batch.impact_t_s == pytest.approx([s.impact_t_s for s in sols], abs=1e-9)


def test_launch_burnout_and_impact_points(flights):
    sols, batch = flights
    for i, s in enumerate(sols):
        t = np.array([s.launch_t_s, s.burnout_t_s - 1e-6, s.burnout_t_s + 1e-6, s.impact_t_s])
        pos, vel = batch.states_ecef(t)
        launch = np.array(pymap3d.geodetic2ecef(s.launch_lat_deg, s.launch_lon_deg, 0.0))
        assert pos[i, 0] == pytest.approx(launch, abs=1e-6)
        if s.has_boost:
            assert vel[i, 0] == pytest.approx(np.zeros(3), abs=1e-9)  # at rest on the rotating Earth
        else:
            assert np.linalg.norm(vel[i, 0]) == pytest.approx(s.burnout_speed_mps, rel=1e-12)
        if s.has_boost:  # position and velocity continuous at burnout (the boost curve meets the free flight)
            assert np.linalg.norm(pos[i, 1] - pos[i, 2]) < 2e-6 * 8e3
            assert np.linalg.norm(vel[i, 1] - vel[i, 2]) < 1e-3
        else:
            assert np.all(np.isnan(pos[i, 1]))
        aim = np.array(pymap3d.geodetic2ecef(s.aim_lat_deg, s.aim_lon_deg, 0.0))
        assert np.linalg.norm(pos[i, 3] - aim) < 1.0


def test_velocity_is_the_derivative_of_position(flights):
    sols, batch = flights
    for i, s in enumerate(sols):
        t = np.linspace(s.launch_t_s + 1.0, s.impact_t_s - 1.0, 57)
        h = 1e-3
        num = (batch.position_ecef(t + h)[i] - batch.position_ecef(t - h)[i]) / (2 * h)
        assert batch.velocity_ecef(t)[i] == pytest.approx(num, abs=2e-3)


def test_boost_climbs_monotonically_and_stays_above_the_ground(flights):
    sols, batch = flights
    for i, s in enumerate(sols[:2]):
        t = np.linspace(s.launch_t_s, s.burnout_t_s, 600)
        alt = pymap3d.ecef2geodetic(*batch.position_ecef(t)[i].T)[2]
        assert alt.min() > -1e-6
        assert np.all(np.diff(alt) > -1e-6)
        assert alt[-1] == pytest.approx(BOOST.burnout_altitude_m, abs=1e-3)


def test_boost_curve_end_conditions_for_any_exponent():
    rng = np.random.default_rng(2)
    r0, v0, r1, v1 = rng.normal(size=(4, 3)) * [[1e6], [1e2], [1e6], [1e3]]
    for m in (2.0, 3.0, 7.0):
        pos, vel = boost_state(np.array([0.0, 1.0]), r0, v0, r1, v1, 90.0, m)
        assert pos == pytest.approx(np.stack([r0, r1]), abs=1e-6)
        assert vel == pytest.approx(np.stack([v0, v1]), abs=1e-9)
    # m = 2 is the cubic Hermite curve
    s = 0.3
    h = [2 * s**3 - 3 * s**2 + 1, s**3 - 2 * s**2 + s, -2 * s**3 + 3 * s**2, s**3 - s**2]
    hermite = h[0] * r0 + h[1] * 90.0 * v0 + h[2] * r1 + h[3] * 90.0 * v1
    assert boost_state(s, r0, v0, r1, v1, 90.0, 2.0)[0] == pytest.approx(hermite, abs=1e-6)
    # the exponent grows when the burnout velocity climbs steeply relative to the height gained
    up = np.array([0.0, 0.0, 1.0])
    r0 = 6.4e6 * up
    assert boost_exponent(r0, 1000.0 * up, 1e5 * up, 60.0) == 2.0
    assert boost_exponent(r0, 7000.0 * up, 1e5 * up, 60.0) == 4.0  # ceil(60*7000/1e5 - 1) = 4


def test_batch_from_burnout_states_and_per_missile_times():
    sol = solve_ballistic(0.0, 0.0, 5.0, 12.0, earth=WGS84)
    batch = BallisticFlights.from_burnout_states(np.stack([sol.r_bo_eci_m] * 2), np.stack([sol.v_bo_eci_mps] * 2),
                                                 [0.0, 100.0], WGS84)
    t = np.array([[10.0, 200.0], [110.0, 300.0]])
    pos = batch.position_ecef(t)
    assert pos.shape == (2, 2, 3)
    assert batch.impact_t_s[1] - batch.impact_t_s[0] == pytest.approx(100.0, abs=1e-9)
    # the second flight is the first one 100 s later, turned by the Earth's rotation during those 100 s
    th = WGS84.omega_rad_s * 100.0
    rot = np.array([[np.cos(th), np.sin(th), 0.0], [-np.sin(th), np.cos(th), 0.0], [0.0, 0.0, 1.0]])
    assert pos[1, 0] == pytest.approx(rot @ pos[0, 0], abs=1e-6)


def test_mixed_earth_models_are_refused():
    from amdx.geo import SPHERE

    a = solve_ballistic(0.0, 0.0, 0.0, 5.0, earth=SPHERE)
    b = solve_ballistic(0.0, 0.0, 0.0, 5.0, earth=WGS84)
    with pytest.raises(ValueError, match="same Earth model"):
        BallisticFlights.from_solutions([a, b])


def test_single_time_states_are_memoised_read_only_and_equal_to_a_multi_time_evaluation():
    sols = [solve_ballistic(-43.9, -176.5, -41.29, 174.78, launch_t_s=t) for t in (0.0, 30.0)]
    flights = BallisticFlights.from_solutions(sols, 8000.0)
    times = np.array([100.0, 400.0, 700.0])
    pos_all, vel_all = flights.states_ecef(times)
    for k, t in enumerate(times):
        pos, vel = flights.states_ecef(np.array([t]))
        again, _ = flights.states_ecef(t)
        assert again is pos and not pos.flags.writeable and not vel.flags.writeable
        np.testing.assert_allclose(pos[:, 0], pos_all[:, k], rtol=0, atol=1e-6)
        np.testing.assert_allclose(vel[:, 0], vel_all[:, k], rtol=0, atol=1e-6)


@pytest.mark.parametrize("beta", [None, 2000.0])
def test_concatenated_batches_equal_the_batch_built_from_all_solutions(flights, beta):
    """Stacking two built batches gives the states, impact times and drag timing of solving all at once."""
    sols, _ = flights
    whole = BallisticFlights.from_solutions(sols, beta)
    joined = BallisticFlights.concatenate([BallisticFlights.from_solutions(sols[:1], beta),
                                           BallisticFlights.from_solutions(sols[1:], beta)])
    assert joined.n_missiles == 3 and (joined.drag is None) == (beta is None)
    np.testing.assert_array_equal(joined.impact_t_s, whole.impact_t_s)
    np.testing.assert_array_equal(joined.vacuum_impact_t_s, whole.vacuum_impact_t_s)
    t = np.linspace(-10.0, 4000.0, 801)
    for a, b in zip(joined.states_ecef(t), whole.states_ecef(t), strict=True):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(joined.orbits.apoapsis_time(), whole.orbits.apoapsis_time())
    assert not joined.impact_t_s.flags.writeable


def test_concatenate_refuses_a_mix_of_drag_and_vacuum_batches(flights):
    sols, _ = flights
    with pytest.raises(ValueError, match="drag"):
        BallisticFlights.concatenate([BallisticFlights.from_solutions(sols[:1], 2000.0),
                                      BallisticFlights.from_solutions(sols[1:])])


def test_position_of_one_missile_equals_its_row_of_the_batch_states(flights):
    _, batch = flights
    for t in (-5.0, 30.0, 400.0, 1500.0, 1e5):
        every = batch.position_ecef(t)
        for i in range(batch.n_missiles):
            np.testing.assert_array_equal(batch.position_of(i, t), every[i, 0])
    for bad in (-1, batch.n_missiles, 10**6):  # the kernel does not check: the method does
        with pytest.raises(IndexError):
            batch.position_of(bad, 30.0)


@pytest.mark.parametrize("beta", [None, 2000.0])
def test_states_into_writes_the_rows_of_a_multi_time_evaluation(flights, beta):
    """`states_into` fills a caller's rows with the states of the masked missiles at one time: bit for bit the
    missiles' columns of an evaluation at many times (boost, free flight, drag and NaN outside the flight)."""
    sols, _ = flights
    batch = BallisticFlights.from_solutions(sols, beta)
    times = np.array([-5.0, 30.0, 130.0, 400.0, 1500.0, 1e5])
    pos_all, vel_all = batch.states_ecef(times)
    for k, t in enumerate(times):
        for live in (None, np.array([True, False, True]), np.zeros(3, bool)):
            rows = np.arange(3) if live is None else np.flatnonzero(live)
            big_pos, big_vel = np.full((len(rows) + 2, 3), 7.0), np.full((len(rows) + 2, 3), 7.0)
            batch.states_into(t, live, big_pos[1:-1], big_vel[1:-1])  # rows of larger arrays, as the truth passes
            np.testing.assert_array_equal(big_pos[1:-1], pos_all[rows, k])
            np.testing.assert_array_equal(big_vel[1:-1], vel_all[rows, k])
            assert (big_pos[[0, -1]] == 7.0).all() and (big_vel[[0, -1]] == 7.0).all()
    with pytest.raises(ValueError, match="mask"):
        batch.states_into(0.0, np.ones(2, bool), np.empty((2, 3)), np.empty((2, 3)))
    with pytest.raises(ValueError, match="C-contiguous"):
        batch.states_into(0.0, None, np.empty((2, 3)), np.empty((3, 3)))
    with pytest.raises(ValueError, match="C-contiguous"):
        batch.states_into(0.0, None, np.empty((3, 6))[:, ::2], np.empty((3, 3)))
