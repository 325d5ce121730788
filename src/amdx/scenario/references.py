"""Cross-reference checks of a scenario: ids, ownership, command hierarchy, threat types, ranges, times.

The checks read the document as plain data (mappings and lists as parsed from the file) and skip anything of
the wrong type, so they run even when some fields are invalid: the loader reports field problems and reference
problems of a file at once. Distances are great-circle (``amdx.geo``, sphere of radius 6371 km).
"""

from __future__ import annotations

import difflib
import itertools
import math
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from amdx.geo import great_circle_distance_m
from amdx.scenario.catalog_models import SECTIONS, Catalog
from amdx.scenario.problems import Issue, Loc, format_path


def did_you_mean(word: str, choices: Collection[str]) -> str:
    """``"; did you mean 'x'?"`` for the closest choice, or ``""`` when none is close."""
    close = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def one_of(choices: Collection[str], limit: int = 12) -> str:
    """``"one of: a, b, c"`` (shortened past ``limit``), or ``"none defined"``."""
    names = sorted(choices)
    if not names:
        return "none defined"
    more = f", … ({len(names) - limit} more)" if len(names) > limit else ""
    return "one of: " + ", ".join(names[:limit]) + more


def _items(node: Any, *keys: str) -> list[tuple[int, Mapping[str, Any]]]:
    for key in keys:
        node = node.get(key) if isinstance(node, Mapping) else None
    if not isinstance(node, list | tuple):
        return []
    return [(i, item) for i, item in enumerate(node) if isinstance(item, Mapping)]


def _text(item: Mapping[str, Any], key: str) -> str | None:
    value = item.get(key)
    return value if isinstance(value, str) else None


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        x = float(value)
    except OverflowError:
        return None
    return x if math.isfinite(x) else None


def _at_least(value: Any, low: float) -> float | None:
    x = _number(value)
    return x if x is not None and x >= low else None


def _point(item: Any) -> tuple[float, float] | None:
    if not isinstance(item, Mapping):
        return None
    lat, lon = _number(item.get("lat_deg")), _number(item.get("lon_deg"))
    if lat is None or lon is None or abs(lat) > 90.0 or abs(lon) > 180.0:
        return None
    return lat, lon


