"""Picture quality from hand-made records: completeness, redundancy, spurious tracks and RMSE counted by hand."""

from __future__ import annotations

import math

import pytest

from amdx.analysis.picture_quality import picture_quality


def _track(track_id: str, ecef: list[float]) -> dict:
    return {"track_id": track_id, "ecef_m": ecef}


def _records() -> list[dict]:
    threats = [{"id": "m1", "ecef_m": [0.0, 0.0, 0.0]}, {"id": "m2", "ecef_m": [1000.0, 0.0, 0.0]}]
    return [
        {"kind": "threat_launched", "t_s": 0.0, "data": {"threat_id": "m1"}},
        {"kind": "threat_launched", "t_s": 0.0, "data": {"threat_id": "m2"}},
        # t = 5: m1 held twice (N1, N2), m2 not held, one false track
        {"kind": "air_picture", "t_s": 5.0, "data": {"nation": "n", "tracks": [
            _track("N1", [3.0, 0.0, 0.0]), _track("N2", [0.0, 4.0, 0.0]), _track("N9", [5.0, 5.0, 5.0])]}},
        {"kind": "truth_snapshot", "t_s": 5.0, "data": {"threats": threats,
                                                         "labels": {"n": {"N1": "m1", "N2": "m1", "N9": None}}}},
        # t = 10: both held once
        {"kind": "air_picture", "t_s": 10.0, "data": {"nation": "n", "tracks": [
            _track("N1", [0.0, 0.0, 0.0]), _track("N3", [1000.0, 0.0, 0.0])]}},
        {"kind": "truth_snapshot", "t_s": 10.0, "data": {"threats": threats,
                                                          "labels": {"n": {"N1": "m1", "N3": "m2"}}}},
    ]


def test_completeness_redundancy_spurious_and_rmse_are_the_hand_counts():
    q = picture_quality(_records(), ["n"])["nations"]["n"]
    assert q["completeness"] == pytest.approx(3 / 4)  # m1, m1, m2 held of 4 threat samples
    assert q["redundancy"] == pytest.approx(1 / 3)  # of the 3 held samples, one (m1 at 5 s) held twice
    assert q["spurious_tracks"] == 1
    assert q["position_rmse_m"] == pytest.approx(math.sqrt((9 + 16 + 0 + 0) / 4))
