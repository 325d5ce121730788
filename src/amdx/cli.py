"""The `amdx` command: validate, run, trajectory, wta, export, schema.

Bad input (a scenario with problems, a malformed argument, a missing run folder) prints what is wrong and
exits with code 2; no traceback reaches the user (set AMDX_DEBUG=1 to see one for an internal error).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console

from amdx.errors import BadInput
from amdx.journal.store import JournalError
from amdx.scenario import ScenarioError

app = typer.Typer(
    name="amdx",
    help="Joint air and missile defense exercise simulator (notional data only).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
out = Console(highlight=False, width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True, highlight=False)

R = TypeVar("R")


def _print_errors(problems: list[Any]) -> None:
    for problem in problems:
        err.print(f"[red]error[/red] {problem}", soft_wrap=True)


def _guard(fn: Callable[[], R]) -> R:
    """Run a command body; turn bad input into exit code 2 and any other failure into a one-line error."""
    try:
        return fn()
    except ScenarioError as exc:
        _print_errors(exc.problems)
        err.print(f"{len(exc.problems)} problem(s) found.")
        raise typer.Exit(2) from None
    except (BadInput, JournalError) as exc:
        _print_errors([exc])
        raise typer.Exit(2) from None
    except typer.Exit:
        raise
    except Exception as exc:  # a bug, not bad input: say so briefly, keep the traceback for developers
        if os.environ.get("AMDX_DEBUG"):
            raise
        err.print(f"[red]internal error[/red] {type(exc).__name__}: {exc} (set AMDX_DEBUG=1 for a traceback)")
        raise typer.Exit(1) from None


def _load(path: Path | None) -> tuple[Any, str, str]:
    """Load a scenario file (the bundled default when `path` is None): (scenario, text, display name)."""
    from amdx.scenario import DEFAULT_SCENARIO, bundled_scenario_path, load_scenario_text

    if path is None:
        path = bundled_scenario_path(DEFAULT_SCENARIO)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise BadInput(f"{path}: cannot read the scenario file ({exc.strerror or exc})") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadInput(f"{path}: not UTF-8 text (byte {exc.start})") from None
    return load_scenario_text(text, source=str(path)), text, str(path)


@app.command()
def validate(
    files: Annotated[list[Path], typer.Argument(help="Scenario YAML files to check.")],
) -> None:
    """Check scenario files; report every problem with its field path and line:column."""

    def body() -> None:
        bad = 0
        for f in files:
            try:
                scenario, _, name = _load(f)
            except (ScenarioError, BadInput) as exc:
                bad += 1
                _print_errors(exc.problems if isinstance(exc, ScenarioError) else [exc])
                continue
            out.print(
                f"[green]ok[/green] {name}: {len(scenario.nations)} nations, {len(scenario.assets)} assets, "
                f"{len(scenario.sensors)} sensors, {len(scenario.batteries)} batteries, "
                f"{len(scenario.msel)} MSEL events"
            )
        if bad:
            err.print(f"{bad} of {len(files)} file(s) have problems.")
            raise typer.Exit(2)

    _guard(body)


def _free_out_dir(base: Path) -> Path:
    candidate, n = base, 1
    while candidate.exists():
        n += 1
        candidate = base.with_name(f"{base.name}-{n}")
    return candidate


@app.command()
def run(
    file: Annotated[Path | None, typer.Argument(help="Scenario YAML (default: the bundled default).")] = None,
    seed: Annotated[int | None, typer.Option(min=0, help="Random seed (default: the scenario's).")] = None,
    out_dir: Annotated[Path | None, typer.Option("--out", help="Run folder (default: runs/NAME-seedN).")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only the run folder.")] = False,
) -> None:
    """Run an exercise headless, as fast as the machine allows; write the journal and summary.json."""
    from amdx.runner import run_headless
    from amdx.summary_table import print_summary

    def body() -> None:
        scenario, text, name = _load(file)
        s = scenario.exercise.seed if seed is None else seed
        stem = Path(name).stem
        target = out_dir if out_dir is not None else _free_out_dir(Path("runs") / f"{stem}-seed{s}")
        if (target / "journal.sqlite").exists():
            raise BadInput(f"{target}: already holds a run; choose another --out folder")
        result = run_headless(scenario, target, seed=s, scenario_text=text)
        if not quiet:
            print_summary(out, result.summary)
        out.print(f"journal: {result.journal_path}\nsummary: {result.summary_path}")

    _guard(body)


class Profile(StrEnum):
    min_energy = "min-energy"
    lofted = "lofted"
    depressed = "depressed"


class EarthChoice(StrEnum):
    wgs84 = "wgs84"
    sphere = "sphere"


def _latlon(text: str, flag: str) -> tuple[float, float]:
    parts = text.split(",")
    try:
        lat, lon = (float(p) for p in parts)
    except ValueError:
        raise BadInput(f"{flag}: expected LAT,LON in decimal degrees (e.g. 35.1,-12.5), found {text!r}") from None
    if not -90.0 <= lat <= 90.0:
        raise BadInput(f"{flag}: latitude must be in [-90, 90], found {lat}")
    if not -180.0 <= lon <= 180.0:
        raise BadInput(f"{flag}: longitude must be in [-180, 180], found {lon}")
    return lat, lon


@app.command()
def trajectory(
    from_: Annotated[str, typer.Option("--from", help="Launch point LAT,LON (degrees).")],
    to: Annotated[str, typer.Option("--to", help="Aim point LAT,LON (degrees).")],
    profile: Annotated[Profile, typer.Option(help="Trajectory profile.")] = Profile.min_energy,
    apogee_km: Annotated[float | None, typer.Option(help="Apogee altitude for lofted/depressed (km).")] = None,
    earth: Annotated[EarthChoice, typer.Option(help="wgs84 (rotating) or sphere (6371 km, still).")] = (
        EarthChoice.wgs84
    ),
    threat: Annotated[str | None, typer.Option(help="Add this catalog type's boost phase.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Ballistic trajectory calculator: ground range, burnout speed and angle, apogee, time of flight."""
    from amdx.trajectory_cmd import compute_trajectory, print_trajectory

    def body() -> None:
        launch = _latlon(from_, "--from")
        aim = _latlon(to, "--to")
        if apogee_km is not None and not apogee_km > 0:
            raise BadInput(f"--apogee-km: expected a positive altitude, found {apogee_km}")
        result = compute_trajectory(launch, aim, profile.value, apogee_km, earth.value, threat)
        if as_json:
            sys.stdout.write(json.dumps(result, sort_keys=True) + "\n")
        else:
            print_trajectory(out, result)

    _guard(body)