class _Checker:
    """Collects issues over one document; each ``_check_*`` method is one family of rules."""

    def __init__(self, data: Mapping[str, Any], bundled: Catalog) -> None:
        self.data = data
        self.issues: list[Issue] = []
        self.nations = {n: i for i, item in _items(data, "nations") if (n := _text(item, "id"))}
        self.nodes: dict[str, str | None] = {}  # node id → nation id
        for _, nation in _items(data, "nations"):
            for _, node in _items(nation, "command"):
                if (node_id := _text(node, "id")) is not None:
                    self.nodes.setdefault(node_id, _text(nation, "id"))
        self.adversaries = {a for _, item in _items(data, "adversaries") if (a := _text(item, "id"))}
        self.assets = {a: item for _, item in _items(data, "assets") if (a := _text(item, "id"))}
        self.sensors = {s for _, item in _items(data, "sensors") if (s := _text(item, "id"))}
        self.batteries = {b: _text(item, "owner") for _, item in _items(data, "batteries") if (b := _text(item, "id"))}
        cell = data.get("coordination_cell")
        self.cell = _text(cell, "id") if isinstance(cell, Mapping) else None
        self.types: dict[str, dict[str, Any]] = {section: {} for section in SECTIONS}
        for section in SECTIONS:
            for t in getattr(bundled, section):
                self.types[section][t.id] = t.model_dump(by_alias=True)
            for _, t in _items(data, "catalog", section):
                if (type_id := _text(t, "id")) is not None:
                    self.types[section].setdefault(type_id, dict(t))
        self.bundled_ids = set(bundled.ids())

    def add(self, loc: Loc, message: str, expected: str = "", found: str = "") -> None:
        self.issues.append(Issue(loc, message, expected, found))

    def ref(self, loc: Loc, value: Any, known: Collection[str], what: str) -> bool:
        """Check that ``value`` (if a string) names one of ``known``; True when it does."""
        if not isinstance(value, str):
            return False
        if value in known:
            return True
        hint = did_you_mean(value, known) or f"; expected {one_of(known)}"
        self.add(loc, f"unknown {what} '{value}'{hint}", f"a {what} id, {one_of(known)}", f"'{value}'")
        return False

    # --- rules -------------------------------------------------------------------------------------------
    def check_duplicate_ids(self) -> None:
        seen: dict[str, Loc] = {}
        places: list[tuple[Loc, Any]] = []
        for i, nation in _items(self.data, "nations"):
            places.append((("nations", i, "id"), nation.get("id")))
            places += [(("nations", i, "command", j, "id"), n.get("id")) for j, n in _items(nation, "command")]
        places += [(("adversaries", i, "id"), a.get("id")) for i, a in _items(self.data, "adversaries")]
        if isinstance(cell := self.data.get("coordination_cell"), Mapping):
            places.append((("coordination_cell", "id"), cell.get("id")))
        for key in ("assets", "sensors", "batteries", "msel"):
            places += [((key, i, "id"), item.get("id")) for i, item in _items(self.data, key)]
        for loc, value in places:
            if isinstance(value, str):
                if value in seen:
                    self.add(loc, f"duplicate id '{value}' (first defined at {format_path(seen[value])})",
                             "an id not used elsewhere in the scenario", f"'{value}'")
                else:
                    seen[value] = loc
        catalog_seen: dict[str, Loc] = {}
        for section in SECTIONS:
            for i, t in _items(self.data, "catalog", section):
                loc, value = ("catalog", section, i, "id"), t.get("id")
                if not isinstance(value, str):
                    continue
                if value in self.bundled_ids:
                    self.add(loc, f"catalog id '{value}' is already in the bundled catalog",
                             "an id not in the bundled catalog", f"'{value}'")
                elif value in catalog_seen:
                    self.add(loc, f"duplicate catalog id '{value}' (first defined at "
                                  f"{format_path(catalog_seen[value])})", "an unused catalog id", f"'{value}'")
                else:
                    catalog_seen[value] = loc

    def check_command(self) -> None:
        parents: dict[str, tuple[str, Loc]] = {}
        for i, nation in _items(self.data, "nations"):
            nation_id = _text(nation, "id")
            for j, node in _items(nation, "command"):
                loc = ("nations", i, "command", j, "parent")
                parent, node_id = node.get("parent"), _text(node, "id")
                if parent is None or not self.ref(loc, parent, self.nodes, "command node"):
                    continue
                if self.nodes[parent] != nation_id:
                    self.add(loc, f"parent '{parent}' is a command node of {self.nodes[parent]}, not of {nation_id}",
                             f"a command node of {nation_id}", f"'{parent}'")
                elif node_id is not None:
                    parents.setdefault(node_id, (parent, loc))
        reported: set[str] = set()
        for start in parents:
            chain, node = [start], parents[start][0]
            while node in parents and node not in chain:
                chain.append(node)
                node = parents[node][0]
            if node == start and not reported.intersection(chain):
                reported.update(chain)
                cycle = " → ".join([*chain, start])
                self.add(parents[start][1], f"command hierarchy cycle: {cycle}", "a hierarchy without cycles",
                         cycle)

    def check_owners(self) -> None:
        for key in ("assets", "sensors", "batteries"):
            for i, item in _items(self.data, key):
                self.ref((key, i, "owner"), item.get("owner"), self.nations, "nation")
        for key, section, what in (("sensors", "sensors", "sensor type"), ("batteries", "interceptors",
                                                                             "interceptor type")):
            for i, item in _items(self.data, key):
                self.ref((key, i, "type"), item.get("type"), self.types[section], what)
                command, owner = item.get("command"), _text(item, "owner")
                known = self.ref((key, i, "command"), command, self.nodes, "command node")
                if known and owner in self.nations and self.nodes[command] != owner:
                    self.add((key, i, "command"), f"command node '{command}' belongs to {self.nodes[command]}, "
                             f"not to the owner {owner}", f"a command node of {owner}", f"'{command}'")

    def check_coalition(self) -> None:
        cell = self.data.get("coordination_cell")
        members = cell.get("members") if isinstance(cell, Mapping) else None
        if isinstance(members, list | tuple):
            for k, member in enumerate(members):
                loc = ("coordination_cell", "members", k)
                if self.ref(loc, member, self.nations, "nation") and member in members[:k]:
                    self.add(loc, f"nation '{member}' is listed twice", "each member nation once", f"'{member}'")
        pairs: dict[tuple[str, str], int] = {}
        for i, share in _items(self.data, "sharing"):
            ok_from = self.ref(("sharing", i, "from"), share.get("from"), self.nations, "nation")
            ok_to = self.ref(("sharing", i, "to"), share.get("to"), self.nations, "nation")
            if ok_from and ok_to:
                pair = (share["from"], share["to"])
                if pair in pairs:
                    self.add(("sharing", i), f"a second agreement from {pair[0]} to {pair[1]} (first: "
                             f"sharing[{pairs[pair]}])", "one agreement per direction", f"{pair[0]} → {pair[1]}")
                pairs.setdefault(pair, i)

    def check_msel(self) -> None:
        exercise = self.data.get("exercise")
        duration = _at_least(exercise.get("duration_s"), 1e-9) if isinstance(exercise, Mapping) else None
        nodes = set(self.nodes) | ({self.cell} if self.cell else set())
        for i, event in _items(self.data, "msel"):
            kind = event.get("kind")
            t = _at_least(event.get("t_s"), 0.0)
            if duration is not None and t is not None and t > duration:
                self.add(("msel", i, "t_s"), f"event at t = {t:g} s is after the end of the exercise "
                         f"(duration_s {duration:g})", f"a time in [0, {duration:g}] s", f"{t:g} s")
            elif kind in ("launch", "route") and duration is not None and t is not None:
                count, interval = _at_least(event.get("count", 1), 1.0), _at_least(event.get("interval_s", 0.0), 0.0)
                if count is not None and interval is not None and t + (count - 1) * interval > duration:
                    last = t + (count - 1) * interval
                    self.add(("msel", i, "interval_s"), f"the last of {count:g} threats leaves at t = {last:g} s, "
                             f"after the end of the exercise (duration_s {duration:g})",
                             f"a last launch at or before {duration:g} s", f"{last:g} s")
            if kind in ("launch", "route"):
                self.ref(("msel", i, "actor"), event.get("actor"), self.adversaries, "adversary")
                if "target" in event and event["target"] is not None:
                    self.ref(("msel", i, "target"), event["target"], self.assets, "defended asset")
                self._check_threat(i, event, kind)
            elif kind == "sensor_outage":
                self.ref(("msel", i, "sensor"), event.get("sensor"), self.sensors, "sensor")
            elif kind == "comms_cut" and isinstance(between := event.get("between"), list | tuple):
                for k, node in enumerate(between):
                    self.ref(("msel", i, "between", k), node, nodes, "command node")
            elif kind == "weapons_control":
                self._check_weapons_control(i, event)

    def _check_weapons_control(self, i: int, event: Mapping[str, Any]) -> None:
        nation = event.get("nation")
        known_nation = self.ref(("msel", i, "nation"), nation, self.nations, "nation")
        battery = event.get("battery")
        if battery is None or not self.ref(("msel", i, "battery"), battery, self.batteries, "battery"):
            return
        owner = self.batteries[battery]
        if known_nation and owner is not None and owner != nation:
            self.add(("msel", i, "battery"), f"battery '{battery}' belongs to {owner}, not to {nation}",
                     f"a battery of {nation}", f"'{battery}'")

    def _check_threat(self, i: int, event: Mapping[str, Any], kind: str) -> None:
        threats = self.types["threats"]
        type_id = event.get("threat")
        if not self.ref(("msel", i, "threat"), type_id, threats, "threat type"):
            return
        ttype = threats[type_id]
        threat_class = ttype.get("class")
        if kind == "launch" and threat_class != "ballistic":
            self.add(("msel", i, "threat"), f"threat type '{type_id}' is {threat_class}, not ballistic: "
                     "use kind 'route' for it", "a ballistic threat type", f"'{type_id}' ({threat_class})")
            return
        if kind == "route" and threat_class == "ballistic":
            self.add(("msel", i, "threat"), f"threat type '{type_id}' is ballistic: use kind 'launch' for it",
                     "a cruise missile, aircraft or drone type", f"'{type_id}' (ballistic)")
            return
        target = self.assets.get(event.get("target")) if isinstance(event.get("target"), str) else None
        if kind == "launch":
            self._check_ballistic_range(i, event, ttype, target)
        else:
            self._check_route_length(i, event, ttype, target)

    def _check_ballistic_range(self, i: int, event: Mapping[str, Any], ttype: Mapping[str, Any],
                               target: Mapping[str, Any] | None) -> None:
        lo, hi = _number(ttype.get("min_range_km")), _number(ttype.get("max_range_km"))
        origin = _point(event.get("origin"))
        aim_key = "aim" if event.get("aim") is not None else "target"
        aim = _point(event.get("aim")) if aim_key == "aim" else _point(target)
        if origin is None or aim is None or lo is None or hi is None:
            return
        what = "aim point" if aim_key == "aim" else f"target '{event.get('target')}'"
        d_km = float(great_circle_distance_m(*origin, *aim)) / 1000.0
        expected = f"a ground range in [{lo:g}, {hi:g}] km from the origin"
        if d_km > hi:
            self.add(("msel", i, aim_key), f"{what} is {d_km:.1f} km from the origin, beyond the maximum range "
                     f"of {ttype.get('id')} ({hi:g} km)", expected, f"{d_km:.1f} km")
        elif d_km < lo:
            self.add(("msel", i, aim_key), f"{what} is {d_km:.1f} km from the origin, inside the minimum range "
                     f"of {ttype.get('id')} ({lo:g} km)", expected, f"{d_km:.1f} km")

    def _check_route_length(self, i: int, event: Mapping[str, Any], ttype: Mapping[str, Any],
                            target: Mapping[str, Any] | None) -> None:
        waypoints = event.get("waypoints")
        limit = _number(ttype.get("range_km"))
        if not isinstance(waypoints, list | tuple) or limit is None:
            return
        points = [_point(w) for w in waypoints] + ([_point(target)] if target is not None else [])
        if len(points) < 2 or any(p is None for p in points):
            return
        legs: Sequence[tuple[float, float]] = [p for p in points if p is not None]
        length_km = sum(float(great_circle_distance_m(*a, *b)) for a, b in itertools.pairwise(legs)) / 1000.0
        if length_km > limit:
            self.add(("msel", i, "waypoints"), f"the route is {length_km:.1f} km long, beyond the range of "
                     f"{ttype.get('id')} ({limit:g} km)", f"a route of at most {limit:g} km", f"{length_km:.1f} km")


def check_references(data: Any, bundled: Catalog) -> list[Issue]:
    """Every cross-reference problem of a scenario document (plain data as read from the file).

    ``bundled`` is the catalog the file's ``catalog`` section extends. Values of the wrong type are skipped
    (field validation reports them), so this never raises on malformed data.
    """
    if not isinstance(data, Mapping):
        return []
    checker = _Checker(data, bundled)
    checker.check_duplicate_ids()
    checker.check_command()
    checker.check_owners()
    checker.check_coalition()
    checker.check_msel()
    return checker.issues
