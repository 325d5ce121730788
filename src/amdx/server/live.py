"""A live exercise: the engine paced to the wall clock, its journal, and the orders of the seats.

The engine stays pure: this class owns the wall clock. Scenario time runs at `speed` times the wall clock while
the exercise is running, from an anchor (scenario time, wall time) reset at every start, pause, resume and speed
change. Every accepted order is written to the journal before it is acknowledged and before the engine sees it,
so `resume` rebuilds the exercise exactly: a fresh engine with the same scenario and seed, fed every journaled
order, advanced to the last journaled event time, gives the same events (the engine is a function of scenario,
seed and orders), and play continues from there. Seat-level refusals are journaled too, as `seat_refused`
records visible to the seat's nation and the white cell.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import amdx
from amdx.engine.core import Engine
from amdx.engine.events import visibility
from amdx.engine.orders import ORDER_TYPES, order_from_record
from amdx.journal.store import JOURNAL_NAME, Journal
from amdx.server.seats import Seat, can_see, make_seats, may_order, members

SEATS_NAME = "seats.json"
MIN_SPEED, MAX_SPEED = 0.1, 100.0
MAX_STEP_S = 2.0
"""The most scenario time one tick advances; when the engine cannot keep up with the chosen speed the exercise
runs as fast as the machine allows instead of falling ever further behind, s."""
TICK_DIGITS = 6
"""The engine is only ever advanced to whole microseconds, the journal's time resolution, so an order stamped
with the engine's time is journaled with exactly that time and replays at exactly that point."""


@dataclass
class Clock:
    """Scenario time against the wall clock: t = anchor_t + (wall − anchor_wall) × speed while running."""

    speed: float = 1.0
    running: bool = False
    anchor_t_s: float = 0.0
    anchor_wall_s: float = 0.0

    def at(self, wall_s: float) -> float:
        return self.anchor_t_s + ((wall_s - self.anchor_wall_s) * self.speed if self.running else 0.0)


@dataclass
class OrderResult:
    """What the server answers to an order: HTTP-like status, and a JSON body."""

    status: int
    body: dict[str, Any] = field(default_factory=dict)


