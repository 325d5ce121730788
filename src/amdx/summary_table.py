"""Rich tables of a run summary, for the terminal."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table


def _num(value: float | None, scale: float = 1.0, fmt: str = "{:.1f}") -> str:
    return "—" if value is None else fmt.format(value / scale)


def print_summary(console: Console, summary: dict[str, Any]) -> None:
    """Print the per-threat and per-asset tables of `summary.json`."""
    threats = Table(title=f"{summary['scenario']} — seed {summary['seed']}: threats", title_justify="left")
    for col, justify in (
        ("threat", "left"), ("type", "left"), ("origin", "left"), ("launch s", "right"), ("impact s", "right"),
        ("apogee km", "right"), ("impact point", "left"), ("miss m", "right"), ("outcome", "left"),
    ):
        threats.add_column(col, justify=justify)  # type: ignore[arg-type]
    for th in summary["threats"]:
        point = th["impact_point"]
        threats.add_row(
            th["id"], th["type"], th["origin_nation"], _num(th["launch_t_s"]), _num(th["impact_t_s"]),
            _num(th["apogee_m"], 1000.0), "—" if point is None else f"{point['lat_deg']:.3f}, {point['lon_deg']:.3f}",
            _num(th["miss_distance_m"], fmt="{:.0f}"), th["outcome"],
        )
    console.print(threats)
    assets = Table(title="defended assets", title_justify="left")
    for col, justify in (("asset", "left"), ("owner", "left"), ("value", "right"), ("value lost", "right")):
        assets.add_column(col, justify=justify)  # type: ignore[arg-type]
    for a in summary["assets"]:
        style = "red" if a["value_lost"] > 0 else None
        assets.add_row(a["id"], a["owner"], f"{a['value']:g}", f"{a['value_lost']:g}", style=style)
    console.print(assets)
    _print_sensing(console, summary)
    tot = summary["totals"]
    console.print(
        f"{tot['threats']} threats, {tot['impacts']} impacts, {tot['asset_hits']} asset hits; "
        f"value lost {tot['value_lost']:g} of {tot['value_defended']:g}"
    )


def _after(t: float | None, launch: float) -> str:
    return "—" if t is None else f"+{t - launch:.0f}"


def _print_sensing(console: Console, summary: dict[str, Any]) -> None:
    """Per nation, the air-picture quality; per threat and nation, when it was first detected and tracked."""
    pictures = summary.get("air_picture") or {}
    if not pictures:
        return
    table = Table(title="air pictures against ground truth", title_justify="left")
    for col in ("nation", "completeness", "spurious tracks", "position RMSE m", "launch→detection s",
                "launch→track s", "launch→partner track s"):
        table.add_column(col, justify="left" if col == "nation" else "right")
    for nation, q in pictures.items():
        def med(key: str, q: dict[str, Any] = q) -> str:
            return _num(q[key]["median_s"], fmt="{:.0f}")
        table.add_row(nation, "—" if q["completeness"] is None else f"{q['completeness']:.0%}",
                      str(q["spurious_tracks"]), _num(q["position_rmse_m"], fmt="{:.0f}"),
                      med("latency_launch_to_first_detection"), med("latency_launch_to_first_track"),
                      med("latency_launch_to_first_partner_track"))
    console.print(table)
    nations = list(pictures)
    per_threat = Table(title="first detection / own track / partner track, s after launch", title_justify="left")
    per_threat.add_column("threat")
    for n in nations:
        per_threat.add_column(n, justify="right")
    for th in summary["threats"]:
        cells = []
        for n in nations:
            s = th.get("sensing", {}).get(n, {})
            cells.append(" / ".join(_after(s.get(k), th["launch_t_s"]) for k in (
                "first_detection_t_s", "first_track_t_s", "first_partner_track_t_s")))
        per_threat.add_row(th["id"], *cells)
    console.print(per_threat)
