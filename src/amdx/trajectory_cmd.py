"""`amdx trajectory`: the planner's ballistic trajectory calculator."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from amdx.errors import BadInput
from amdx.flight.ballistic import BoostModel, UnreachableAim, solve_ballistic
from amdx.geo import SPHERE, WGS84


def compute_trajectory(
    launch: tuple[float, float],
    aim: tuple[float, float],
    profile: str,
    apogee_km: float | None,
    earth_name: str,
    threat_type: str | None,
) -> dict[str, Any]:
    """Solve the trajectory and return the figures (SI units, names with units) as a dict."""
    from amdx.scenario import bundled_catalog

    earth = SPHERE if earth_name == "sphere" else WGS84
    boost = None
    ttype = None
    if threat_type is not None:
        ttype = bundled_catalog().threat_type(threat_type)
        if ttype is None or ttype.threat_class != "ballistic":
            known = ", ".join(t.id for t in bundled_catalog().threats if t.threat_class == "ballistic")
            raise BadInput(f"--threat: unknown ballistic threat type {threat_type!r}; known: {known}")
        boost = BoostModel(ttype.burn_time_s, ttype.burnout_altitude_m, ttype.boost_downrange_m)
    try:
        sol = solve_ballistic(
            launch[0], launch[1], aim[0], aim[1], profile=profile,
            apogee_m=None if apogee_km is None else apogee_km * 1000.0, earth=earth, boost=boost,
        )
    except UnreachableAim as exc:
        raise BadInput(f"cannot reach the aim point: {exc}") from None
    return {
        "earth": earth_name,
        "profile": profile,
        "threat": threat_type,
        "ground_range_m": sol.ground_range_m,
        "burnout_speed_mps": sol.burnout_speed_mps,
        "burnout_speed_inertial_mps": sol.burnout_speed_inertial_mps,
        "flight_path_angle_deg": sol.flight_path_angle_deg,
        "apogee_m": sol.apogee_m,
        "time_of_flight_s": sol.time_of_flight_s,
        "free_flight_time_s": sol.free_flight_time_s,
        "impact_lat_deg": sol.impact_lat_deg,
        "impact_lon_deg": sol.impact_lon_deg,
        "warning": _range_warning(ttype, sol.ground_range_m),
    }


def _range_warning(ttype: Any, ground_range_m: float) -> str | None:
    """A note when the trajectory asked of a catalog type lies outside that type's stated ranges."""
    if ttype is None or ttype.min_range_m <= ground_range_m <= ttype.max_range_m:
        return None
    return (f"{ground_range_m / 1e3:.0f} km is outside {ttype.id}'s range of {ttype.min_range_km:g}–"
            f"{ttype.max_range_km:g} km: the figures show what the trajectory would need, not what the type can do")


def print_trajectory(console: Console, r: dict[str, Any]) -> None:
    """Print the figures as a two-column table."""
    table = Table(title=f"{r['profile']} trajectory ({r['earth']}" + (f", {r['threat']} boost)" if r["threat"]
                  else ", burnout at the surface)"), title_justify="left", show_header=False)
    table.add_column("quantity")
    table.add_column("value", justify="right")
    rows = [
        ("ground range", f"{r['ground_range_m'] / 1000:.1f} km"),
        ("burnout speed (Earth-relative)", f"{r['burnout_speed_mps'] / 1000:.4f} km/s"),
        ("burnout speed (inertial)", f"{r['burnout_speed_inertial_mps'] / 1000:.4f} km/s"),
        ("flight-path angle at burnout", f"{r['flight_path_angle_deg']:.3f}°"),
        ("apogee", f"{r['apogee_m'] / 1000:.1f} km"),
        ("time of flight", f"{r['time_of_flight_s']:.1f} s ({r['time_of_flight_s'] / 60:.2f} min)"),
        ("impact point reached", f"{r['impact_lat_deg']:.5f}, {r['impact_lon_deg']:.5f}"),
    ]
    for row in rows:
        table.add_row(*row)
    console.print(table)
    if r["warning"]:
        console.print(f"[yellow]warning[/yellow] {r['warning']}")
