"""The command network: routes against scipy's shortest paths, cuts, unknown nodes and the default scenario."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.sparse.csgraph import shortest_path

from amdx.c2.comms import CommsNet
from amdx.scenario import bundled_scenario_path, load_scenario


def _random_net(rng: np.random.Generator, n: int, p_edge: float,
                integer: bool) -> tuple[CommsNet, list[str], np.ndarray]:
    """A random undirected network of n nodes and its dense latency matrix (0 = no link, as scipy reads it).

    Integer latencies make equal-latency routes (ties) common and their sums exact."""
    names = [f"n{i:02d}" for i in range(n)]
    w = np.zeros((n, n))
    edges = []
    for i in range(n):
        for j in range(i + 1, n):
            if rng.random() < p_edge:
                lat = float(rng.integers(1, 4)) if integer else float(rng.uniform(0.05, 3.0))
                w[i, j] = w[j, i] = lat
                edges.append((i, j, lat))
    net = CommsNet()
    for k in rng.permutation(len(edges)):  # insertion order must not matter
        i, j, lat = edges[k]
        if rng.random() < 0.5:
            i, j = j, i
        net.link(names[i], names[j], lat)
    for name in names:  # isolated nodes are still on the network (an empty link table)
        net.links.setdefault(name, {})
    return net, names, w


@pytest.mark.parametrize("integer", [True, False])
def test_routes_match_scipy_shortest_paths_on_random_graphs(integer):
    rng = np.random.default_rng(20240611 + integer)
    checked = unreachable = 0
    for _ in range(40):
        n = int(rng.integers(2, 10))
        net, names, w = _random_net(rng, n, float(rng.uniform(0.2, 0.7)), integer)
        dist = shortest_path(w, method="D", directed=False)
        for i in range(n):
            for j in range(n):
                route = net.route(names[i], names[j])
                if not np.isfinite(dist[i, j]):
                    assert route is None
                    unreachable += 1
                    continue
                assert route is not None
                assert route.nodes[0] == names[i] and route.nodes[-1] == names[j]
                assert len(set(route.nodes)) == len(route.nodes)  # a simple path
                hops = [w[names.index(a), names.index(b)] for a, b in zip(route.nodes, route.nodes[1:], strict=False)]
                assert all(h > 0 for h in hops)  # every hop is a link
                assert route.latency_s == pytest.approx(dist[i, j], rel=1e-12, abs=1e-12)
                assert sum(hops) == pytest.approx(route.latency_s, rel=1e-12, abs=1e-12)
                checked += 1
    assert checked > 300 and unreachable > 0  # both cases were exercised


def test_routes_are_deterministic_whatever_the_link_insertion_order():
    rng = np.random.default_rng(7)
    for _ in range(20):
        n = int(rng.integers(4, 9))
        seed = int(rng.integers(1 << 30))
        net_a, names, _ = _random_net(np.random.default_rng(seed), n, 0.6, True)
        net_b = CommsNet()
        pairs = [(a, b, lat) for a in net_a.links for b, lat in net_a.links[a].items()]
        for k in rng.permutation(len(pairs)):
            net_b.link(*pairs[k])
        for name in names:
            net_b.links.setdefault(name, {})
        for a in names:
            for b in names:
                assert net_a.route(a, b) == net_b.route(a, b)


def test_equal_latency_routes_break_ties_by_node_id():
    net = CommsNet()
    # two routes of 2 s from src to dst; the one through the lower id ("a.relay") is taken, wherever it was added
    net.link("src", "z.relay", 1.0)
    net.link("z.relay", "dst", 1.0)
    net.link("src", "a.relay", 1.0)
    net.link("a.relay", "dst", 1.0)
    route = net.route("src", "dst")
    assert route is not None
    assert route.nodes == ("src", "a.relay", "dst") and route.latency_s == 2.0
    back = net.route("dst", "src")
    assert back is not None and back.nodes == ("dst", "a.relay", "src")


def test_route_to_itself_and_to_unknown_or_unconnected_nodes():
    net = CommsNet()
    net.link("a", "b", 0.5)
    net.link("c", "d", 0.25)
    assert net.route("a", "a").nodes == ("a",) and net.route("a", "a").latency_s == 0.0
    assert net.knows("a") and not net.knows("ghost")
    assert net.route("a", "ghost") is None and net.route("ghost", "a") is None
    assert net.route("a", "d") is None  # both known, not connected
    for src, dst in (("a", "ghost"), ("ghost", "b"), ("a", "d")):
        arrival, why = net.delivery(src, dst, 12.0)
        assert arrival is None
        assert why == f"no comms path from {src} to {dst}"
    assert net.delivery("a", "b", 12.0) == (12.5, "")


def test_a_cut_severs_exactly_the_routes_through_both_nodes_within_its_interval():
    rng = np.random.default_rng(99)
    severed_seen = open_seen = 0
    for _ in range(25):
        n = int(rng.integers(4, 9))
        net, names, _ = _random_net(rng, n, 0.5, False)
        a, b = (names[k] for k in rng.choice(n, size=2, replace=False))  # not necessarily neighbours
        start, end = 100.0, 160.0
        net.cut(a, b, start, end)
        for src in names:
            for dst in names:
                route = net.route(src, dst)
                if route is None:
                    continue
                through = a in route.nodes and b in route.nodes
                for t in (start - 1e-6, start, 130.0, np.nextafter(end, 0.0), end, end + 50.0):
                    arrival, why = net.delivery(src, dst, t)
                    if through and start <= t < end:
                        assert arrival is None
                        assert why == f"comms cut between {a} and {b}"
                        assert net.cut_on(route, t) == (a, b)
                        severed_seen += 1
                    else:
                        assert arrival == t + route.latency_s and why == ""
                        assert net.cut_on(route, t) is None
                        open_seen += 1
    assert severed_seen > 0 and open_seen > 0


def test_a_cut_does_not_reroute_and_reports_the_first_cut():
    # a square: p - q - r and p - s - r; p → r takes q (1 + 1 s) over s (1 + 1.5 s)
    net = CommsNet()
    net.link("p", "q", 1.0)
    net.link("q", "r", 1.0)
    net.link("p", "s", 1.0)
    net.link("s", "r", 1.5)
    net.cut("p", "r", 0.0, 10.0)  # the two ends themselves: every p ↔ r message stops
    net.cut("q", "r", 5.0, 20.0)
    assert net.delivery("p", "r", 1.0) == (None, "comms cut between p and r")
    assert net.delivery("r", "p", 6.0) == (None, "comms cut between p and r")  # both cuts apply: the first
    # the slower way round through s avoids q but the route is the fastest one: still cut until 20 s
    assert net.delivery("p", "r", 12.0) == (None, "comms cut between q and r")
    assert net.delivery("p", "r", 20.0) == (22.0, "")
    assert net.delivery("p", "s", 6.0) == (7.0, "")  # p → s passes through neither q nor r
    assert net.delivery("q", "p", 6.0) == (7.0, "")  # through q but not r


@pytest.fixture(scope="module")
def default_scenario():
    return load_scenario(bundled_scenario_path("default"))


def _top_chain(scenario, node_id: str) -> tuple[list[str], float]:
    """The command chain from a node up to its nation's top node and the latency of its parent links, by hand."""
    nodes = {node.id: node for nation in scenario.nations for node in nation.command}
    chain, latency = [node_id], 0.0
    while nodes[chain[-1]].parent is not None:
        latency += nodes[chain[-1]].link_latency_s
        chain.append(nodes[chain[-1]].parent)
    return chain, latency


