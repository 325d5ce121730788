"""The command network: who talks to whom, how late, and which links an inject has cut.

Nodes are the scenario's command nodes, its batteries and the combined coordination cell. Links: a battery to
its command node (the battery's `link_latency_s`), a command node to its parent (the node's `link_latency_s`) and a
nation's top node to the coordination cell when the nation is a member (again the top node's `link_latency_s`).
A message follows the shortest-latency path (Dijkstra with ties broken by node id, so routes are deterministic)
and arrives after the sum of the latencies on it. A cut "between A and B" stops every message whose path passes
through both A and B while the cut lasts (A and B need not be neighbours: a cut between a nation's top node and
the cell severs everything that crosses it). Times are seconds since scenario start.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Route:
    """A message route: the nodes in order (ends included) and the total latency, s."""

    nodes: tuple[str, ...]
    latency_s: float


@dataclass
class CommsNet:
    """Links and cuts of one exercise."""

    links: dict[str, dict[str, float]] = field(default_factory=dict)
    cuts: list[tuple[str, str, float, float]] = field(default_factory=list)
    _routes: dict[tuple[str, str], Route | None] = field(default_factory=dict, repr=False)

    @classmethod
    def from_scenario(cls, scenario: Any) -> CommsNet:
        """The command network of a scenario (see the module docstring)."""
        net = cls()
        cell = scenario.coordination_cell
        for nation in scenario.nations:
            for node in nation.command:
                if node.parent is not None:
                    net.link(node.id, node.parent, float(node.link_latency_s))
                elif cell is not None and nation.id in cell.members:
                    net.link(node.id, cell.id, float(node.link_latency_s))
        for battery in scenario.batteries:
            net.link(battery.id, battery.command, float(battery.link_latency_s))
        for sensor in scenario.sensors:
            net.link(sensor.id, sensor.command, 0.0)
        return net

    def link(self, a: str, b: str, latency_s: float) -> None:
        """Add a two-way link of `latency_s` seconds."""
        self.links.setdefault(a, {})[b] = latency_s
        self.links.setdefault(b, {})[a] = latency_s
        self._routes.clear()

    def cut(self, a: str, b: str, start_s: float, end_s: float) -> None:
        """Cut the comms between `a` and `b` from `start_s` until `end_s`."""
        self.cuts.append((a, b, start_s, end_s))

    def knows(self, node: str) -> bool:
        """Whether `node` is on the network."""
        return node in self.links

    def route(self, a: str, b: str) -> Route | None:
        """The fastest route from `a` to `b` (cuts ignored), or None when they are not connected."""
        key = (a, b)
        if key not in self._routes:
            self._routes[key] = self._shortest(a, b)
        return self._routes[key]

    def _shortest(self, a: str, b: str) -> Route | None:
        if a not in self.links or b not in self.links:
            return None
        if a == b:
            return Route((a,), 0.0)
        best: dict[str, float] = {a: 0.0}
        prev: dict[str, str] = {}
        heap: list[tuple[float, str]] = [(0.0, a)]
        while heap:
            d, node = heapq.heappop(heap)
            if node == b:
                break
            if d > best.get(node, float("inf")):
                continue
            for nxt, lat in sorted(self.links[node].items()):
                nd = d + lat
                if nd < best.get(nxt, float("inf")):
                    best[nxt] = nd
                    prev[nxt] = node
                    heapq.heappush(heap, (nd, nxt))
        if b not in best:
            return None
        path = [b]
        while path[-1] != a:
            path.append(prev[path[-1]])
        return Route(tuple(reversed(path)), best[b])

    def cut_on(self, route: Route, t_s: float) -> tuple[str, str] | None:
        """The first cut that severs `route` at `t_s`, or None."""
        on = set(route.nodes)
        for a, b, start, end in self.cuts:
            if start <= t_s < end and a in on and b in on:
                return a, b
        return None

    def delivery(self, a: str, b: str, t_s: float) -> tuple[float | None, str]:
        """When a message sent from `a` at `t_s` reaches `b`: (arrival time, "") or (None, why not)."""
        route = self.route(a, b)
        if route is None:
            return None, f"no comms path from {a} to {b}"
        severed = self.cut_on(route, t_s)
        if severed is not None:
            return None, f"comms cut between {severed[0]} and {severed[1]}"
        return t_s + route.latency_s, ""
