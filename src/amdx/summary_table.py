"""Rich tables of a run summary, for the terminal."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

MAX_ROWS = 20  # per-threat tables show the first MAX_ROWS threats and say how many were left out


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
    for th in summary["threats"][:MAX_ROWS]:
        point = th["impact_point"]
        threats.add_row(
            th["id"], th["type"], th["origin_nation"], _num(th["launch_t_s"]), _num(th["impact_t_s"]),
            _num(th["apogee_m"], 1000.0), "—" if point is None else f"{point['lat_deg']:.3f}, {point['lon_deg']:.3f}",
            _num(th["miss_distance_m"], fmt="{:.0f}"), th["outcome"],
        )
    console.print(threats)
    _left_out(console, len(summary["threats"]))
    assets = Table(title="defended assets", title_justify="left")
    for col, justify in (("asset", "left"), ("owner", "left"), ("value", "right"), ("value lost", "right")):
        assets.add_column(col, justify=justify)  # type: ignore[arg-type]
    for a in summary["assets"]:
        style = "red" if a["value_lost"] > 0 else None
        assets.add_row(a["id"], a["owner"], f"{a['value']:g}", f"{a['value_lost']:g}", style=style)
    console.print(assets)
    _print_sensing(console, summary)
    _print_timeline(console, summary)
    _print_engagements(console, summary)
    tot = summary["totals"]
    console.print(
        f"{_count(tot['threats'], 'threat')}, {_count(tot['impacts'], 'impact')}, "
        f"{_count(tot['asset_hits'], 'asset hit')}; value lost {tot['value_lost']:g} of {tot['value_defended']:g}"
    )


def _count(n: int, noun: str) -> str:
    """"1 threat", "2 threats", "0 threats"."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _after(t: float | None, launch: float) -> str:
    return "—" if t is None else f"+{t - launch:.0f}"


def _print_sensing(console: Console, summary: dict[str, Any]) -> None:
    """Per nation, the air-picture quality; per threat and nation, when it was first detected and tracked."""
    pictures = summary.get("air_picture") or {}
    if not pictures:
        return
    table = Table(title="air pictures against ground truth", title_justify="left")
    for col in ("nation", "completeness", "redundancy", "spurious tracks", "position RMSE m", "launch→detection s",
                "launch→track s", "launch→partner track s"):
        table.add_column(col, justify="left" if col == "nation" else "right")
    for nation, q in pictures.items():
        def med(key: str, q: dict[str, Any] = q) -> str:
            return _num(q[key]["median_s"], fmt="{:.0f}")
        table.add_row(nation, "—" if q["completeness"] is None else f"{q['completeness']:.0%}",
                      "—" if q.get("redundancy") is None else f"{q['redundancy']:.0%}",
                      str(q["spurious_tracks"]), _num(q["position_rmse_m"], fmt="{:.0f}"),
                      med("latency_launch_to_first_detection"), med("latency_launch_to_first_track"),
                      med("latency_launch_to_first_partner_track"))
    console.print(table)
    nations = list(pictures)
    per_threat = Table(title="first detection / own track / partner track, s after launch", title_justify="left")
    per_threat.add_column("threat")
    for n in nations:
        per_threat.add_column(n, justify="right")
    for th in summary["threats"][:MAX_ROWS]:
        cells = []
        for n in nations:
            s = th.get("sensing", {}).get(n, {})
            cells.append(" / ".join(_after(s.get(k), th["launch_t_s"]) for k in (
                "first_detection_t_s", "first_track_t_s", "first_partner_track_t_s")))
        per_threat.add_row(th["id"], *cells)
    console.print(per_threat)
    _left_out(console, len(summary["threats"]))


def _left_out(console: Console, n_rows: int) -> None:
    if n_rows > MAX_ROWS:
        console.print(f"… {n_rows - MAX_ROWS} more threats not shown (see summary.json)")


_END = {"destroyed": "killed", "impact": "impact", "route_completed": "route end", "in_flight": "flying"}


def _step(first: dict[str, Any], step: str) -> str:
    s = first.get(step)
    return "—" if s is None else f"+{s['after_launch_s']:.0f}"


