"""`TrackTable` and `VerdictTable`: the per-track records they make on demand hold the picture's and the
evaluation's values, written out by hand here."""

from __future__ import annotations

import numpy as np
import pytest

from amdx.engine.battle_state import Verdict
from amdx.engine.battle_tables import TrackTable, VerdictTable
from amdx.engine.fusion import FusedPicture


def _picture() -> tuple[list[dict], FusedPicture]:
    entries = [{"track_id": "n.T0002", "classification": "ballistic", "impact": {"lat_deg": 1.0}, "pos_sigma_m": 40},
               {"track_id": "n.T0001", "classification": "air-breathing", "impact": None, "pos_sigma_m": 12.5}]
    fused = FusedPicture(np.array([2, 1]), np.stack([np.arange(6.0), np.arange(6.0) + 10.0]),
                         np.stack([np.eye(6), 2.0 * np.eye(6)]), np.array([1, 2], np.int8), [("own",), ("own",)],
                         ["r1", "r2"], ["M1", None], [0.0, 1.0], [("n/r1:T1",), ()])
    return entries, fused


def _one(fused: FusedPicture) -> FusedPicture:
    return FusedPicture(fused.number[:1], fused.x[:1], fused.P[:1], fused.classification[:1], fused.origins[:1],
                        fused.sensor_id[:1], fused.label[:1], fused.first_t_s[:1], fused.keys[:1])


def test_track_table_is_the_picture_by_id() -> None:
    entries, fused = _picture()
    table = TrackTable("n", entries, fused)
    assert list(table) == ["n.T0002", "n.T0001"] and len(table) == 2  # picture order
    assert "n.T0001" in table and "n.T0003" not in table and table.get("n.T0003") is None
    view = table["n.T0002"]
    assert (view.track_id, view.nation, view.classification, view.label, view.keys, view.impact, view.pos_sigma_m) \
        == ("n.T0002", "n", "ballistic", "M1", ("n/r1:T1",), {"lat_deg": 1.0}, 40.0)
    np.testing.assert_array_equal(view.x, np.arange(6.0))
    np.testing.assert_array_equal(view.P, np.eye(6))
    assert isinstance(view.pos_sigma_m, float)
    assert table.get("n.T0002") is view  # one object per track and picture
    np.testing.assert_array_equal(table.x, [np.arange(6.0), np.arange(6.0) + 10.0])
    assert table.column("classification") == ["ballistic", "air-breathing"]
    assert table.keys_column() == [("n/r1:T1",), ()]
    with pytest.raises(KeyError):
        table["n.T0003"]


def test_track_table_needs_one_fused_track_per_entry() -> None:
    entries, fused = _picture()
    with pytest.raises(ValueError, match="2 picture entries for 1 fused tracks"):
        TrackTable("n", entries, _one(fused))
    assert TrackTable("n", (), FusedPicture.empty()).x.shape == (0, 6)


def test_verdict_table_is_the_evaluation_by_id() -> None:
    p = np.array([[0.0, 0.25, 0.5], [0.0, 0.0, 0.0]])
    table = VerdictTable(["a", "b"], p, np.array([1.5, 0.0]), np.array([30.0, np.nan]), ["x", "y", "z"])
    assert list(table) == ["a", "b"] and "a" in table and "c" not in table
    assert table["a"] == Verdict({"y": 0.25, "z": 0.5}, 1.5, 30.0)  # non-zero probabilities, asset order
    assert table["b"] == Verdict({}, 0.0, None)  # unknown time to impact: None
    assert table["a"] is table["a"]
    np.testing.assert_array_equal(table.value_at_risk, [1.5, 0.0])
    assert table.probability is p
