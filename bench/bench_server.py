"""Benchmark: the live server under load — WebSocket seats receiving updates while a raid runs at real time.

    python bench/bench_server.py [--seats 50] [--seconds 60] [--scenario saturation] [--speed 1] [--warmup 330]

Starts `amdx serve` on 127.0.0.1 (a separate process), runs the exercise as fast as it goes to `--warmup` scenario
seconds (by then the saturation raid has been launched and is in flight), then at `--speed` connects N WebSocket seats
(the scenario's seats, round robin), and for `--seconds` measures the update latency of every clock message
(2 Hz per seat: receive time minus the server's send time, same machine) and the server's resident memory at the
start and the end. Prints p50/p99 latency and memory beside the issue's targets (p99 < 100 ms, no growth). Bounded
in count and time; loopback only.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np
import websockets

from amdx.scenario import bundled_scenario_path

CLOCK_PREFIX = '{"type": "clock"'


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_mib(pid: int) -> float:
    """Resident memory of a process and all its descendants (the server runs its engine in a child), MiB."""
    total = 0.0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            total += int(line.split()[1]) / 1024.0
    for task in Path(f"/proc/{pid}/task").iterdir():
        children = (task / "children").read_text().split() if (task / "children").exists() else []
        total += sum(rss_mib(int(child)) for child in children)
    return total


async def seat_loop(url: str, until: float, latencies: list[float], counts: list[int]) -> None:
    async with websockets.connect(url, max_size=None, compression=None) as ws:
        while (left := until - time.monotonic()) > 0:
            try:
                raw = await asyncio.wait_for(ws.recv(), timeout=left)
            except TimeoutError:
                break
            now_ms = time.time() * 1000.0
            counts[0] += 1
            if raw.startswith(CLOCK_PREFIX):  # parse only the small clock messages: the seats' client is one
                message = json.loads(raw)     # Python process and must not fall behind on large pictures
                if "sent_ms" in message:
                    latencies.append(now_ms - message["sent_ms"])


async def load(port: int, tokens: list[str], seconds: float) -> list[float]:
    latencies: list[float] = []
    counts = [0]
    until = time.monotonic() + seconds
    await asyncio.gather(*(seat_loop(f"ws://127.0.0.1:{port}/ws?token={t}", until, latencies, counts)
                           for t in tokens))
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seats", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--scenario", default="saturation")
    parser.add_argument("--speed", type=float, default=1.0)
    parser.add_argument("--warmup", type=float, default=330.0, help="scenario s to run before measuring")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "exercise"
        port = free_port()
        cmd = [sys.executable, "-m", "amdx", "serve", str(bundled_scenario_path(args.scenario)), "--host",
               "127.0.0.1", "--port", str(port), "--out", str(out)]
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                env={**os.environ, "PYTHONUNBUFFERED": "1"})
        try:
            deadline = time.monotonic() + 120.0
            while time.monotonic() < deadline:
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/api/session", timeout=1).status_code == 401:
                        break
                except httpx.HTTPError:
                    time.sleep(0.3)
            seats = json.loads((out / "seats.json").read_text())
            tokens = [seats[k] for k in sorted(seats)]
            tokens = [tokens[i % len(tokens)] for i in range(args.seats)]
            white = {"Authorization": f"Bearer {seats['white']}"}
            api = f"http://127.0.0.1:{port}/api"
            httpx.post(f"{api}/control", json={"action": "speed", "speed": 100}, headers=white)
            httpx.post(f"{api}/control", json={"action": "start"}, headers=white)
            warm_end = time.monotonic() + 900.0
            while httpx.get(f"{api}/session", headers=white, timeout=30).json()["clock"]["t_s"] < args.warmup:
                if time.monotonic() > warm_end:
                    raise SystemExit("the warm-up did not finish within 900 s")
                time.sleep(0.25)
            httpx.post(f"{api}/control", json={"action": "speed", "speed": args.speed}, headers=white, timeout=30)
            rss_start = rss_mib(proc.pid)
            latencies = asyncio.run(load(port, tokens, args.seconds))
            rss_end = rss_mib(proc.pid)
            clock = httpx.get(f"{api}/session", headers=white, timeout=30).json()["clock"]
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
    lat = np.array(latencies)
    p50, p99 = (np.percentile(lat, [50, 99]) if lat.size else (float("nan"), float("nan")))
    print(f"{args.seats} seats, {args.seconds:.0f} s wall, scenario {args.scenario} at {args.speed:g}x after a "
          f"warm-up to {args.warmup:g} s; scenario clock reached {clock['t_s']:.1f} s")
    print(f"clock updates received: {lat.size} ({lat.size / max(args.seats * args.seconds, 1):.2f} Hz per seat)")
    print(f"update latency ms: p50 {p50:.1f}  p99 {p99:.1f}  max {lat.max() if lat.size else float('nan'):.1f}"
          f"   (target p99 < 100 ms: {p99 / 100.0:.2f} of it)")
    print(f"server memory MiB (server and engine processes): start {rss_start:.1f}  end {rss_end:.1f}  "
          f"growth {rss_end - rss_start:+.1f}")


if __name__ == "__main__":
    main()
