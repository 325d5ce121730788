"""The run summary, computed after the run from the journal's event records (observers record; analysis
happens afterwards).

Per threat: id, type, nation (actor) of origin, launch and impact times, apogee, impact and aim points, miss
distance and outcome. Per defended asset: value lost. Per threat, the swift-response timeline (`timeline`, see
`amdx.analysis.timeline`); per nation and for the coalition, the engagement figures (`engagements`, see
`amdx.analysis.engagements`). Controller (ground-truth) view.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from amdx.analysis.engagements import engagement_summary
from amdx.analysis.picture_quality import picture_quality
from amdx.analysis.timeline import response_timelines


def _owners(scenario: Any) -> dict[str, str]:
    """Scenario id (asset, battery, command node) → owning nation id."""
    owners = {a.id: a.owner for a in getattr(scenario, "assets", ())}
    owners.update({b.id: b.owner for b in getattr(scenario, "batteries", ())})
    for nation in scenario.nations:
        owners.update({node.id: nation.id for node in getattr(nation, "command", ())})
    return owners


def build_summary(records: Iterable[dict[str, Any]], scenario: Any, seed: int) -> dict[str, Any]:
    """Fold event records (journal order) into the summary dictionary written as `summary.json`."""
    records = list(records)
    nations = [n.id for n in scenario.nations]
    quality = picture_quality(records, nations)
    threats: dict[str, dict[str, Any]] = {}
    lost: dict[str, float] = {a.id: 0.0 for a in scenario.assets}
    end_t = None
    for rec in records:
        kind, t, data = rec["kind"], rec["t_s"], rec["data"]
        if kind == "threat_launched":
            threats[data["threat_id"]] = {
                "id": data["threat_id"],
                "type": data["threat_type"],
                "class": data["threat_class"],
                "origin_nation": data["actor"],
                "launch_t_s": t,
                "impact_t_s": None,
                "apogee_m": None,
                "origin": {"lat_deg": data["origin_lat_deg"], "lon_deg": data["origin_lon_deg"]},
                "aim_point": {"lat_deg": data["aim_lat_deg"], "lon_deg": data["aim_lon_deg"]},
                "target": data["target"],
                "impact_point": None,
                "miss_distance_m": None,
                "assets_hit": [],
                "outcome": "in flight at end",
                "sensing": {},
            }
        elif kind == "threat_apogee":
            threats[data["threat_id"]]["apogee_m"] = data["alt_m"]
        elif kind == "threat_impact":
            th = threats[data["threat_id"]]
            th["impact_t_s"] = t
            th["impact_point"] = {"lat_deg": data["lat_deg"], "lon_deg": data["lon_deg"]}
            th["miss_distance_m"] = data["miss_distance_m"]
            th["assets_hit"] = list(data["assets_hit"])
            th["outcome"] = "hit " + ", ".join(data["assets_hit"]) if data["assets_hit"] else "impact, no asset"
        elif kind == "route_completed":
            threats[data["threat_id"]]["outcome"] = "route completed"
        elif kind == "threat_destroyed":
            threats[data["threat_id"]]["outcome"] = f"destroyed by {data['nation']} ({data['battery_id']})"
        elif kind == "asset_damaged":
            lost[data["asset_id"]] += float(data["value_lost"])
        elif kind == "exercise_ended":
            end_t = t
    for tid, per_nation in quality["threats"].items():
        if tid in threats:
            threats[tid]["sensing"] = per_nation
    assets = [
        {"id": a.id, "owner": a.owner, "value": float(a.value), "value_lost": lost[a.id]} for a in scenario.assets
    ]
    timeline = response_timelines(records)
    return {
        "scenario": scenario.exercise.name,
        "seed": seed,
        "end_t_s": end_t,
        "threats": list(threats.values()),
        "assets": assets,
        "air_picture": quality["nations"],
        "totals": {
            "threats": len(threats),
            "impacts": sum(1 for th in threats.values() if th["impact_t_s"] is not None),
            "asset_hits": sum(len(th["assets_hit"]) for th in threats.values()),
            "value_lost": sum(lost.values()),
            "value_defended": sum(float(a.value) for a in scenario.assets),
        },
        "timeline": timeline,
        "engagements": engagement_summary(records, nations, _owners(scenario), timeline),
    }
