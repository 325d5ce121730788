"""The live exercise in its own process, so that the server's event loop never waits for the engine's Python.

`RemoteExercise` offers the methods of `LiveExercise` that the server uses; each call goes over a pipe to a child
process that owns the real `LiveExercise` (engine, journal, clock) and answers in order. Seat lookup and
visibility are pure and answered locally; the clock state is cached from the child's latest answer, so the 2 Hz
clock feed never blocks. The child exits when its parent dies (it checks its parent's pid while it waits), so an
exercise killed with `kill -9` leaves no writer behind its journal.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import threading
from pathlib import Path
from typing import Any

from amdx.collector import exercise_pace
from amdx.server.live import LiveExercise, OrderResult
from amdx.server.seats import Seat, can_see, members

POLL_S = 0.5


def _serve(conn: Any, scenario_text: str, source: str, out_dir: str, seed: int | None, resume: bool,
           parent_pid: int) -> None:
    """The child: build the exercise, then answer (method, args) requests until told to stop or orphaned."""
    with exercise_pace():  # the collector's pace for an exercise (amdx.collector), for the child's life
        from amdx.scenario import load_scenario_text

        try:
            live = LiveExercise(load_scenario_text(scenario_text, source=source), Path(out_dir), seed=seed,
                                scenario_text=scenario_text, resume=resume)
        except Exception as exc:  # reported to the parent, which raises it
            conn.send(("error", repr(exc)))
            return
        conn.send(("ready", live.seats, live.clock_state()))
        while True:
            if not conn.poll(POLL_S):
                if os.getppid() != parent_pid:
                    break
                continue
            try:
                method, args = conn.recv()
            except EOFError:
                break
            if method == "stop":
                break
            try:
                result = getattr(live, method)(*args)
                conn.send(("ok", result, live.clock_state()))
            except Exception as exc:  # an engine failure is answered, never a silent death
                conn.send(("error", repr(exc)))
        live.close()


class RemoteExercise:
    """A `LiveExercise` running in a child process (see the module docstring)."""

    def __init__(self, scenario: Any, scenario_text: str, source: str, out_dir: Path, *, seed: int | None = None,
                 resume: bool = False) -> None:
        self.scenario = scenario
        self.out_dir = out_dir
        self.cell_members = members(scenario)
        ctx = mp.get_context("spawn")
        self._conn, child = ctx.Pipe()
        self._proc = ctx.Process(target=_serve, args=(child, scenario_text, source, str(out_dir), seed, resume,
                                                      os.getpid()), daemon=True)
        self._proc.start()
        reply = self._conn.recv()
        if reply[0] != "ready":
            self._proc.join(timeout=5)
            raise RuntimeError(f"the exercise could not start: {reply[1]}")
        _, self.seats, self._clock = reply
        self._by_token = {s.token: s for s in self.seats}
        self._lock = threading.Lock()

    def _call(self, method: str, *args: Any) -> Any:
        with self._lock:
            self._conn.send((method, args))
            reply = self._conn.recv()
        if reply[0] != "ok":
            raise RuntimeError(f"the exercise failed in {method}: {reply[1]}")
        self._clock = reply[2]
        return reply[1]

    # --- answered here -------------------------------------------------------------------------------------------
    def seat(self, token: str | None) -> Seat | None:
        return self._by_token.get(token or "")

    def visible(self, seat: Seat, record: dict[str, Any]) -> bool:
        return can_see(seat, record["visible_to"], self.cell_members)

    def clock_state(self) -> dict[str, Any]:
        return dict(self._clock)

    @property
    def now_s(self) -> float:
        return float(self._clock["t_s"])

    # --- answered by the child ---------------------------------------------------------------------------------
    def tick(self, wall_s: float) -> list[dict[str, Any]]:
        return self._call("tick", wall_s)

    def control(self, action: str, wall_s: float, speed: float | None = None) -> tuple[bool, str]:
        return self._call("control", action, wall_s, speed)

    def submit(self, seat: Seat, order: Any) -> OrderResult:
        return self._call("submit", seat, order)

    def refused(self, seat: Seat, order: Any, reason: str) -> list[dict[str, Any]]:
        return self._call("refused", seat, order, reason)

    def bookmark(self, seat: Seat, note: str) -> list[dict[str, Any]]:
        return self._call("bookmark", seat, note)

    def records_since(self, seat: Seat, seq: int, limit: int = 5000) -> list[dict[str, Any]]:
        return self._call("records_since", seat, seq, limit)

    def close(self) -> None:
        if self._proc.is_alive():
            with self._lock:
                self._conn.send(("stop", ()))
            self._proc.join(timeout=10)
            if self._proc.is_alive():
                self._proc.kill()
