"""The swift-response timeline of each threat, computed after the run from the journal's records.

Per threat (controller view, ground truth): its launch; per nation the first detection, first own track, first
track received from a partner, hostile identification, first threat evaluation (and its verdict), first
proposal, first engagement decision (and its verdict), first interceptor launch, first intercept and first kill
assessment; every interceptor launch, intercept and kill assessment; which nations engaged; and how the threat's
flight ended (destroyed, impact, route completed, or still in flight at the end of the run).

Every time is in seconds since scenario start (`t_s`) and, beside it, in seconds after the threat's launch
(`after_launch_s`): the latency of that step. Steps come from the engine's `response_mark` markers and are
completed by the typed engagement events (`interceptor_launched`, `intercept_resolved`, `kill_assessed`,
`threat_destroyed`, `engagement_proposed`, `engagement_decided`), mapped to threats through the engagement or
proposal id. The earliest time of a step wins; ties keep
journal order.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

SENSING_STEPS = ("first_detection", "first_track", "first_partner_track")
RESPONSE_STEPS = (
    "identified_hostile", "evaluated", "evaluated_threat", "proposed", "decided", "interceptor_launch", "intercept",
    "kill_assessment",
)
TIMELINE_STEPS = SENSING_STEPS + RESPONSE_STEPS

_TERMINAL = ("threat_destroyed", "threat_impact", "route_completed")


def _engagement_threats(records: list[dict[str, Any]]) -> dict[str, str]:
    """Engagement (or proposal) id → threat id, from the response markers first, then ground-truth outcomes."""
    found: dict[str, str] = {}
    for rec in records:
        data = rec["data"]
        if rec["kind"] == "response_mark" and data.get("ref"):
            found.setdefault(data["ref"], data["threat_id"])
    for rec in records:
        data = rec["data"]
        if rec["kind"] in ("intercept_resolved", "threat_destroyed") and data.get("threat_id"):
            found.setdefault(data["engagement_id"], data["threat_id"])
    return found


class _Threat:
    """The timeline of one threat while the records are folded in."""

    def __init__(self, threat_id: str, launch_t_s: float, data: dict[str, Any]) -> None:
        self.threat_id = threat_id
        self.launch_t_s = launch_t_s
        self.threat_class = data.get("threat_class")
        self.target = data.get("target")
        self.nations: dict[str, dict[str, dict[str, Any]]] = {}
        self.interceptors: list[dict[str, Any]] = []
        self.intercepts: list[dict[str, Any]] = []
        self.assessments: list[dict[str, Any]] = []
        self.end: dict[str, Any] | None = None

    def after(self, t: float) -> float:
        """Seconds after launch, rounded to 1 µs like the journal's times (no 123.18380099999999)."""
        return round(t - self.launch_t_s, 6) + 0.0

    def step(self, nation: str, step: str, t: float, detail: str | None) -> None:
        """Record `step` for `nation` at `t` unless an earlier (or equal) time is already recorded."""
        steps = self.nations.setdefault(nation, {})
        if step not in steps or t < steps[step]["t_s"]:
            steps[step] = {"t_s": t, "after_launch_s": self.after(t), "detail": detail}

    def finish(self, rec: dict[str, Any]) -> None:
        if self.end is not None:
            return
        kind, t, data = rec["kind"], rec["t_s"], rec["data"]
        self.end = {"outcome": {"threat_destroyed": "destroyed", "threat_impact": "impact",
                                "route_completed": "route_completed"}[kind],
                    "t_s": t, "after_launch_s": self.after(t), "nation": data.get("nation"),
                    "battery_id": data.get("battery_id"), "engagement_id": data.get("engagement_id"),
                    "assets_hit": list(data.get("assets_hit", []))}

    def result(self) -> dict[str, Any]:
        # known steps in response order; any step a newer engine marks follows, sorted by name
        order = [*TIMELINE_STEPS, *sorted({s for v in self.nations.values() for s in v} - set(TIMELINE_STEPS))]
        nations = {n: {s: self.nations[n][s] for s in order if s in self.nations[n]} for n in sorted(self.nations)}
        first: dict[str, dict[str, Any]] = {}
        for step in order:
            reached = [(v[step]["t_s"], n) for n, v in nations.items() if step in v]
            if reached:
                t, n = min(reached)
                first[step] = {"t_s": t, "after_launch_s": self.after(t), "nation": n,
                               "detail": nations[n][step]["detail"]}
        engagements = list(dict.fromkeys(i["engagement_id"] for i in self.interceptors))
        engaged_by = list(dict.fromkeys(i["nation"] for i in self.interceptors))
        end = self.end or {"outcome": "in_flight", "t_s": None, "after_launch_s": None, "nation": None,
                           "battery_id": None, "engagement_id": None, "assets_hit": []}
        return {
            "threat_id": self.threat_id,
            "class": self.threat_class,
            "target": self.target,
            "launch_t_s": self.launch_t_s,
            "first": first,
            "nations": nations,
            "interceptors": self.interceptors,
            "intercepts": self.intercepts,
            "kill_assessments": self.assessments,
            "engagements": engagements,
            "engaged_by": engaged_by,
            "end": end,
        }


