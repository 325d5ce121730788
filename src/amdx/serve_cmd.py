"""`amdx serve`: start a live exercise server and print one URL per seat."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rich.console import Console

from amdx.errors import BadInput
from amdx.journal.store import JOURNAL_NAME, Journal
from amdx.scenario import load_scenario_text
from amdx.server.app import create_app
from amdx.server.console_files import STATIC_DIR
from amdx.server.engine_process import RemoteExercise


def start_live(scenario: Any | None, text: str, out_dir: Path, *, seed: int | None,
               resume: bool) -> RemoteExercise:
    """A new live exercise in `out_dir`, or the one journaled there (`resume`), running in its own process."""
    if resume:
        if not (out_dir / JOURNAL_NAME).is_file():
            raise BadInput(f"{out_dir}: no journal to resume (expected {out_dir / JOURNAL_NAME})")
        with Journal.open(out_dir / JOURNAL_NAME) as journal:
            meta = journal.meta()
        if meta.get("mode") != "live":
            raise BadInput(f"{out_dir}: not a live exercise's journal (a headless run cannot be resumed)")
        source = f"{out_dir}/{JOURNAL_NAME}"
        scenario = load_scenario_text(meta["scenario_text"], source=source)
        return RemoteExercise(scenario, meta["scenario_text"], source, out_dir, resume=True)
    if (out_dir / JOURNAL_NAME).exists():
        raise BadInput(f"{out_dir}: already holds an exercise; use --resume {out_dir} or another --out folder")
    return RemoteExercise(scenario, text, str(out_dir), out_dir, seed=seed)


def seat_urls(live: RemoteExercise, host: str, port: int) -> list[tuple[str, str]]:
    """(seat id, URL with its token) for every seat."""
    return [(s.seat_id, f"http://{host}:{port}/?token={s.token}") for s in live.seats]


def serve(live: RemoteExercise, host: str, port: int, console: Console, start: bool = False) -> None:
    """Print the seats' URLs and serve until interrupted."""
    import uvicorn

    console.print(f"[bold]{live.scenario.exercise.name}[/bold] — {'resumed' if live.now_s > 0 else 'new'} "
                  f"exercise at t = {live.now_s:.1f} s; journal in {live.out_dir}")
    for seat_id, url in seat_urls(live, host, port):
        console.print(f"  {seat_id:<24} {url}")
    console.print(json.dumps({"ready": True, "port": port}))
    app = create_app(live, STATIC_DIR, autostart=start)
    # no per-message deflate: compressing every seat's copy of large pictures would stall the event loop
    uvicorn.run(app, host=host, port=port, log_level="warning", ws_per_message_deflate=False)


def replay(run_dir: Path, host: str, port: int, console: Console) -> None:
    """Serve a journal in review mode and print the reviewer's URL."""
    import uvicorn

    from amdx.server.replay import Review, create_replay_app

    if not (run_dir / JOURNAL_NAME).is_file():
        raise BadInput(f"{run_dir}: no journal to replay (expected {run_dir / JOURNAL_NAME})")
    review = Review(run_dir)
    console.print(f"[bold]{review.scenario.exercise.name}[/bold] — review of {run_dir}")
    console.print(f"  reviewer                 http://{host}:{port}/?token={review.token}")
    console.print(json.dumps({"ready": True, "port": port, "token": review.token}))
    uvicorn.run(create_replay_app(review, STATIC_DIR), host=host, port=port, log_level="warning")
