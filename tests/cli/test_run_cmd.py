"""`amdx run`, `amdx export`, `amdx validate` and `amdx schema` as a user runs them."""

from __future__ import annotations

import json
import math
import sqlite3
from pathlib import Path

import pytest
from ruamel.yaml import YAML

import amdx

LIBRARY = Path(amdx.__file__).parent / "scenario" / "library"
R_MEAN = 6371.0088e3  # IUGG mean Earth radius, m


def haversine_m(lat1, lon1, lat2, lon2):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * R_MEAN * math.asin(math.sqrt(h))


@pytest.fixture(scope="module")
def default_run(tmp_path_factory, amdx):
    out = tmp_path_factory.mktemp("runs") / "a"
    r = amdx("run", "--seed", "5", "--out", str(out))
    assert r.returncode == 0, r.stderr
    return out, r


def test_run_writes_a_journal_and_a_summary_and_prints_the_table(default_run):
    out, r = default_run
    assert "threats" in r.stdout and "defended assets" in r.stdout
    summary = json.loads((out / "summary.json").read_text())
    assert summary["seed"] == 5
    conn = sqlite3.connect(out / "journal.sqlite")
    kinds = [k for (k,) in conn.execute("SELECT kind FROM events ORDER BY seq")]
    assert kinds[0] == "exercise_started" and kinds[-1] == "exercise_ended"
    assert kinds.count("threat_launched") == len(summary["threats"]) >= 6
    classes = {t["class"] for t in summary["threats"]}
    assert {"ballistic", "cruise", "aircraft"} <= classes


def test_summary_figures_agree_with_independent_geometry(default_run):
    """Miss distances and asset losses recomputed with a plain haversine from the scenario file."""
    out, _ = default_run
    summary = json.loads((out / "summary.json").read_text())
    scenario = YAML(typ="safe").load((LIBRARY / "default.yaml").read_text())
    assets = {a["id"]: a for a in scenario["assets"]}
    expected_lost = dict.fromkeys(assets, 0.0)
    for th in summary["threats"]:
        if th["impact_point"] is None:
            continue
        ip, aim = th["impact_point"], th["aim_point"]
        assert th["impact_t_s"] > th["launch_t_s"]
        if th["class"] == "ballistic":
            assert th["miss_distance_m"] == pytest.approx(
                haversine_m(ip["lat_deg"], ip["lon_deg"], aim["lat_deg"], aim["lon_deg"]), rel=0.01, abs=2.0)
            assert th["apogee_m"] > 20e3
        for aid, a in assets.items():
            if haversine_m(ip["lat_deg"], ip["lon_deg"], a["lat_deg"], a["lon_deg"]) <= a["radius_km"] * 1000 - 50:
                assert aid in th["assets_hit"]
                expected_lost[aid] = float(a["value"])
    for a in summary["assets"]:
        assert a["value_lost"] == pytest.approx(expected_lost[a["id"]])


def test_the_accidental_launch_comes_first_and_hits_nothing(default_run):
    out, _ = default_run
    summary = json.loads((out / "summary.json").read_text())
    first = min(summary["threats"], key=lambda t: t["launch_t_s"])
    assert first["class"] == "ballistic"
    assert first["assets_hit"] == []


def test_same_seed_gives_a_byte_identical_export_and_another_seed_does_not(default_run, amdx, tmp_path):
    out, _ = default_run
    again = tmp_path / "b"
    assert amdx("run", "--seed", "5", "--out", str(again), "-q").returncode == 0
    other = tmp_path / "c"
    assert amdx("run", "--seed", "6", "--out", str(other), "-q").returncode == 0
    exports = [amdx("export", str(d), "--format", "jsonl").stdout for d in (out, again, other)]
    assert exports[0] == exports[1]
    assert exports[0] != exports[2]
    n_events = sqlite3.connect(out / "journal.sqlite").execute("SELECT count(*) FROM events").fetchone()[0]
    lines = exports[0].splitlines()
    assert len(lines) == n_events
    assert [json.loads(x)["seq"] for x in lines] == list(range(1, n_events + 1))
    csv_out = amdx("export", str(out), "--format", "csv").stdout.splitlines()
    assert csv_out[0] == "seq,t_s,kind,visible_to,data" and len(csv_out) == n_events + 1


def test_run_refuses_to_overwrite_a_run(default_run, amdx):
    out, _ = default_run
    r = amdx("run", "--out", str(out))
    assert r.returncode == 2 and "already holds a run" in r.stderr


def test_export_of_a_folder_without_a_journal_is_bad_input(amdx, tmp_path):
    r = amdx("export", str(tmp_path))
    assert r.returncode == 2 and "no journal" in r.stderr and "Traceback" not in r.stderr


def test_validate_accepts_the_library_and_rejects_bad_files_with_line_numbers(amdx, tmp_path):
    files = sorted(str(p) for p in LIBRARY.glob("*.yaml"))
    r = amdx("validate", *files)
    assert r.returncode == 0, r.stderr
    assert r.stdout.count("ok") == len(files) >= 4
    text = (LIBRARY / "default.yaml").read_text()
    bad = tmp_path / "bad.yaml"
    bad.write_text(text.replace("lat_deg:", "lat_dg:", 1))
    line = next(i for i, s in enumerate(bad.read_text().splitlines(), 1) if "lat_dg" in s)
    r = amdx("validate", str(bad))
    assert r.returncode == 2
    assert f"bad.yaml:{line}:" in r.stderr and "lat_deg" in r.stderr and "Traceback" not in r.stderr
    r = amdx("run", str(bad))
    assert r.returncode == 2 and "Traceback" not in r.stderr
    r = amdx("validate", str(tmp_path / "missing.yaml"))
    assert r.returncode == 2 and "cannot read" in r.stderr


def test_schema_is_json_and_describes_the_top_level_sections(amdx):
    r = amdx("schema")
    assert r.returncode == 0
    schema = json.loads(r.stdout)
    for key in ("exercise", "nations", "assets", "sensors", "batteries", "msel"):
        assert key in schema["properties"]
