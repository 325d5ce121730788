"""`amdx trajectory` against the textbook minimum-energy table (refs/physics.md §1.2)."""

from __future__ import annotations

import json

import pytest


@pytest.mark.parametrize(
    ("psi_deg", "v_kms", "phi_deg", "apogee_km", "tof_s"),
    [(8.993, 3.0161, 42.752, 239.9, 474.4), (26.980, 4.8650, 38.255, 655.2, 895.0)],
)
def test_sphere_minimum_energy_matches_the_textbook_table(amdx, psi_deg, v_kms, phi_deg, apogee_km, tof_s):
    # along the equator of the 6371 km sphere the ground range angle is the longitude difference
    r = amdx("trajectory", "--from", "0,0", "--to", f"0,{psi_deg}", "--earth", "sphere", "--json")
    assert r.returncode == 0, r.stderr
    got = json.loads(r.stdout)
    assert got["ground_range_m"] == pytest.approx(6371e3 * psi_deg * 3.141592653589793 / 180, rel=1e-4)
    assert got["burnout_speed_mps"] == pytest.approx(v_kms * 1000, rel=1e-3)
    assert got["time_of_flight_s"] == pytest.approx(tof_s, rel=1e-3)
    assert got["apogee_m"] == pytest.approx(apogee_km * 1000, abs=500)
    assert got["flight_path_angle_deg"] == pytest.approx(phi_deg, abs=0.01)


def test_table_output_and_negative_coordinates(amdx):
    r = amdx("trajectory", "--from", "-43.9,-176.5", "--to", "-41.29,174.78")
    assert r.returncode == 0, r.stderr
    assert "time of flight" in r.stdout and "apogee" in r.stdout


def test_lofted_rotating_earth_reaches_the_aim_point(amdx):
    r = amdx("trajectory", "--from=10,20", "--to=12,28", "--profile", "lofted", "--apogee-km", "900", "--json")
    assert r.returncode == 0, r.stderr
    got = json.loads(r.stdout)
    assert got["apogee_m"] == pytest.approx(900e3, abs=1000)
    assert got["impact_lat_deg"] == pytest.approx(12, abs=1e-4)
    assert got["impact_lon_deg"] == pytest.approx(28, abs=1e-4)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "95,0", "--to", "0,1"], "latitude must be in [-90, 90]"),
        (["--from", "abc", "--to", "0,1"], "expected LAT,LON"),
        (["--from", "0,0", "--to", "0,10", "--profile", "lofted", "--apogee-km", "10"], "cannot reach"),
        (["--from", "0,0", "--to", "0,10", "--threat", "no-such-type"], "unknown ballistic threat type"),
        (["--from", "0,0", "--to", "0,10", "--profile", "sideways"], "sideways"),
    ],
)
def test_bad_input_exits_2_with_a_message_and_no_traceback(amdx, args, message):
    r = amdx("trajectory", *args)
    assert r.returncode == 2
    assert message in " ".join(r.stderr.split())
    assert "Traceback" not in r.stderr + r.stdout


def test_a_trajectory_through_the_earth_is_refused(amdx):
    """Pole to pole on WGS84 the minimum-energy ellipse (nearly a circular orbit of the mean radius) would pass
    under the equatorial bulge, about 21 km higher than the poles (refs/physics.md §2.2)."""
    r = amdx("trajectory", "--from", "89.9,0", "--to", "-89.9,10")
    assert r.returncode == 2
    assert "below the surface" in r.stderr and "Traceback" not in r.stderr


def test_a_range_beyond_the_catalog_type_is_flagged(amdx):
    far = json.loads(amdx("trajectory", "--from", "0,0", "--to", "0,10", "--threat", "srbm-a", "--json").stdout)
    assert "outside srbm-a's range" in far["warning"]
    near = json.loads(amdx("trajectory", "--from", "0,0", "--to", "0,2", "--threat", "srbm-a", "--json").stdout)
    assert near["warning"] is None