class LiveExercise:
    """One exercise of a server (see the module docstring). Not thread-safe: call it from one event loop."""

    def __init__(self, scenario: Any, out_dir: Path, *, seed: int | None = None, scenario_text: str = "",
                 resume: bool = False) -> None:
        self.scenario = scenario
        self.out_dir = out_dir
        self.cell_members = members(scenario)
        journal_path = out_dir / JOURNAL_NAME
        self.clock = Clock()
        if resume:
            self.journal = Journal.open(journal_path)
            meta = self.journal.meta()
            self.engine = Engine(scenario, int(meta["seed"]))
            self._replay()
            tokens = json.loads((out_dir / SEATS_NAME).read_text(encoding="utf-8"))
        else:
            self.engine = Engine(scenario, seed)
            self.journal = Journal.create(journal_path, {
                "amdx_version": amdx.__version__, "scenario_name": scenario.exercise.name,
                "scenario_text": scenario_text, "seed": str(self.engine.seed), "mode": "live"})
            tokens = None
        self.seats = make_seats(scenario, tokens)
        if not resume:
            path = out_dir / SEATS_NAME
            path.write_text(json.dumps({s.seat_id: s.token for s in self.seats}, indent=2) + "\n", encoding="utf-8")
            path.chmod(0o600)
        self.clock.anchor_t_s = self.engine.now_s
        self._by_token = {s.token: s for s in self.seats}

    # --- seats -------------------------------------------------------------------------------------------------
    def seat(self, token: str | None) -> Seat | None:
        """The seat holding `token`, or None."""
        return self._by_token.get(token or "")

    def visible(self, seat: Seat, record: dict[str, Any]) -> bool:
        return can_see(seat, record["visible_to"], self.cell_members)

    def records_since(self, seat: Seat, seq: int, limit: int = 5000) -> list[dict[str, Any]]:
        """The seat's visible journal records after `seq` (at most `limit`)."""
        out = []
        for record in self.journal.events_since(seq):
            if self.visible(seat, record):
                out.append(record)
                if len(out) >= limit:
                    break
        return out

    # --- time --------------------------------------------------------------------------------------------------
    @property
    def now_s(self) -> float:
        return self.engine.now_s

    def clock_state(self) -> dict[str, Any]:
        return {"t_s": round(self.now_s, 3), "speed": self.clock.speed, "running": self.clock.running,
                "finished": self.engine.finished, "duration_s": self.engine.duration_s,
                "epoch": self.scenario.exercise.epoch_iso}

    def control(self, action: str, wall_s: float, speed: float | None = None) -> tuple[bool, str]:
        """start / pause / resume / speed; (done, why not)."""
        t = self.clock.at(wall_s)
        if action in ("start", "resume"):
            if self.engine.finished:
                return False, "the exercise has ended"
            self.clock = Clock(self.clock.speed, True, max(t, self.now_s), wall_s)
        elif action == "pause":
            self.clock = Clock(self.clock.speed, False, max(t, self.now_s), wall_s)
        elif action == "speed":
            if speed is None or not MIN_SPEED <= float(speed) <= MAX_SPEED:
                return False, f"speed must be between {MIN_SPEED} and {MAX_SPEED}, found {speed!r}"
            self.clock = Clock(float(speed), self.clock.running, max(t, self.now_s), wall_s)
        else:
            return False, f"unknown control action {action!r}; expected start, pause, resume or speed"
        return True, ""

    def tick(self, wall_s: float) -> list[dict[str, Any]]:
        """Advance the engine to the clock's time; journal and return the new records (with `seq`)."""
        if not self.clock.running or self.engine.finished:
            return []
        target = self.clock.at(wall_s)
        if target > self.now_s + MAX_STEP_S:  # the engine is behind the clock: step at most MAX_STEP_S and let
            target = self.now_s + MAX_STEP_S  # the clock follow it, so it never runs away from the engine
            self.clock = Clock(self.clock.speed, True, target, wall_s)
        target = round(target, TICK_DIGITS)
        if target <= self.now_s:  # no time to advance: orders queued now wait for the next real step, as in replay
            return []
        events = self.engine.advance(target)
        if self.engine.finished:
            self.clock = Clock(self.clock.speed, False, self.now_s, wall_s)
        return self._journal([e.record() for e in events])

    def _journal(self, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if not records:
            return []
        seqs = self.journal.append_events(records)
        return [{"seq": s, **r} for s, r in zip(seqs, records, strict=True)]

    # --- orders ------------------------------------------------------------------------------------------------
    def submit(self, seat: Seat, order: Any) -> OrderResult:
        """A seat's order (JSON object with `kind`): 403 when the seat may not give it, 422 when malformed,
        else journaled, handed to the engine, 200."""
        if not isinstance(order, dict) or not isinstance(order.get("kind"), str):
            return OrderResult(422, {"accepted": False, "reason": "an order is a JSON object with a 'kind'"})
        if order["kind"] not in ORDER_TYPES:
            return OrderResult(422, {"accepted": False, "reason": f"unknown order kind {order['kind']!r}; expected "
                                     f"one of {', '.join(sorted(ORDER_TYPES))}"})
        ok, why = may_order(seat, order)
        if not ok:
            self.refused(seat, order, why)
            return OrderResult(403, {"accepted": False, "reason": why})
        if self.engine.finished:
            return OrderResult(409, {"accepted": False, "reason": "the exercise has ended"})
        record = {**order, "t_s": self.now_s, "source": seat.role or seat.seat_id}
        try:
            parsed = order_from_record(record)
        except (ValueError, TypeError) as exc:
            return OrderResult(422, {"accepted": False, "reason": str(exc)})
        seq = self.journal.append_order(parsed.record())
        self.engine.submit(parsed)
        return OrderResult(200, {"accepted": True, "seq": seq})

    def refused(self, seat: Seat, order: Any, reason: str) -> list[dict[str, Any]]:
        """Journal a seat-level refusal (visible to the seat's nation and the white cell)."""
        kind = order.get("kind") if isinstance(order, dict) else None
        record = {"kind": "seat_refused", "t_s": round(self.now_s, 6),
                  "visible_to": list(visibility(*([seat.nation] if seat.nation else []))),
                  "data": {"seat": seat.seat_id, "order": str(kind), "reason": reason}}
        return self._journal([record])

    def bookmark(self, seat: Seat, note: str) -> list[dict[str, Any]]:
        record = {"kind": "bookmark", "t_s": round(self.now_s, 6), "visible_to": list(visibility()),
                  "data": {"seat": seat.seat_id, "note": note[:500]}}
        return self._journal([record])

    # --- recovery ----------------------------------------------------------------------------------------------
    def _replay(self) -> None:
        """Rebuild the engine from the journal: each order is handed over exactly where the live engine had
        reached when it arrived (advance to its time, then submit, as `tick` and `submit` did), then the engine
        runs past the last journaled event. The regenerated events must equal the journaled ones; those beyond
        them (a step the kill cut short) are journaled now."""
        engine_records = [{k: v for k, v in r.items() if k != "seq"} for r in self.journal.events()
                          if r["kind"] not in ("seat_refused", "bookmark")]
        regenerated: list[dict[str, Any]] = []
        last_t = 0.0
        for record in self.journal.orders():
            order = order_from_record(record)
            if order.t_s > self.engine.now_s:  # orders given while the engine stood still go in together
                regenerated += [e.record() for e in self.engine.advance(order.t_s)]
            if not self.engine.finished:
                self.engine.submit(order)
            last_t = order.t_s
        if engine_records:  # journaled times are rounded to 1 µs: one more µs reaches the true time
            last_t = max(last_t, round(engine_records[-1]["t_s"] + 10.0 ** -TICK_DIGITS, TICK_DIGITS))
        regenerated += [e.record() for e in self.engine.advance(last_t)]
        regenerated = json.loads(json.dumps(regenerated))  # the journal's JSON form, to compare like with like
        for i, (journaled, again) in enumerate(zip(engine_records, regenerated, strict=False)):
            if journaled != again:
                raise RuntimeError(f"journal event {i} ({journaled['kind']} at t={journaled['t_s']} s) is not what "
                                   f"its scenario, seed and orders reproduce: not a deterministic replay")
        if len(regenerated) < len(engine_records):
            raise RuntimeError("the journal holds more events than its orders reproduce: not a deterministic replay")
        self._journal(regenerated[len(engine_records):])

    def close(self) -> None:
        self.journal.close()

