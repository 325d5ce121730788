"""Air-picture quality against ground truth, computed after the run from the journal's records.

For each nation: track completeness (the fraction of airborne-threat samples, at every picture time, that
the nation's picture holds a track on), redundancy (of the samples held, the fraction held by more than one track
at once: duplicate tracks of one threat), spurious tracks (distinct tracks born of false alarms), track position
RMSE (tracks against the truth they stem from), and the latencies from launch to the first detection, the first
own track and the first track received from a partner. For each threat, the times of those firsts per nation.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from statistics import median
from typing import Any


def _stats(values: list[float]) -> dict[str, float | int | None]:
    if not values:
        return {"n": 0, "mean_s": None, "median_s": None, "max_s": None}
    return {"n": len(values), "mean_s": sum(values) / len(values), "median_s": median(values), "max_s": max(values)}


def picture_quality(records: Iterable[dict[str, Any]], nations: list[str]) -> dict[str, Any]:
    """Fold event records (journal order) into per-nation and per-threat picture figures."""
    launch: dict[str, float] = {}
    firsts: dict[str, dict[str, dict[str, float]]] = defaultdict(lambda: defaultdict(dict))
    pictures: dict[tuple[float, str], list[dict[str, Any]]] = {}
    snapshots: list[tuple[float, dict[str, Any]]] = []
    for rec in records:
        kind, t, data = rec["kind"], rec["t_s"], rec["data"]
        if kind == "threat_launched":
            launch[data["threat_id"]] = t
        elif kind == "first_detection":
            firsts[data["threat_id"]][data["nation"]]["first_detection_t_s"] = t
        elif kind == "first_track":
            key = "first_track_t_s" if data["source"] == "own" else "first_partner_track_t_s"
            firsts[data["threat_id"]][data["nation"]].setdefault(key, t)
        elif kind == "air_picture":
            pictures[(t, data["nation"])] = data["tracks"]
        elif kind == "truth_snapshot":
            snapshots.append((t, data))

    per_nation: dict[str, Any] = {}
    for nation in nations:
        held = samples = doubled = 0
        sq_err: list[float] = []
        spurious: set[str] = set()
        for t, snap in snapshots:
            tracks = pictures.get((t, nation), [])
            labels = snap["labels"].get(nation, {})
            truth = {th["id"]: th["ecef_m"] for th in snap["threats"]}
            holders: dict[str | None, int] = defaultdict(int)
            for tr in tracks:
                holders[labels.get(tr["track_id"])] += 1
            samples += len(truth)
            held += sum(1 for tid in truth if tid in holders)
            doubled += sum(1 for tid in truth if holders.get(tid, 0) > 1)
            for tr in tracks:
                label = labels.get(tr["track_id"])
                if label is None:
                    spurious.add(tr["track_id"])
                elif label in truth:
                    sq_err.append(sum((a - b) ** 2 for a, b in zip(tr["ecef_m"], truth[label], strict=True)))
        latency = {
            key: _stats([f[nation][key] - launch[tid] for tid, f in firsts.items()
                         if key in f.get(nation, {}) and tid in launch])
            for key in ("first_detection_t_s", "first_track_t_s", "first_partner_track_t_s")
        }
        per_nation[nation] = {
            "completeness": held / samples if samples else None,
            "redundancy": doubled / held if held else None,
            "spurious_tracks": len(spurious),
            "position_rmse_m": math.sqrt(sum(sq_err) / len(sq_err)) if sq_err else None,
            "latency_launch_to_first_detection": latency["first_detection_t_s"],
            "latency_launch_to_first_track": latency["first_track_t_s"],
            "latency_launch_to_first_partner_track": latency["first_partner_track_t_s"],
        }
    per_threat = {tid: {n: dict(v) for n, v in f.items()} for tid, f in firsts.items()}
    return {"nations": per_nation, "threats": per_threat}
