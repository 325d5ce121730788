"""The FastAPI application of a live exercise (`docs/server-protocol.md`).

`live` is a `LiveExercise`, or (as `amdx serve` runs it) a `RemoteExercise` that runs one in its own process.

One background task ticks the exercise every `TICK_S` of wall time and fans the new journal records out to the
connected WebSockets, each filtered by its seat's visibility. Every request and WebSocket message is checked
against the seat of its token; bad input gets a clear error and never stops the server.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request, WebSocket, WebSocketDisconnect
from fastapi.responses import JSONResponse, Response

from amdx.server.console_files import mount_console, request_token
from amdx.server.live import LiveExercise
from amdx.server.seats import Seat

TICK_S = 0.1
CLOCK_EVERY_S = 0.5
MAX_MESSAGE_BYTES = 64 * 1024
QUEUE_LIMIT = 2000


class Hub:
    """The exercise, its ticking task and its subscribers."""

    def __init__(self, live: LiveExercise | Any) -> None:
        self.live = live
        self.subscribers: dict[int, tuple[Seat, asyncio.Queue[str]]] = {}
        self._next = 0
        self.lock = asyncio.Lock()  # one user of the engine and the journal at a time

    def subscribe(self, seat: Seat) -> tuple[int, asyncio.Queue[str]]:
        self._next += 1
        queue: asyncio.Queue[str] = asyncio.Queue(QUEUE_LIMIT)
        self.subscribers[self._next] = (seat, queue)
        return self._next, queue

    def unsubscribe(self, key: int) -> None:
        self.subscribers.pop(key, None)

    def publish(self, records: list[dict[str, Any]]) -> None:
        """New records to every seat that may see them: filtered and serialised once per view, not per seat
        (an air picture of hundreds of tracks is large; fifty copies of its JSON would stall the loop)."""
        if not records:
            return
        texts: dict[str, str | None] = {}
        for seat, queue in list(self.subscribers.values()):
            view = _view(seat)
            if view not in texts:
                mine = [r for r in records if self.live.visible(seat, r)]
                texts[view] = json.dumps({"type": "events", "events": mine}) if mine else None
            text = texts[view]
            if text is not None:
                _offer(queue, text)

    def publish_clock(self) -> None:
        text = json.dumps({"type": "clock", **self.live.clock_state(), "sent_ms": time.time() * 1000.0})
        for _, queue in list(self.subscribers.values()):
            _offer(queue, text)

    async def run(self) -> None:
        while True:
            now = time.monotonic()
            async with self.lock:
                try:  # the engine steps in a worker thread so that the sockets keep flowing meanwhile
                    self.publish(await asyncio.to_thread(self.live.tick, now))
                except Exception as exc:  # the exercise must not die silently: pause it and say why
                    self.live.control("pause", now)
                    self.publish(self.live.refused(Seat("server", "white", None, "server", ""), {"kind": "tick"},
                                                   f"engine error, exercise paused: {exc!r}"))
            await asyncio.sleep(TICK_S)

    async def clock_feed(self) -> None:
        """The clock to every seat at a steady rate, whatever the engine is doing meanwhile."""
        while True:
            self.publish_clock()
            await asyncio.sleep(CLOCK_EVERY_S)


def _view(seat: Seat) -> str:
    """Seats of one view see the same records (see `seats.can_see`)."""
    return {"white": "*", "ccc": "ccc"}.get(seat.kind, f"nation:{seat.nation}")


def _offer(queue: asyncio.Queue[str], message: str) -> None:
    if queue.full():  # a slow client loses its oldest messages, never the server's memory
        with contextlib.suppress(asyncio.QueueEmpty):
            queue.get_nowait()
    queue.put_nowait(message)


def create_app(live: LiveExercise | Any, static_dir: Path | None = None, autostart: bool = False) -> FastAPI:
    """The application serving one live exercise (and the built console from `static_dir`, when given)."""
    hub = Hub(live)

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if autostart:
            live.control("start", time.monotonic())
        tasks = [asyncio.create_task(hub.run()), asyncio.create_task(hub.clock_feed())]
        yield
        for task in tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        live.close()

    app = FastAPI(title="amdx live exercise", lifespan=lifespan)
    app.state.hub = hub

    def seat_of(request: Request) -> Seat | None:
        return live.seat(request_token(request))

    def unauthorised() -> JSONResponse:
        return JSONResponse({"reason": "missing or wrong access token"}, status_code=401)

    @app.get("/api/session")
    async def session(request: Request) -> Response:
        seat = seat_of(request)
        if seat is None:
            return unauthorised()
        return JSONResponse({"seat": seat.public(), "mode": "live", "scenario": laydown(live.scenario, seat),
                             "clock": live.clock_state()})

    @app.get("/api/events")
    async def events(request: Request, since: int = 0) -> Response:
        seat = seat_of(request)
        if seat is None:
            return unauthorised()
        async with hub.lock:
            records = live.records_since(seat, since)
        nxt = records[-1]["seq"] if records else since
        return JSONResponse({"events": records, "next": nxt})

    @app.post("/api/orders")
    async def orders(request: Request) -> Response:
        seat = seat_of(request)
        if seat is None:
            return unauthorised()
        body = await _json_body(request)
        if isinstance(body, str):
            return JSONResponse({"accepted": False, "reason": body}, status_code=422)
        async with hub.lock:
            result = live.submit(seat, body)
        return JSONResponse(result.body, status_code=result.status)

    @app.post("/api/control")
    async def control(request: Request) -> Response:
        seat = seat_of(request)
        if seat is None:
            return unauthorised()
        if seat.kind != "white":
            return JSONResponse({"reason": "only the white cell controls the exercise clock"}, status_code=403)
        body = await _json_body(request)
        if not isinstance(body, dict):
            return JSONResponse({"reason": body if isinstance(body, str) else "expected a JSON object"},
                                status_code=422)
        async with hub.lock:
            ok, why = live.control(str(body.get("action")), time.monotonic(), body.get("speed"))
        if not ok:
            return JSONResponse({"reason": why}, status_code=422)
        hub.publish_clock()
        return JSONResponse({"clock": live.clock_state()})

    @app.post("/api/bookmarks")
    async def bookmarks(request: Request) -> Response:
        seat = seat_of(request)
        if seat is None:
            return unauthorised()
        if seat.kind != "white":
            return JSONResponse({"reason": "only the white cell bookmarks the exercise"}, status_code=403)
        body = await _json_body(request)
        note = body.get("note") if isinstance(body, dict) else None
        if not isinstance(note, str) or not note:
            return JSONResponse({"reason": "expected {\"note\": \"text\"}"}, status_code=422)
        async with hub.lock:
            hub.publish(live.bookmark(seat, note))
        return JSONResponse({"t_s": live.now_s})

    @app.websocket("/ws")
    async def socket(ws: WebSocket) -> None:
        seat = live.seat(ws.query_params.get("token"))
        await ws.accept()
        if seat is None:
            await ws.close(code=4401, reason="missing or wrong access token")
            return
        key, queue = hub.subscribe(seat)
        sender = asyncio.create_task(_pump(ws, queue))
        try:
            await ws.send_json({"type": "hello", "seat": seat.public(), "clock": live.clock_state()})
            while True:
                text = await ws.receive_text()
                async with hub.lock:
                    reply = handle_message(live, hub, seat, text)
                if reply is not None:
                    await queue.put(json.dumps(reply))
        except WebSocketDisconnect:
            pass
        finally:
            hub.unsubscribe(key)
            sender.cancel()

    mount_console(app, static_dir)
    return app


async def _pump(ws: WebSocket, queue: asyncio.Queue[str]) -> None:
    with contextlib.suppress(Exception):
        while True:
            await ws.send_text(await queue.get())


async def _json_body(request: Request) -> Any:
    raw = await request.body()
    if len(raw) > MAX_MESSAGE_BYTES:
        return f"the body is larger than {MAX_MESSAGE_BYTES} bytes"
    try:
        return json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        return f"not JSON: {exc}"


def handle_message(live: LiveExercise | Any, hub: Hub, seat: Seat, text: str) -> dict[str, Any] | None:
    """One WebSocket message from a seat; the reply to queue for it (None: nothing to say)."""
    if len(text.encode("utf-8")) > MAX_MESSAGE_BYTES:
        return {"type": "error", "reason": f"message larger than {MAX_MESSAGE_BYTES} bytes"}
    try:
        message = json.loads(text)
    except json.JSONDecodeError as exc:
        return {"type": "error", "reason": f"not JSON: {exc}"}
    if not isinstance(message, dict):
        return {"type": "error", "reason": "a message is a JSON object with a 'type'"}
    kind = message.get("type")
    if kind == "order":
        result = live.submit(seat, message.get("order"))
        return {"type": "ack", "ref": message.get("ref"), "accepted": result.status == 200,
                "status": result.status, **({"reason": result.body["reason"]} if "reason" in result.body else {})}
    if kind == "control":
        if seat.kind != "white":
            return {"type": "error", "reason": "only the white cell controls the exercise clock"}
        ok, why = live.control(str(message.get("action")), time.monotonic(), message.get("speed"))
        if ok:
            hub.publish_clock()
            return None
        return {"type": "error", "reason": why}
    if kind == "bookmark":
        note = message.get("note")
        if seat.kind != "white" or not isinstance(note, str) or not note:
            return {"type": "error", "reason": "only the white cell bookmarks, with a non-empty 'note'"}
        hub.publish(live.bookmark(seat, note))
        return None
    return {"type": "error", "reason": f"unknown message type {kind!r}; expected order, control or bookmark"}


def laydown(scenario: Any, seat: Seat) -> dict[str, Any]:
    """What a seat may know of the scenario's laydown (its own nation's sensors and batteries; all for white)."""
    mine = (lambda owner: True) if seat.kind in ("white", "ccc") else (lambda owner: owner == seat.nation)
    batteries = []
    for b in scenario.batteries:
        if mine(b.owner):
            itype = scenario.interceptor_type(b.type)
            batteries.append({"id": b.id, "owner": b.owner, "type": b.type, "tier": itype.tier,
                              "lat_deg": b.lat_deg, "lon_deg": b.lon_deg, "max_range_m": itype.max_range_m,
                              "launchers": b.launchers, "rounds": b.rounds_total})
    return {
        "name": scenario.exercise.name, "epoch": scenario.exercise.epoch_iso,
        "duration_s": scenario.exercise.duration_s,
        "nations": [{"id": n.id, "name": n.name, "colour": n.colour} for n in scenario.nations],
        "assets": [{"id": a.id, "name": a.name, "owner": a.owner, "lat_deg": a.lat_deg, "lon_deg": a.lon_deg,
                    "radius_m": a.radius_m, "value": a.value, "priority": a.priority} for a in scenario.assets],
        "sensors": [{"id": s.id, "owner": s.owner, "type": s.type, "lat_deg": s.lat_deg, "lon_deg": s.lon_deg}
                    for s in scenario.sensors if mine(s.owner)],
        "batteries": batteries,
    }