def _end(end: dict[str, Any]) -> str:
    text = _END.get(end["outcome"], end["outcome"])
    if end["after_launch_s"] is not None:
        text += f" +{end['after_launch_s']:.0f}"
    if end["outcome"] == "destroyed":
        text += f" {end['battery_id']}"
    elif end["assets_hit"]:
        text += " " + ", ".join(end["assets_hit"])
    elif end["outcome"] == "impact":
        text += " no asset"
    return text


_STEP_COLS = (("det", "first_detection"), ("trk", "first_track"), ("hostile", "identified_hostile"),
              ("eval", "evaluated"), ("decide", "decided"), ("launch", "interceptor_launch"),
              ("intcpt", "intercept"), ("KA", "kill_assessment"))


def _print_timeline(console: Console, summary: dict[str, Any]) -> None:
    """Per threat, the first time any nation reached each step of the response, s after launch."""
    timeline = summary.get("timeline") or []
    if not timeline:
        return
    table = Table(title="swift-response timeline, s after launch (first nation to reach each step; eval: first "
                  "verdict that a defended asset is threatened, * threatens nothing)", title_justify="left")
    table.add_column("threat")
    for col, _ in _STEP_COLS:
        table.add_column(col, justify="right")
    table.add_column("shots", justify="right")
    table.add_column("by")
    table.add_column("end", no_wrap=True)
    for th in timeline[:MAX_ROWS]:
        first = th["first"]
        cells = [_step(first, step) for _, step in _STEP_COLS]
        if first.get("evaluated_threat"):  # when the threat to a defended asset was first recognised
            cells[3] = _step(first, "evaluated_threat")
        elif first.get("evaluated") and first["evaluated"]["detail"] == "threatens nothing":
            cells[3] += "*"
        style = "red" if th["end"]["assets_hit"] else None
        table.add_row(th["threat_id"], *cells, str(len(th["interceptors"])), ", ".join(th["engaged_by"]) or "—",
                      _end(th["end"]), style=style)
    console.print(table)
    _left_out(console, len(timeline))


def _print_engagements(console: Console, summary: dict[str, Any]) -> None:
    """Per nation and for the coalition: outcomes and interceptors; then proposals, refusals and times."""
    eng = summary.get("engagements")
    if not eng:
        return
    rows = [*eng["nations"].items(), ("coalition", eng["coalition"])]
    outcomes = Table(title="engagements per nation and coalition", title_justify="left")
    for col in ("nation", "threats", "engaged", "killed", "leakers", "impacts no asset", "value lost",
                "interceptors", "eng. / threat", "int. / kill"):
        outcomes.add_column(col, justify="left" if col == "nation" else "right")
    for name, f in rows:
        outcomes.add_row(
            name, str(f["threats"]), str(f["threats_engaged"]), str(f["threats_destroyed"]), str(f["leakers"]),
            str(f["impacts_no_asset"]), f"{f['value_lost']:g}", str(f["interceptors_spent"]),
            _num(f["engagements_per_engaged_threat"], fmt="{:.2f}"), _num(f["interceptors_per_kill"], fmt="{:.2f}"),
            style="bold" if name == "coalition" else ("red" if f["leakers"] else None),
        )
    console.print(outcomes)
    c2 = Table(title="engagement decisions per nation and coalition", title_justify="left")
    for col in ("nation", "cross-nation", "support received", "approved / denied", "refused orders",
                "decision s med/p90/max", "launch→1st int. s med/max"):
        c2.add_column(col, justify="left" if col == "nation" else "right")
    for name, f in rows:
        dt, fl = f["decision_time"], f["launch_to_first_interceptor"]
        c2.add_row(
            name, str(f["cross_nation_engagements"]), "—" if name == "coalition" else str(f["support_received"]),
            f"{f['proposals']['approved']} / {f['proposals']['denied']}", str(sum(f["refused_orders"].values())),
            "/".join(_num(dt[k], fmt="{:.0f}") for k in ("median_s", "p90_s", "max_s")),
            "/".join(_num(fl[k], fmt="{:.0f}") for k in ("median_s", "max_s")),
            style="bold" if name == "coalition" else None,
        )
    console.print(c2)
