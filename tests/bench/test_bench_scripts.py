"""The benchmark scripts still run (tiny sizes, no timing asserted: benchmarks measure, tests don't time)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
SHARED_WTA = BENCH.parent / ".." / "shared" / "data" / "wta"


def _run(script: str, *args: str) -> str:
    result = subprocess.run([sys.executable, str(BENCH / script), *args], capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_flight_benchmark_runs():
    out = _run("bench_flight.py", "--missiles", "20", "--times", "10", "--repeats", "1")
    assert "speed ratio" in out and "max position diff" in out


def test_tracking_benchmark_runs():
    out = _run("bench_tracking.py", "--targets", "30", "--scans", "6", "--timed-from", "3")
    assert "speed ratio" in out


def test_engine_benchmark_runs():
    out = _run("bench_engine.py", "--threats", "3", "--duration", "300")
    assert "x real time" in out


@pytest.mark.skipif(not SHARED_WTA.is_dir(), reason="shared/data/wta is not beside the repository")
def test_wta_benchmark_runs():
    out = _run("bench_wta.py", "--time-limit", "0.5", "--only", "50x100x1")
    assert "50x100x1" in out


def test_server_benchmark_runs():
    out = _run("bench_server.py", "--seats", "3", "--seconds", "3", "--scenario", "accidental_open_sea",
               "--speed", "5", "--warmup", "30")
    assert "update latency ms" in out and "server memory MiB" in out
