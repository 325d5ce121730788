"""`amdx replay`: serve a finished (or interrupted) exercise's journal to the console in review mode.

The reviewer holds one token and may look through any nation's eyes or at ground truth (`view`), scrub a time
slider (the console rebuilds its state from the records up to the slider's time) and jump to the white cell's
bookmarks. Nothing is re-simulated: the journal is the truth of the exercise.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from amdx.engine.events import CONTROLLER
from amdx.journal.store import JOURNAL_NAME, Journal
from amdx.scenario import load_scenario_text
from amdx.server.app import laydown
from amdx.server.console_files import mount_console, request_token
from amdx.server.seats import Seat


class Review:
    """A journal opened for review."""

    def __init__(self, run_dir: Path, token: str | None = None) -> None:
        self.journal = Journal.open(run_dir / JOURNAL_NAME)
        meta = self.journal.meta()
        self.scenario = load_scenario_text(meta["scenario_text"], source=str(run_dir / JOURNAL_NAME))
        self.token = token or secrets.token_urlsafe(18)
        self.views = [CONTROLLER, *(n.id for n in self.scenario.nations)]

    def records(self, view: str, since: int, until_t_s: float | None = None) -> list[dict[str, Any]]:
        """Records visible to `view` (a nation id, or "controller" for ground truth) after `since`."""
        out = []
        for record in self.journal.events_since(since):
            if until_t_s is not None and record["t_s"] > until_t_s:
                break
            if view == CONTROLLER or view in record["visible_to"]:
                out.append(record)
        return out

    def bookmarks(self) -> list[dict[str, Any]]:
        return [{"t_s": r["t_s"], **r["data"]} for r in self.journal.events_since(0) if r["kind"] == "bookmark"]


def create_replay_app(review: Review, static_dir: Path | None = None) -> FastAPI:
    """The review application: session, events by view, bookmarks, and the built console."""
    app = FastAPI(title="amdx replay")
    reviewer = Seat("reviewer", "white", None, "reviewer", review.token)

    def authorised(request: Request) -> bool:
        return request_token(request) == review.token

    def unauthorised() -> JSONResponse:
        return JSONResponse({"reason": "missing or wrong access token"}, status_code=401)

    @app.get("/api/session")
    async def session(request: Request) -> Response:
        if not authorised(request):
            return unauthorised()
        last = review.journal.last_event_seq()
        end = next(iter(review.records(CONTROLLER, last - 1)), {"t_s": 0.0})["t_s"] if last else 0.0
        return JSONResponse({"mode": "replay", "seat": reviewer.public(), "views": review.views,
                             "scenario": laydown(review.scenario, reviewer), "bookmarks": review.bookmarks(),
                             "clock": {"t_s": end, "speed": 0.0, "running": False, "finished": True,
                                       "duration_s": review.scenario.exercise.duration_s,
                                       "epoch": review.scenario.exercise.epoch_iso}})

    @app.get("/api/events")
    async def events(request: Request, since: int = 0, view: str = CONTROLLER,
                     until_t_s: float | None = None) -> Response:
        if not authorised(request):
            return unauthorised()
        if view not in review.views:
            return JSONResponse({"reason": f"unknown view {view!r}; expected one of {', '.join(review.views)}"},
                                status_code=422)
        records = review.records(view, since, until_t_s)
        return JSONResponse({"events": records, "next": records[-1]["seq"] if records else since})

    mount_console(app, static_dir)
    return app