@app.command()
def wta(
    file: Annotated[Path, typer.Argument(help="A static WTA instance (text, optionally .gz; see the README).")],
    time_limit: Annotated[float, typer.Option("--time-limit", min=0.0, help="Solve time limit (s).")] = 10.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Weapon-target assignment: minimise the expected surviving value of the targets."""
    from amdx.wta_cmd import print_wta, solve_wta_file

    def body() -> None:
        result = solve_wta_file(file, time_limit)
        if as_json:
            sys.stdout.write(json.dumps(result) + "\n")
        else:
            print_wta(out, result)

    _guard(body)


class ExportFormat(StrEnum):
    jsonl = "jsonl"
    csv = "csv"


@app.command()
def export(
    run_dir: Annotated[Path, typer.Argument(help="A run folder (holding journal.sqlite).")],
    fmt: Annotated[ExportFormat, typer.Option("--format", help="Output format.")] = ExportFormat.jsonl,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")] = None,
) -> None:
    """Export a run's events, one per line, in journal order."""
    from amdx.journal.export import export_lines
    from amdx.journal.store import JOURNAL_NAME, Journal

    def body() -> None:
        with Journal.open(run_dir / JOURNAL_NAME) as journal:
            lines = export_lines(journal.events(), fmt.value)
            if output is None:
                for line in lines:
                    sys.stdout.write(line)
            else:
                with output.open("w", encoding="utf-8", newline="") as fh:
                    fh.writelines(lines)

    _guard(body)


@app.command()
def serve(
    file: Annotated[Path | None, typer.Argument(help="Scenario YAML (default: the bundled default).")] = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port to listen on.")] = 8000,
    out_dir: Annotated[Path | None, typer.Option("--out", help="Exercise folder (journal, seats).")] = None,
    seed: Annotated[int | None, typer.Option(min=0, help="Random seed (default: the scenario's).")] = None,
    resume: Annotated[Path | None, typer.Option(help="Resume the exercise journaled in this folder.")] = None,
    start: Annotated[bool, typer.Option(help="Start the clock at once (else the white cell starts it).")] = False,
) -> None:
    """Serve a live exercise: one URL per seat (each with its token) and the white cell's."""
    from amdx.serve_cmd import serve as run_server
    from amdx.serve_cmd import start_live

    def body() -> None:
        if resume is not None:
            live = start_live(None, "", resume, seed=None, resume=True)
        else:
            scenario, text, name = _load(file)
            s = scenario.exercise.seed if seed is None else seed
            target = out_dir if out_dir is not None else _free_out_dir(Path("runs") / f"live-{Path(name).stem}-seed{s}")
            live = start_live(scenario, text, target, seed=s, resume=False)
        run_server(live, host, port, out, start=start)

    _guard(body)


@app.command()
def replay(
    run_dir: Annotated[Path, typer.Argument(help="Exercise or run folder holding journal.sqlite.")],
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port to listen on.")] = 8000,
) -> None:
    """Serve a journal to the console in review mode: time slider, any nation's view or ground truth."""
    from amdx.serve_cmd import replay as run_replay

    _guard(lambda: run_replay(run_dir, host, port, out))


@app.command(name="compile")
def compile_() -> None:
    """Compile amdx's numeric kernels now (otherwise they compile on first use, once per machine)."""
    from amdx.runner import compile_kernels

    _guard(lambda: out.print(f"numeric kernels compiled or loaded from the cache in {compile_kernels():.1f} s"))


@app.command()
def schema() -> None:
    """Print the scenario file's JSON Schema (for editor completion and validation)."""
    from amdx.scenario import scenario_json_schema

    _guard(lambda: sys.stdout.write(json.dumps(scenario_json_schema(), indent=2) + "\n"))


def main() -> None:
    """Entry point of the `amdx` console script."""
    app()


if __name__ == "__main__":
    main()
