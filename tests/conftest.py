"""Shared fixtures: a real `amdx serve` (or `amdx replay`) process on 127.0.0.1 for the server and browser tests."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from amdx.scenario import bundled_scenario_path


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    """Compile the engine's kernels once, before any test or xdist worker starts (workers then load them from the
    cache), when the cache is empty: a cold compile takes minutes, which must not land inside a server
    test's timeouts."""
    if hasattr(session.config, "workerinput"):  # an xdist worker: the controller has done it
        return
    from amdx.runner import compile_kernels, kernels_cached

    if not kernels_cached():
        compile_kernels()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    proc: subprocess.Popen
    port: int
    out: Path
    output: list[str] = field(default_factory=list)

    def ready(self) -> dict:
        """The JSON line the server prints when it is ready (port, and the reviewer's token for a replay)."""
        return next(json.loads(line) for line in self.output if line.startswith('{"ready"'))

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def tokens(self) -> dict[str, str]:
        return json.loads((self.out / "seats.json").read_text(encoding="utf-8"))

    def client(self, seat: str) -> httpx.Client:
        return httpx.Client(base_url=self.base, headers={"Authorization": f"Bearer {self.tokens[seat]}"},
                            timeout=10.0)

    def events(self, seat: str, **params: object) -> list[dict]:
        """Every record the seat may see, through the paginated `/api/events`."""
        out: list[dict] = []
        with self.client(seat) as client:
            since = 0
            while True:
                page = client.get("/api/events", params={**params, "since": since}).json()
                if not page["events"]:
                    return out
                out.extend(page["events"])
                since = page["next"]

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


def start_server(out: Path, *args: str, command: str = "serve") -> Server:
    """Start `amdx serve` (or `amdx replay`) and wait until it answers (at most 60 s)."""
    port = free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "200"}
    cmd = [sys.executable, "-m", "amdx", command, "--host", "127.0.0.1", "--port", str(port), *args]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, text=True)
    server = Server(proc, port, out)
    lines: list[str] = server.output

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line)

    threading.Thread(target=read, daemon=True).start()
    deadline = time.monotonic() + 60.0
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            time.sleep(0.2)
            raise RuntimeError(f"amdx {command} exited: {''.join(lines)}")
        try:
            if httpx.get(f"{server.base}/api/session", timeout=1.0).status_code == 401:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    server.kill(signal.SIGKILL)
    raise RuntimeError(f"amdx {command} did not answer within 60 s")


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

    def _start(out: Path, *args: str, command: str = "serve") -> Server:
        server = start_server(out, *args, command=command)
        started.append(server)
        return server

    yield _start
    for server in started:
        server.kill(signal.SIGKILL)