def test_default_scenario_batteries_reach_their_national_top_node(default_scenario):
    net = CommsNet.from_scenario(default_scenario)
    assert default_scenario.batteries
    for battery in default_scenario.batteries:
        chain, up = _top_chain(default_scenario, battery.command)
        nation = next(n for n in default_scenario.nations if n.id == battery.owner)
        top = next(node.id for node in nation.command if node.parent is None)
        assert chain[-1] == top
        expected = battery.link_latency_s + up
        assert expected > 0
        route = net.route(battery.id, top)
        assert route is not None
        assert route.nodes == (battery.id, *chain)
        assert route.latency_s == pytest.approx(expected, abs=1e-12)
        assert net.delivery(battery.id, top, 30.0) == (pytest.approx(30.0 + expected, abs=1e-12), "")
        assert net.delivery(top, battery.id, 30.0)[0] == pytest.approx(30.0 + expected, abs=1e-12)


def test_default_scenario_coordination_cell_joins_the_nations(default_scenario):
    net = CommsNet.from_scenario(default_scenario)
    cell = default_scenario.coordination_cell
    assert cell is not None and len(cell.members) == 2
    tops = {}
    for nation in default_scenario.nations:
        if nation.id in cell.members:
            tops[nation.id] = next(node for node in nation.command if node.parent is None)
    assert set(tops) == set(cell.members)
    a, b = (tops[m] for m in cell.members)
    route = net.route(a.id, b.id)
    assert route is not None
    assert route.nodes == (a.id, cell.id, b.id)
    assert route.latency_s == pytest.approx(a.link_latency_s + b.link_latency_s, abs=1e-12)
    for top in (a, b):
        to_cell = net.route(top.id, cell.id)
        assert to_cell is not None and to_cell.nodes == (top.id, cell.id)
        assert to_cell.latency_s == pytest.approx(top.link_latency_s, abs=1e-12)
    # a battery of one nation reaches the other nation's top node through the cell; cutting a top node from
    # the cell severs that, and not the battery's own chain
    battery = next(bt for bt in default_scenario.batteries if bt.owner == cell.members[0])
    chain, up = _top_chain(default_scenario, battery.command)
    across = net.route(battery.id, b.id)
    assert across is not None and across.nodes == (battery.id, *chain, cell.id, b.id)
    assert across.latency_s == pytest.approx(battery.link_latency_s + up + a.link_latency_s + b.link_latency_s)
    net.cut(a.id, cell.id, 50.0, 80.0)
    assert net.delivery(battery.id, b.id, 60.0) == (None, f"comms cut between {a.id} and {cell.id}")
    assert net.delivery(battery.id, a.id, 60.0)[0] == pytest.approx(60.0 + battery.link_latency_s + up)
    assert net.delivery(battery.id, b.id, 80.0)[0] == pytest.approx(80.0 + across.latency_s)
