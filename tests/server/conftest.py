"""A real `amdx serve` process on 127.0.0.1 for the server tests, and small HTTP/WebSocket helpers."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from amdx.scenario import bundled_scenario_path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    proc: subprocess.Popen
    port: int
    out: Path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def tokens(self) -> dict[str, str]:
        return json.loads((self.out / "seats.json").read_text(encoding="utf-8"))

    def client(self, seat: str) -> httpx.Client:
        return httpx.Client(base_url=self.base, headers={"Authorization": f"Bearer {self.tokens[seat]}"},
                            timeout=10.0)

    def ws_url(self, seat: str) -> str:
        return f"ws://127.0.0.1:{self.port}/ws?token={self.tokens[seat]}"

    def kill(self, sig: int = signal.SIGTERM) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


def start_server(out: Path, *args: str) -> Server:
    """Start `amdx serve` and wait until it answers (at most 60 s)."""
    port = free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    cmd = [sys.executable, "-m", "amdx", "serve", "--host", "127.0.0.1", "--port", str(port), *args]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
    server = Server(proc, port, out)
    deadline = time.monotonic() + 60.0
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"amdx serve exited: {proc.stdout.read().decode() if proc.stdout else ''}")
        try:
            if (out / "seats.json").is_file():
                r = httpx.get(f"{server.base}/api/session", timeout=1.0)
                if r.status_code == 401:
                    return server
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    server.kill(signal.SIGKILL)
    raise RuntimeError("amdx serve did not answer within 60 s")


@pytest.fixture()
def partner_city_server(tmp_path):
    out = tmp_path / "exercise"
    server = start_server(out, str(bundled_scenario_path("accidental_partner_city")), "--out", str(out), "--seed", "2")
    yield server
    server.kill()


@pytest.fixture()
def serve():
    """Start `amdx serve` processes (stopped at the end of the test): serve(out_dir, *args) -> Server."""
    started: list[Server] = []

    def _start(out: Path, *args: str) -> Server:
        server = start_server(out, *args)
        started.append(server)
        return server

    yield _start
    for server in started:
        server.kill(signal.SIGKILL)
