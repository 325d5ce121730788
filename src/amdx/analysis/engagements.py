"""Engagement figures per nation and for the coalition, computed after the run from the journal's records.

Per nation (and for the coalition of all nations): the threats it faced (aimed at or hitting its assets; the
coalition: every threat), threats engaged and destroyed, leakers (threats not destroyed that hit a defended
asset) and impacts that hit no asset, defended value lost, interceptors spent (in total and per battery),
engagements per engaged threat, interceptors per kill, cross-nation engagements (launched engagements whose
proposal named a `requested_by` nation) and the support received that way, proposals approved and denied, refused
orders by reason, decision-time statistics (count, median, 90th percentile, max of `decision_time_s`) and the time
from a threat's launch to its first interceptor launch (median, max). Times in s; values in the scenario's units.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from statistics import median
from typing import Any

from amdx.analysis.timeline import response_timelines

COALITION = "coalition"


def percentile(values: Sequence[float], q: float) -> float:
    """The `q`-th percentile (0–100) by linear interpolation between closest ranks (Hyndman–Fan type 7)."""
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100.0
    lo = math.floor(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def decision_stats(times_s: Sequence[float]) -> dict[str, float | int | None]:
    """Count, median, 90th percentile and max of decision times (s); None when there are none."""
    if not times_s:
        return {"n": 0, "median_s": None, "p90_s": None, "max_s": None}
    return {"n": len(times_s), "median_s": median(times_s), "p90_s": percentile(times_s, 90.0),
            "max_s": max(times_s)}


def _latency_stats(times_s: Sequence[float]) -> dict[str, float | int | None]:
    if not times_s:
        return {"n": 0, "median_s": None, "max_s": None}
    return {"n": len(times_s), "median_s": median(times_s), "max_s": max(times_s)}


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


def _refusal_nation(rec: dict[str, Any], nations: Sequence[str], owners: Mapping[str, str]) -> str | None:
    """The nation whose order was refused: its only non-controller viewer, else the owner of the ordering node or
    battery, else the nation its id is prefixed with (`north.adoc`); None for the white cell or the MSEL."""
    viewers = [v for v in rec.get("visible_to", []) if v in nations]
    if len(viewers) == 1:
        return viewers[0]
    source = rec["data"].get("source", "")
    if source in owners:
        return owners[source]
    prefix = source.split(".", 1)[0]
    return prefix if prefix in nations else None


def _figures(nation: str | None, threats: list[dict[str, Any]], facts: dict[str, Any],
             owner_of: Mapping[str, str]) -> dict[str, Any]:
    """The figures of one nation (`nation`) or of the coalition (`nation` None)."""
    def mine(n: str | None) -> bool:
        return nation is None or n == nation

    faced = [th for th in threats
             if nation is None or owner_of.get(th["target"] or "") == nation
             or any(owner_of.get(a) == nation for a in th["end"]["assets_hit"])]
    launches = [i for i in facts["launches"] if mine(i["nation"])]
    engaged = [th for th in threats if any(mine(i["nation"]) for i in th["interceptors"])]
    engagement_ids = list(dict.fromkeys(i["engagement_id"] for i in launches))
    destroyed = [th for th in threats if th["end"]["outcome"] == "destroyed" and mine(th["end"]["nation"])]
    impacts = [th for th in threats if th["end"]["outcome"] == "impact"]
    leakers = [th for th in impacts if any(mine(owner_of.get(a)) for a in th["end"]["assets_hit"])]
    no_asset = [th for th in impacts if not th["end"]["assets_hit"]
                and (nation is None or owner_of.get(th["target"] or "") == nation)]
    by_battery = Counter(i["battery_id"] for i in launches)
    proposals = [p for p in facts["proposals"].values() if mine(p["nation"])]
    cross = [e for e in engagement_ids if (facts["proposals"].get(e) or {}).get("requested_by")]
    received = [e for th in threats for e in th["engagements"]
                if nation is not None and (facts["proposals"].get(e) or {}).get("requested_by") == nation
                and facts["proposals"][e]["nation"] != nation]
    first_launch = [min(i["after_launch_s"] for i in th["interceptors"] if mine(i["nation"])) for th in engaged]
    refused = Counter(reason for n, reason in facts["refusals"] if n is not None and mine(n))
    return {
        "threats": len(faced),
        "threats_engaged": len(engaged),
        "threats_destroyed": len(destroyed),
        "leakers": len(leakers),
        "impacts_no_asset": len(no_asset),
        "value_lost": sum(v for n, v in facts["losses"] if mine(n)),
        "interceptors_spent": len(launches),
        "interceptors_by_battery": {b: by_battery[b] for b in sorted(by_battery)},
        "engagements": len(engagement_ids),
        "engagements_per_engaged_threat": _ratio(sum(len({i["engagement_id"] for i in th["interceptors"]
                                                          if mine(i["nation"])}) for th in engaged), len(engaged)),
        "interceptors_per_kill": _ratio(len(launches), len(destroyed)),
        "cross_nation_engagements": len(cross),
        "support_received": len(received),
        "proposals": {
            "proposed": len(proposals),
            "approved": sum(1 for p in proposals if p["decision"] == "approve"),
            "denied": sum(1 for p in proposals if p["decision"] == "deny"),
            "undecided": sum(1 for p in proposals if p["decision"] is None),
        },
        "refused_orders": {r: refused[r] for r in sorted(refused)},
        "decision_time": decision_stats([p["decision_time_s"] for p in proposals
                                         if p["decision_time_s"] is not None]),
        "launch_to_first_interceptor": _latency_stats(first_launch),
    }


def engagement_summary(
    records: Iterable[dict[str, Any]],
    nations: Sequence[str] = (),
    owners: Mapping[str, str] | None = None,
    timelines: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Fold event records (journal order) into `{"nations": {nation: figures}, "coalition": figures,
    "other_refused_orders": {reason: count}}`.

    `nations` fixes the order of the nations (others met in the records follow, sorted); `owners` maps scenario ids
    (assets, batteries, command nodes) to their nation; `timelines` reuses `response_timelines(records)`.
    Refused orders of no nation (the white cell, the MSEL) are counted in `other_refused_orders`.
    """
    records = list(records)
    owners = dict(owners or {})
    threats = timelines if timelines is not None else response_timelines(records)
    proposals: dict[str, dict[str, Any]] = {}
    losses: list[tuple[str, float]] = []
    launches: list[dict[str, Any]] = []
    seen: set[str] = set()
    for rec in records:
        kind, data = rec["kind"], rec["data"]
        if kind == "engagement_proposed":
            proposals[data["proposal_id"]] = {"nation": data["nation"], "requested_by": data.get("requested_by"),
                                              "decision": None, "decision_time_s": None}
            seen.update(n for n in (data["nation"], data.get("requested_by")) if n)
        elif kind == "engagement_decided":
            p = proposals.setdefault(data["proposal_id"], {"nation": data["nation"], "requested_by": None,
                                                           "decision": None, "decision_time_s": None})
            if p["decision"] is None:
                p["decision"] = data["decision"]
                p["decision_time_s"] = data["decision_time_s"]
        elif kind == "asset_damaged":
            owners.setdefault(data["asset_id"], data["owner"])
            losses.append((data["owner"], float(data["value_lost"])))
            seen.add(data["owner"])
        elif kind == "interceptor_launched":
            owners.setdefault(data["battery_id"], data["nation"])
            launches.append(data)
            seen.add(data["nation"])
    order = list(dict.fromkeys(nations)) + sorted(seen - set(nations))
    refusals = [(_refusal_nation(rec, order, owners), rec["data"].get("reason", ""))
                for rec in records if rec["kind"] == "order_refused"]
    facts = {"proposals": proposals, "losses": losses, "refusals": refusals, "launches": launches}
    other = Counter(reason for n, reason in refusals if n is None)
    return {
        "nations": {n: _figures(n, threats, facts, owners) for n in order},
        COALITION: _figures(None, threats, facts, owners),
        "other_refused_orders": {r: other[r] for r in sorted(other)},
    }
