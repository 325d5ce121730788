"""The air picture's parts on their own: which tracks count as airborne, and the journal form of entries."""

from __future__ import annotations

import numpy as np
import pytest

from amdx.engine import events as ev
from amdx.engine.airpicture import GROUND_CLEARANCE_M, Names, _airborne, picture_entries, track_names
from amdx.engine.fusion import FusionCentre, SourceTracks
from amdx.geo import ecef_to_geodetic, geodetic_to_ecef


def test_airborne_is_the_geodetic_altitude_test_everywhere():
    """The shortcut (outside the sphere of the equatorial radius is above ground) against the geodetic altitude
    of every point: points from 5 km below to 30 km above the ellipsoid at all latitudes, and far ones."""
    rng = np.random.default_rng(3)
    lat, lon = rng.uniform(-90.0, 90.0, 4000), rng.uniform(-180.0, 180.0, 4000)
    alt = np.concatenate([rng.uniform(-5_000.0, 30_000.0, 3000), rng.uniform(-600.0, -400.0, 500),
                          rng.uniform(1e5, 1e6, 500)])
    x = np.zeros((4000, 6))
    x[:, :3] = geodetic_to_ecef(lat, lon, alt)
    expected = np.asarray(ecef_to_geodetic(x[:, :3])[2]) > GROUND_CLEARANCE_M
    assert np.array_equal(_airborne(x), expected)
    assert 0 < expected.sum() < 4000


def test_entries_journal_form_has_lists_and_the_tracks_values():
    """Entries carry tuples where the journal has lists (`record` turns them into lists), each entry the values
    of its fused track, and the geodetic position where the track was placed."""
    k = 3
    x = np.zeros((k, 6))
    lat, lon = np.array([10.0, 11.0, 12.0]), np.array([20.0, 20.5, 21.0])
    x[:, :3] = geodetic_to_ecef(lat, lon, np.full(k, 9e4))
    x[:, 3:] = [[100.0, -200.0, 50.0]] * k
    P = np.broadcast_to(np.diag([100.0**2] * 3 + [10.0**2] * 3), (k, 6, 6)).copy()
    src = SourceTracks("own", ("r/1", "r/2", "r/3"), x, P, np.array([2, 1, 0], np.int8), ("r",) * k,
                       ("A", None, "C"))
    picture = FusionCentre().fuse(0.0, [src])
    impacts = {picture.number[0]: {"lat_deg": 1.0}}
    entries = picture_entries("north", picture, 0.0, impacts)
    record = ev.AirPicture(t_s=0.0, visible_to=ev.visibility("north"), nation="north", tracks=entries).record()
    for e, f, r in zip(entries, picture, record["data"]["tracks"], strict=True):
        assert e["track_id"] == f"north.T{f.number:04d}" and e["source"] == "own" and e["sensor"] == "r"
        assert list(e["ecef_m"]) == f.x[:3].tolist() and list(e["vel_ecef_mps"]) == f.x[3:].tolist()
        assert e["speed_mps"] == float(np.linalg.norm(f.x[3:])) and e["pos_sigma_m"] == float(np.sqrt(3e4))
        assert e["impact"] is impacts.get(f.number)
        i = int(np.flatnonzero(np.all(x == f.x, axis=1))[0])  # the source row this track was made from
        assert abs(e["lat_deg"] - lat[i]) < 1e-9 and abs(e["lon_deg"] - lon[i]) < 1e-9  # the points placed
        assert abs(e["alt_m"] - 9e4) < 1e-6
        assert isinstance(r["ecef_m"], list) and isinstance(r["vel_ecef_mps"], list) and r["held_by"] == ["own"]
    assert [e["classification"] for e in entries] == ["ballistic", "air-breathing", "unknown"]


def test_names_are_the_formatted_prefix_and_number_made_once():
    """`Names` against the plain rule (prefix + the number formatted), one by one and as lists (any order,
    repeats), and each name is made once: the same object on the second lookup. Negative numbers are refused."""
    ids = track_names("north")
    keys = Names("north.ewr1/")
    for n in (0, 7, 42, 999, 1000, 12345):
        assert ids[n] == f"north.T{n:04d}" and keys[n] == f"north.ewr1/{n}"
        assert ids[n] is ids[n] and keys[n] is keys[n]
    fresh = Names("south.fcr2/")
    for numbers in ([], [5], [3, 1, 3, 20000], list(range(40))):
        assert fresh.of(numbers) == tuple(f"south.fcr2/{n}" for n in numbers)
        assert all(a is fresh[n] for a, n in zip(fresh.of(numbers), numbers, strict=True))
    for bad in (lambda: ids[-1], lambda: ids.of([4, -2])):
        with pytest.raises(ValueError, match="non-negative"):
            bad()


def test_names_far_beyond_those_made_are_named_without_filling_the_gap():
    # a tracker configured to number from two million: its names are right, and no list of millions is made
    far = Names("r1/")
    assert far[2_000_000] == "r1/2000000" and far.of([2_000_001, 5]) == ("r1/2000001", "r1/5")
    assert len(far._names) < 100_000


def test_entry_columns_are_the_geodetic_position_speed_and_position_sigma():
    """The entries' numeric columns in one pass: the geodetic point the states were placed at (the forward closed
    form), and speed and √ tr of the position covariance bit-equal to numpy's norm and trace."""
    from amdx.engine.fusion_kernels import entry_columns
    from amdx.geo import WGS84

    rng = np.random.default_rng(3)
    k = 50
    lat, lon, alt = rng.uniform(-89.0, 89.0, k), rng.uniform(-180.0, 180.0, k), rng.uniform(-400.0, 1.5e6, k)
    x = np.empty((k, 6))
    x[:, :3] = geodetic_to_ecef(lat, lon, alt)
    x[:, 3:] = rng.normal(0.0, 2_000.0, (k, 3))
    a = rng.standard_normal((k, 6, 6)) * 300.0
    P = a @ a.transpose(0, 2, 1)
    cols = entry_columns(x, P, WGS84.a_m, WGS84.a_m**2, WGS84.e2, WGS84.is_sphere)
    np.testing.assert_allclose(cols[0], lat, atol=1e-9)
    np.testing.assert_allclose(cols[1], lon, atol=1e-9)
    np.testing.assert_allclose(cols[2], alt, atol=1e-6)
    assert np.array_equal(cols[3], np.linalg.norm(x[:, 3:], axis=1))
    assert np.array_equal(cols[4], np.sqrt(np.trace(P[:, :3, :3], axis1=1, axis2=2)))
