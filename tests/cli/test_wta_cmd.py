"""`amdx wta`: JSON output checked against a closed-form optimum, and exit code 2 for malformed files."""

from __future__ import annotations

import json

import pytest

# Two types, three targets, one unit each. Closed form by hand: type 0 -> target 2 (30 * 0.1 = 3 left),
# type 1 -> target 1 (20 * 0.2 = 4 left), target 0 untouched (10): 17. Any other choice leaves more.
GOOD = "2 3 1\n10\n20\n30\n0 0 0.5\n0 1 0.5\n0 2 0.9\n1 0 0.1\n1 1 0.8\n1 2 0.3\n"


def test_json_output(amdx, tmp_path):
    f = tmp_path / "tiny.txt"
    f.write_text(GOOD)
    r = amdx("wta", str(f), "--json", "--time-limit", "5")
    assert r.returncode == 0, r.stderr
    got = json.loads(r.stdout)
    assert {"objective", "time_s", "assignment"} <= set(got)
    assert got["objective"] == pytest.approx(17.0)
    assert got["assignment"] == [[2], [1]]
    assert got["time_s"] >= 0


def test_table_output(amdx, tmp_path):
    f = tmp_path / "tiny.txt"
    f.write_text(GOOD)
    r = amdx("wta", str(f))
    assert r.returncode == 0, r.stderr
    assert "expected surviving value: 17.000000" in r.stdout and "solve time" in r.stdout
    assert "  0: 2" in r.stdout and "  1: 1" in r.stdout


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (GOOD.replace("30\n", ""), "expected 10 non-blank lines"),
        (GOOD.replace("0 1 0.5", "0 1 1.5"), ":6: kill probability must be in [0, 1], found 1.5"),
        (GOOD.replace("0 1 0.5", "0 1 0,5"), ":6: expected a kill probability (number), found '0,5'"),
        (GOOD.replace("2 3 1", "2 3 one"), ":1: expected an integer"),
    ],
)
def test_malformed_file_exits_2_with_the_line(amdx, tmp_path, text, message):
    f = tmp_path / "bad.txt"
    f.write_text(text)
    r = amdx("wta", str(f))
    assert r.returncode == 2
    assert message in " ".join(r.stderr.split())
    assert "Traceback" not in r.stderr + r.stdout


def test_missing_file_exits_2(amdx, tmp_path):
    r = amdx("wta", str(tmp_path / "nope.txt"))
    assert r.returncode == 2 and "cannot read" in r.stderr