def response_timelines(records: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Fold event records (journal order) into one timeline per threat, in launch order.

    Each timeline holds: threat_id, class, target, launch_t_s; `first` (per step of `TIMELINE_STEPS` reached by
    any nation: t_s, after_launch_s, nation, detail); `nations` (per nation, per step reached: t_s,
    after_launch_s, detail); `interceptors` (t_s, after_launch_s, engagement_id, shot, nation, battery_id);
    `intercepts` (t_s, after_launch_s, engagement_id, shot, killed, miss_m); `kill_assessments` (t_s,
    after_launch_s, engagement_id, nation, assessment); `engagements` and `engaged_by` (ids and nations, in
    order of first interceptor launch); `end` (outcome "destroyed", "impact", "route_completed" or "in_flight";
    t_s, after_launch_s, nation, battery_id, engagement_id, assets_hit). Times in s.
    """
    records = list(records)
    by_engagement = _engagement_threats(records)
    threats: dict[str, _Threat] = {}
    launcher: dict[tuple[str, int], str] = {}  # (engagement, shot) → nation that launched it

    def threat_of(data: dict[str, Any]) -> _Threat | None:
        tid = data.get("threat_id") or by_engagement.get(data.get("engagement_id") or data.get("proposal_id") or "")
        return threats.get(tid) if tid else None

    for rec in records:
        kind, t, data = rec["kind"], rec["t_s"], rec["data"]
        if kind == "threat_launched":
            threats[data["threat_id"]] = _Threat(data["threat_id"], t, data)
            continue
        if kind not in ("first_detection", "first_track", "response_mark", "engagement_proposed",
                        "engagement_decided", "interceptor_launched", "intercept_resolved", "kill_assessed",
                        *_TERMINAL):
            continue
        th = threat_of(data)
        if th is None:
            continue
        if kind == "first_detection":
            th.step(data["nation"], "first_detection", t, data.get("sensor_id"))
        elif kind == "first_track":
            step = "first_track" if data["source"] == "own" else "first_partner_track"
            th.step(data["nation"], step, t, data["source"])
        elif kind == "response_mark":
            th.step(data["nation"], data["step"], t, data.get("detail"))
        elif kind == "engagement_proposed":
            th.step(data["nation"], "proposed", t, data["proposal_id"])
        elif kind == "engagement_decided":
            th.step(data["nation"], "decided", t, data["decision"])
        elif kind == "interceptor_launched":
            launcher[(data["engagement_id"], data["shot"])] = data["nation"]
            th.interceptors.append({"t_s": t, "after_launch_s": th.after(t), "engagement_id": data["engagement_id"],
                                    "shot": data["shot"], "nation": data["nation"],
                                    "battery_id": data["battery_id"]})
            th.step(data["nation"], "interceptor_launch", t, data["engagement_id"])
        elif kind == "intercept_resolved":
            th.intercepts.append({"t_s": t, "after_launch_s": th.after(t), "engagement_id": data["engagement_id"],
                                  "shot": data["shot"], "killed": bool(data["killed"]),
                                  "miss_m": data.get("miss_m")})
            nation = launcher.get((data["engagement_id"], data["shot"]))
            if nation is not None:
                th.step(nation, "intercept", t, "killed" if data["killed"] else "missed")
        elif kind == "kill_assessed":
            th.assessments.append({"t_s": t, "after_launch_s": th.after(t), "engagement_id": data["engagement_id"],
                                   "nation": data["nation"], "assessment": data["assessment"]})
            th.step(data["nation"], "kill_assessment", t, data["assessment"])
        else:
            th.finish(rec)
    return [th.result() for th in threats.values()]
