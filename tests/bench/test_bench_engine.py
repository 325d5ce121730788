"""The saturation scenario holds what issue 4 asks for, and the engine benchmark scales its raid faithfully.

Facts are read from the file with a plain YAML loader (not amdx's), distances with a plain haversine.
"""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from amdx.scenario import bundled_scenario_path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "bench_engine.py"
R_MEAN_KM = 6371.0088


def haversine_km(lat1, lon1, lat2, lon2):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * R_MEAN_KM * math.asin(math.sqrt(h))


@pytest.fixture(scope="module")
def plain():
    return YAML(typ="safe").load(bundled_scenario_path("saturation").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_engine", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_saturation_has_the_scale_issue_4_asks_for(plain):
    assert "notional" in bundled_scenario_path("saturation").read_text(encoding="utf-8").splitlines()[0].lower()
    assert plain["exercise"]["duration_s"] == 900
    launches = [e for e in plain["msel"] if e["kind"] == "launch"]
    assert sum(e.get("count", 1) for e in launches) >= 500
    assert any(e["kind"] == "route" and e["threat"] == "cm-a" for e in plain["msel"])
    # every ballistic round is launched in the first ~5 minutes
    assert max(e["t_s"] + (e.get("count", 1) - 1) * e.get("interval_s", 0) for e in launches) <= 330
    assert len(plain["batteries"]) == 50 and len(plain["sensors"]) == 20
    for nation in ("north", "south"):
        batteries = [b for b in plain["batteries"] if b["owner"] == nation]
        assert len(batteries) == 25 and {b["type"] for b in batteries} == {"sam-upper", "sam-lower"}
        types = [s["type"] for s in plain["sensors"] if s["owner"] == nation]
        assert types.count("sbw-a") == 1 and "ewr-l" in types and {"fcr-x", "fcr-c"} <= set(types)
    assets = {a["id"]: a for a in plain["assets"]}
    # each battery stands near a defended asset of its own nation
    for b in plain["batteries"]:
        near = min(assets.values(), key=lambda a: haversine_km(a["lat_deg"], a["lon_deg"], b["lat_deg"], b["lon_deg"]))
        assert near["owner"] == b["owner"]
        assert haversine_km(near["lat_deg"], near["lon_deg"], b["lat_deg"], b["lon_deg"]) < 20.0
    # mrbm-a flies 400-1300 km (catalog); every target is in range, and both nations are attacked
    for e in launches:
        target = assets[e["target"]]
        d = haversine_km(e["origin"]["lat_deg"], e["origin"]["lon_deg"], target["lat_deg"], target["lon_deg"])
        assert e["threat"] == "mrbm-a" and 400.0 <= d <= 1300.0
    assert {assets[e["target"]]["owner"] for e in launches} == {"north", "south"}


@pytest.mark.parametrize("n", [3, 100, 2000])
def test_the_bench_scales_the_raid_to_n_rounds_over_the_same_span(bench, plain, n):
    scenario = bench.saturation_raid(n, 600.0)
    launches = [e for e in scenario.msel if e.kind == "launch"]
    assert sum(e.count for e in launches) == n
    assert scenario.exercise.duration_s == 600.0
    spans = {e["id"]: (e["count"] - 1) * e["interval_s"] for e in plain["msel"] if e["kind"] == "launch"}
    for e in launches:
        assert e.count == 1 or (e.count - 1) * e.interval_s == pytest.approx(spans[e.id])
    routes = [e for e in scenario.msel if e.kind == "route"]
    assert len(routes) == sum(e["kind"] == "route" for e in plain["msel"])
