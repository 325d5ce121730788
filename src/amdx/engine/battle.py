"""Battle management of every nation: identification, threat evaluation and coalition fire planning.

At each picture time the manager takes each nation's fused picture (`AirPictures`) and:
1. identification — the nation's identification authority (its air-defence node) identifies new tracks by the
   ROE's automatic rule after a log-normal decision time, by giving an `Identify` order (a seat may give one too);
2. threat evaluation — every non-friendly track: predicted impact (ballistic) or closest approach (air-breathing)
   against the defended asset list; a `ThreatEvaluated` event when a hostile track's verdict first forms or
   changes (an empty verdict — "threatens nothing" — is the correct outcome of a launch into open sea);
3. fire planning — the combined coordination cell (or a nation alone, when it has no cell or the cell cannot
   reach it) correlates the nations' tracks into threats (a track received over the data link carries the
   partner's track number), builds every permitted (battery, threat) engagement option (weapons control status,
   ROE, interceptor type, kinematic window, Pk after divert) and solves a weapon-target assignment maximising the
   defended value saved. Each assignment becomes a proposal to the battery's engagement authority (the national
   command node when authority is central, the battery itself when delegated), sent over the command network.
   Doctrine: one engagement per threat at a time (no duplicate engagement by two nations unless both allow it);
   shoot-look-shoot when the window allows a look and a second shot, a salvo otherwise; upper tier first.
4. decisions — the authority's automated commander answers after a log-normal decision time with an `Engage`
   order (the same order a human seat gives); `fire.py` validates and executes it.

Decisions use estimates only: the evaluation labels that ride on tracks are copied into controller-only
`ResponseMark` events for the after-action timeline and never steer a decision.
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Callable
from typing import Any

import numpy as np

from amdx.c2.air_threats import evaluate_air_tracks
from amdx.c2.comms import CommsNet
from amdx.c2.disc_kernels import ellipse_probabilities
from amdx.c2.envelope import path_geodetic
from amdx.c2.envelope_kernels import reach_bound
from amdx.c2.fire_planning import pair_options, track_predictor
from amdx.c2.identification import FRIENDLY, automatic_identity, weapons_control_allows
from amdx.c2.threat_evaluation import disc_points
from amdx.c2.wta import solve_wta
from amdx.c2.wta_exact import pattern_count
from amdx.engine import events as ev
from amdx.engine.battle_state import BatteryState, Proposal, TrackView
from amdx.engine.battle_tables import TrackTable, VerdictTable
from amdx.engine.fusion import FusedPicture
from amdx.engine.orders import DenyEngagement, Engage, Identify, Order
from amdx.engine.rng import RngStreams
from amdx.engine.threat_kernels import threat_components
from amdx.geo import SPHERE, ecef_to_geodetic, great_circle_distance_m
from amdx.tracking.impact import ellipse_scale

Schedule = Callable[[float, Callable[[float], list[ev.Event]]], None]
OrderAt = Callable[[Order], None]

PATH_STEP_S = 8.0
"""Sampling step of predicted paths for launch windows, s."""
PATH_HORIZON_S = 900.0
"""How far ahead paths are predicted, s."""
EXACT_MAX_PATTERNS = 400
"""Assignment problems up to this many pattern variables are solved exactly in the engine."""
WTA_ROUNDS = 3
"""Ruin-and-recreate rounds of the assignment heuristic per planning cycle."""
HYSTERESIS = 0.5
"""An asset already announced as threatened stays so until its probability falls below this share of the ROE
threshold, so verdicts do not flap on a noisy track."""
FOLLOW_GATE_M = 5_000.0
"""A renumbered track is taken for a busy one when it is this close (plus 5σ) to the predicted position, m."""
SAME_THREAT_M = 8_000.0
"""Tracks further apart than this are never taken for one threat, m."""
SAME_THREAT_MIN_M = 2_000.0
"""Tracks this close are one threat whatever their position errors, m."""
MIN_DECISION_S = 2.0
"""The quickest an automated commander decides, s."""
STRENGTH = {"pending": 0, "unknown": 1, "suspect": 2, "hostile": 3}
ELLIPSE_K = ellipse_scale(0.95)
_IMPACT_FIELDS = operator.itemgetter("lat_deg", "lon_deg", "time_to_impact_s", "semi_major_m", "semi_minor_m",
                                     "orientation_deg")


def _lognormal(rng: np.random.Generator, decision: Any) -> float:
    return float(decision.median_s * np.exp(decision.log_sigma * rng.standard_normal()))


def urgent(decision_s: float, slack_s: float) -> float:
    """An automated commander under time pressure: a drawn decision time is cut to half the time left before
    the order must leave to meet the latest launch (but not below `MIN_DECISION_S`)."""
    return max(MIN_DECISION_S, min(decision_s, 0.5 * slack_s))


class BattleManager:
    """Identification, threat evaluation and fire planning for all nations of a run (module docstring)."""

    def __init__(self, scenario: Any, rngs: RngStreams, schedule: Schedule, order_at: OrderAt) -> None:
        self.scenario = scenario
        self.rngs = rngs
        self.schedule = schedule  # schedule(t, action): an engine action at time t
        self._order_at = order_at
        self.comms = CommsNet.from_scenario(scenario)
        self.nations = [n.id for n in scenario.nations]
        self.doctrine = {n.id: n.doctrine for n in scenario.nations}
        self.wcs = {n.id: n.doctrine.weapons_control_status for n in scenario.nations}
        self.top_node = {n.id: next(c.id for c in n.command if c.parent is None) for n in scenario.nations}
        self.id_node = {n.id: next((c.id for c in n.command if c.role == "air_defence"), self.top_node[n.id])
                        for n in scenario.nations}
        self.node_nation = {c.id: n.id for n in scenario.nations for c in n.command}
        self.node_nation.update({b.id: b.owner for b in scenario.batteries})
        cell = scenario.coordination_cell
        self.cell = cell
        self.batteries = [BatteryState.from_spec(b, scenario, self.doctrine[b.owner]) for b in scenario.batteries]
        self.battery = {b.id: b for b in self.batteries}
        self.assets = list(scenario.assets)
        self.asset_by_id = {a.id: a for a in self.assets}
        self.asset_owner = {a.id: a.owner for a in self.assets}
        self.asset_value = {a.id: float(a.value) for a in self.assets}
        self.tracks: dict[str, TrackTable] = {n: TrackTable(n, (), FusedPicture.empty()) for n in self.nations}
        self.picture_t_s: dict[str, float] = dict.fromkeys(self.nations, 0.0)
        self.identity: dict[str, dict[str, str]] = {n: {} for n in self.nations}
        self.manual_id: set[tuple[str, str]] = set()
        self.id_due: set[tuple[str, str]] = set()
        self.verdicts: dict[str, VerdictTable] = {n: _no_verdicts() for n in self.nations}
        self.threats: dict[str, dict[str, tuple[str, ...]]] = {n: {} for n in self.nations}
        """Per nation, this cycle: the assets each threatening track threatens at the nation's ROE floor (its
        verdict's `threatened`, asked once for all tracks from the probability array)."""
        self.threat_p: dict[str, dict[str, tuple[float, ...]]] = {n: {} for n in self.nations}
        """Per nation, this cycle: the probabilities of those assets (the verdict's), in the same order."""
        self.announced: dict[str, dict[str, tuple[str, ...]]] = {n: {} for n in self.nations}
        """Per nation: the assets last announced as threatened by each hostile track (sorted)."""
        self.busy: dict[tuple[str, str], str] = {}
        self.dead: set[tuple[str, str]] = set()
        self.requests: dict[tuple[str, str], set[str]] = {}
        self.proposals: dict[str, Proposal] = {}
        self.holders: dict[str, Any] = {}  # proposal or engagement id -> the record that holds a track busy
        self.groups: list[list[tuple[str, str]]] = []  # the last cycle's threat correlation (`threat_of`)
        self._group_of: dict[tuple[str, str], list[tuple[str, str]]] | None = None
        self.human_roles: set[str] = set()  # command roles (node or battery ids) a seat has taken over
        self.marks: set[tuple[str, str, str]] = set()
        self._next_proposal = 1

    # --- helpers -------------------------------------------------------------------------------------------
    def threat_of(self, member: tuple[str, str]) -> list[tuple[str, str]]:
        """Every (nation, track id) of the threat `member` was correlated into by the last cycle (`_threat_groups`;
        itself alone when it was in none). The map is made when first asked after a cycle (a kill assessment;
        most cycles have none)."""
        if self._group_of is None:
            self._group_of = {m: group for group in self.groups for m in group}
        return self._group_of.get(member, [member])

    def decider_of(self, battery: BatteryState) -> str:
        """Who holds engagement authority over a battery: its nation's top node (central) or itself."""
        return self.top_node[battery.nation] if battery.authority == "central" else battery.id

    def battery_wcs(self, battery: BatteryState) -> str:
        """A battery's weapons control status (its own override, else its nation's)."""
        return battery.wcs_override or self.wcs[battery.nation]

    def mark(self, t: float, label: str | None, nation: str, step: str, ref: str, detail: str,
             once: bool = False) -> list[ev.Event]:
        """A controller-only response-timeline marker for the threat a track stems from (none for false tracks)."""
        if label is None or (once and (label, nation, step) in self.marks):
            return []
        self.marks.add((label, nation, step))
        return [ev.ResponseMark(t_s=t, visible_to=ev.visibility(), threat_id=label, nation=nation, step=step,
                                ref=ref, detail=detail)]

    # --- the cycle -----------------------------------------------------------------------------------------
    def cycle(self, t: float, air: Any, pictures: list[ev.Event]) -> list[ev.Event]:
        """One battle-management cycle after the pictures of time `t` (module docstring)."""
        self._snapshot(t, air, pictures)
        self._migrate()
        out = self._evaluate(t)
        out.extend(self._identify(t))
        out.extend(self._plan(t))
        return out

    def _snapshot(self, t: float, air: Any, pictures: list[ev.Event]) -> None:
        entries = {p.nation: p.tracks for p in pictures if isinstance(p, ev.AirPicture)}
        for nation in self.nations:
            live = self.tracks[nation] = TrackTable(nation, entries.get(nation, ()), air.pictures[nation])
            self.picture_t_s[nation] = t
            identity = self.identity[nation]
            for tid in list(itertools.filterfalse(live.row.__contains__, identity)):
                del identity[tid]
            self.verdicts[nation] = _no_verdicts()  # this cycle's evaluation makes them

    def successor(self, nation: str, last_x: np.ndarray, last_t_s: float, ballistic: bool) -> TrackView | None:
        """When the picture has renumbered a track: the free track nearest to where the old one was predicted
        to be now, within `FOLLOW_GATE_M` plus 5σ; None if there is none."""
        tracks = self.tracks[nation]
        busy = self.busy
        rows = [k for k, i in enumerate(tracks.ids) if (nation, i) not in busy]
        if not rows:
            return None
        expected, _ = track_predictor(last_x[None, :], last_t_s, [ballistic])(np.array([self.picture_t_s[nation]]))
        if not np.all(np.isfinite(expected[0])):
            return None
        # all gaps at once, then the exact per-track norm of the nearest few (so the choice and the gate test
        # are those of the per-track computation, first of equals winning)
        pos = tracks.x[rows, :3]
        approx = np.linalg.norm(pos - expected[0], axis=1)
        near = np.flatnonzero(approx <= approx.min() * (1.0 + 1e-9) + 1e-6).tolist()
        gap, k = min((float(np.linalg.norm(pos[c] - expected[0])), c) for c in near)
        view = tracks[tracks.ids[rows[k]]]
        return view if gap <= FOLLOW_GATE_M + 5.0 * view.pos_sigma_m else None

    def follow(self, holder_id: str, holder: Any) -> TrackView | None:
        """The nation's current track of what `holder` (a proposal or engagement, id `holder_id`) is on: its track,
        or its `successor` when the picture has renumbered it; the holder and `busy` move to the new number, and
        the holder keeps the state last seen."""
        nation = holder.nation
        view = self.tracks[nation].get(holder.track_id)
        if view is None and holder.last_x is not None:
            view = self.successor(nation, holder.last_x, holder.last_t_s, holder.ballistic)
            if view is not None:
                if self.busy.get((nation, holder.track_id)) == holder_id:
                    del self.busy[(nation, holder.track_id)]
                holder.track_id = view.track_id
                self.busy[(nation, view.track_id)] = holder_id
        if view is not None:
            holder.last_x, holder.last_t_s = view.x.copy(), self.picture_t_s[nation]
        return view

    def _migrate(self) -> None:
        """Keep proposals and engagements on their threat when the picture renumbers its track: the renumbered
        ones `follow`ed in the order of their busy keys; the others (most), still held under their number, take
        the state last seen as rows of one copy of their picture's states (as `follow` does, without a copy and a
        view each)."""
        moved = []
        kept: dict[str, tuple[list[Any], list[int]]] = {n: ([], []) for n in self.nations}
        holders, tracks = self.holders, self.tracks
        for key, holder_id in self.busy.items():
            holder = holders.get(holder_id)
            if holder is None or holder.last_x is None:
                continue
            k = tracks[holder.nation].row.get(holder.track_id)
            if k is None:
                moved.append((key, holder_id, holder))
            else:
                held, rows = kept[holder.nation]
                held.append(holder)
                rows.append(k)
        for _, holder_id, holder in sorted(moved, key=operator.itemgetter(0)):
            self.follow(holder_id, holder)
        for nation, (held, rows) in kept.items():
            t = self.picture_t_s[nation]
            for holder, x in zip(held, tracks[nation].x[rows], strict=True):  # never modified in place
                holder.last_x, holder.last_t_s = x, t

    # --- threat evaluation ---------------------------------------------------------------------------------
    def _evaluate(self, t: float) -> list[ev.Event]:
        out: list[ev.Event] = []
        if not self.assets:
            return out
        alat = np.array([a.lat_deg for a in self.assets])
        alon = np.array([a.lon_deg for a in self.assets])
        arad = np.array([a.radius_m for a in self.assets])
        aval = np.array([float(a.value) for a in self.assets])
        asset_ids = [a.id for a in self.assets]
        in_order = asset_ids == sorted(asset_ids)
        for nation in self.nations:
            roe = self.doctrine[nation].roe
            identity = self.identity[nation]
            tracks = self.tracks[nation]
            ids = tracks.ids
            classes, impacts = tracks.column("classification"), tracks.column("impact")
            # the rows of the tracks not held as friendly, then of their ballistic ones with an impact and their
            # air-breathing ones (maps and compress: no Python loop over the few hundred tracks)
            held_as = list(map(identity.get, ids, itertools.repeat("pending")))  # each track's identity
            rows = list(itertools.compress(range(len(ids)), map(operator.not_, map(FRIENDLY.__contains__, held_as))))
            kind = list(map(classes.__getitem__, rows))
            ballistic = map(operator.eq, kind, itertools.repeat("ballistic"))
            known = map(operator.is_not, map(impacts.__getitem__, rows), itertools.repeat(None))
            bal = list(itertools.compress(rows, map(operator.and_, ballistic, known)))
            air = list(itertools.compress(rows, map(operator.eq, kind, itertools.repeat("air-breathing"))))
            parts = []  # (track rows, probabilities, values at risk, times to impact) of the ballistic and the
            if bal:     # air-breathing tracks; the ballistic ones straight from their impact ellipses in one pass
                imp = np.fromiter(itertools.chain.from_iterable(map(_IMPACT_FIELDS, map(impacts.__getitem__, bal))),
                                  float, 6 * len(bal)).reshape(-1, 6)
                prob = ellipse_probabilities(imp, ELLIPSE_K, alat, alon, arad, SPHERE.a_m, *disc_points())
                parts.append((bal, prob, prob @ aval, imp[:, 2]))
            if air:
                x = tracks.x[air]
                sigma = np.array(tracks.column("pos_sigma_m"), dtype=float)[air] / np.sqrt(3.0)
                pos, vel = np.ascontiguousarray(x[:, :3]), np.ascontiguousarray(x[:, 3:])  # as the per-track lists were
                te = evaluate_air_tracks(pos, vel, sigma, alat, alon, arad, aval)
                parts.append((air, te.probability, te.expected_value_at_risk, te.time_to_impact_s))
            verdicts = self.verdicts[nation] = _verdict_table(ids, parts, asset_ids)
            floor = roe.min_threat_probability
            threats, self.threat_p[nation], threatening = _threats(verdicts, asset_ids, floor)
            self.threats[nation] = threats
            # priority: by value at risk (highest first), then track id; one lexsort of the threatening rows
            rank = np.zeros(len(verdicts), np.intp)
            evaluated = list(itertools.chain.from_iterable(part[0] for part in parts))  # the verdicts' track rows
            vrows = np.array(evaluated, np.intp)
            by = np.lexsort((tracks.id_rank()[vrows[threatening]], -verdicts.value_at_risk[threatening]))
            rank[threatening[by]] = np.arange(1, by.size + 1)
            rank_of, vrow = rank.tolist(), verdicts.row
            announced = self.announced[nation]
            # a hostile track still threatening just what was announced (nothing included) is skipped: hysteresis
            # cannot add to what it threatens; the others in track order. When the asset list is in id order, each
            # track's threatened assets (distinct, in asset order) are already sorted: compared as they are
            # (maps and compress: no Python loop over the few hundred tracks)
            hostile = list(itertools.compress(verdicts.ids, map(operator.eq, map(held_as.__getitem__, evaluated),
                                                                itertools.repeat("hostile"))))
            current = map(threats.get, hostile, itertools.repeat(()))
            changed = itertools.compress(hostile, map(operator.ne, map(announced.get, hostile),
                                                      current if in_order else map(_sorted_assets, current)))
            labels, row_of = tracks.fused.label, tracks.row
            for tid in sorted(changed):
                before = announced.get(tid) or ()
                now = threats.get(tid, ())  # distinct asset ids
                verdict = verdicts[tid]
                if before:
                    threatened = tuple(sorted({*now, *(a for a in before if verdict.probabilities.get(a, 0.0)
                                                       >= HYSTERESIS * floor)}))
                else:
                    threatened = tuple(sorted(now))
                if tid in announced and before == threatened:
                    continue
                announced[tid] = threatened
                assets = tuple({"asset_id": a, "owner": self.asset_owner[a],
                                "probability": round(verdict.probabilities[a], 4)} for a in threatened)
                out.append(ev.ThreatEvaluated(t_s=t, visible_to=ev.visibility(nation), nation=nation, track_id=tid,
                                              assets=assets, value_at_risk=verdict.value_at_risk,
                                              time_to_impact_s=verdict.time_to_impact_s,
                                              priority=rank_of[vrow[tid]]))
                detail = "threatens " + ", ".join(threatened) if threatened else "threatens nothing"
                label = labels[row_of[tid]]
                out.extend(self.mark(t, label, nation, "evaluated", tid, detail, once=True))
                if threatened:  # the first verdict that the threat endangers a defended asset
                    out.extend(self.mark(t, label, nation, "evaluated_threat", tid, detail, once=True))
        return out

    # --- identification ------------------------------------------------------------------------------------
    def _identify(self, t: float) -> list[ev.Event]:
        for nation in self.nations:
            if self.id_node[nation] in self.human_roles:
                continue
            roe = self.doctrine[nation].roe
            rng = self.rngs.stream(f"commander/{self.id_node[nation]}/identification")
            identities, threats = self.identity[nation], self.threats[nation]
            manual, due = self.manual_id, self.id_due
            tracks = self.tracks[nation]
            identities.update(dict.fromkeys(itertools.filterfalse(identities.__contains__, tracks.ids), "pending"))
            classes = None
            # most are hostile already
            for tid in list(itertools.compress(tracks.ids, map(operator.ne, map(identities.__getitem__, tracks.ids),
                                                               itertools.repeat("hostile")))):
                if (nation, tid) in manual or (nation, tid) in due:
                    continue
                current, k = identities[tid], tracks.row[tid]
                classes = tracks.column("classification") if classes is None else classes
                threatened = threats.get(tid, ())
                near = float("inf")
                if threatened and classes[k] == "air-breathing":
                    near = min(self._range_to_asset(tracks.x[k], a) for a in threatened)
                identity, basis = automatic_identity(classes[k], bool(threatened), near,
                                                     roe.ballistic_is_hostile, roe.hostile_air_range_km * 1000.0)
                if STRENGTH.get(identity, 0) <= STRENGTH.get(current, 0):
                    continue
                self.id_due.add((nation, tid))
                t_id = t + _lognormal(rng, self.doctrine[nation].identification_time)
                self._order_at(Identify(t_s=t_id, source=self.id_node[nation], nation=nation, track_id=tid,
                                        identity=identity, basis=basis))
        return []

    def _range_to_asset(self, x: np.ndarray, asset_id: str) -> float:
        lat, lon, _ = ecef_to_geodetic(x[:3])
        asset = self.asset_by_id[asset_id]
        return float(great_circle_distance_m(float(lat), float(lon), asset.lat_deg, asset.lon_deg))

    # --- fire planning -------------------------------------------------------------------------------------
    def _threat_groups(self) -> tuple[list[list[tuple[str, str]]], list[list[tuple[str, str]]]]:
        """The nations' tracks correlated into threats: a track that holds a partner's track (its key
        'partner/partner.Tnnnn') is the same threat, and so are two tracks (of any nations) closer than
        `SAME_THREAT_M` and 3σ of their position errors — a threat held twice in one picture is still one threat,
        so it is not engaged twice. Connected components, in a stable order: (every threat, the threats to plan).

        A threat with a dead member is not planned; one with a busy member only when every nation engaging it
        allows duplicate engagements (a partner may still engage then); the others (most) are. Each member's bar
        comes from its row (found by key, for the few dead and busy members), each threat's from its members'."""
        members: list[tuple[str, str]] = []
        keys: list[tuple[str, ...]] = []
        pos_parts, sigma_parts = [], []
        for nation in sorted(self.nations):  # (nation, track id) in sorted order (nation ids are unique), columns
            tracks = self.tracks[nation]
            ids = tracks.ids
            ordered = sorted(ids)  # pictures list their tracks by number, so usually in order already
            order: Any = slice(None) if ordered == ids else sorted(range(len(ids)), key=ids.__getitem__)
            members.extend(zip(itertools.repeat(nation), ordered))
            column = tracks.keys_column()
            keys.extend(column if ordered == ids else map(column.__getitem__, order))
            pos_parts.append(tracks.x[order, :3])
            sigma_parts.append(np.array(tracks.column("pos_sigma_m"), dtype=float)[order])
        if not members:
            return [], []
        index = dict(zip(map("/".join, members), itertools.count()))  # "nation/track id", as a partner's key
        # every track's keys in one flat list, each with its track's row: one dict lookup per key, no Python loop
        counts = np.fromiter(map(len, keys), np.intp, len(keys))
        held = np.fromiter(map(index.get, itertools.chain.from_iterable(keys), itertools.repeat(-1)), np.intp,
                           int(counts.sum()))
        owner = np.repeat(np.arange(len(keys)), counts)
        partner = held >= 0
        label = threat_components(owner[partner], held[partner], np.concatenate(pos_parts),
                                  np.concatenate(sigma_parts), SAME_THREAT_M, SAME_THREAT_MIN_M)
        doctrine = self.doctrine
        barred = [*self.dead, *(m for m in self.busy if not doctrine[m[0]].allow_duplicate_engagement)]
        rows = np.fromiter(map(index.get, map("/".join, barred), itertools.repeat(-1)), np.intp, len(barred))
        open_label = np.ones(len(members), bool)  # by component label (a member's row), whether it may be planned
        open_label[label[rows[rows >= 0]]] = False
        order = np.argsort(label, kind="stable")  # by group, members sorted within each
        ordered = list(map(members.__getitem__, order.tolist()))
        by_group = label[order]
        cuts = np.flatnonzero(np.diff(by_group)) + 1
        starts = [0, *cuts.tolist()]
        every = [ordered[a:b] for a, b in zip(starts, [*cuts.tolist(), len(ordered)], strict=True)]
        planned = list(itertools.compress(every, open_label[by_group[starts]].tolist()))
        return every, planned

    def _planning_cells(self, t: float) -> list[tuple[str, list[str]]]:
        """Who plans for whom now: the coordination cell for the member nations it can reach, and each other
        nation alone at its top node."""
        cells: list[tuple[str, list[str]]] = []
        alone = list(self.nations)
        if self.cell is not None:
            reach = [n for n in self.nations if n in self.cell.members
                     and self.comms.delivery(self.cell.id, self.top_node[n], t)[0] is not None]
            if reach:
                cells.append((self.cell.id, reach))
                alone = [n for n in alone if n not in reach]
        cells.extend((self.top_node[n], [n]) for n in alone)
        return cells

    def _plan(self, t: float) -> list[ev.Event]:
        if not self.batteries:
            return []
        self.groups, groups = self._threat_groups()
        self._group_of = None
        if not groups:
            return []
        out: list[ev.Event] = []
        for planner, nations in self._planning_cells(t):
            out.extend(self._plan_cell(t, planner, nations, groups))
        return out

    def _plan_cell(self, t: float, planner: str, nations: list[str],
                   groups: list[list[tuple[str, str]]]) -> list[ev.Event]:
        batteries = [b for b in self.batteries if b.nation in nations and b.rounds > 0
                     and self.battery_wcs(b) != "hold"]
        if not batteries:
            return []
        pairs: list[tuple[int, int, str]] = []  # (battery, threat, the battery's nation's track id)
        values = np.zeros(len(groups))
        owner_of_threat: list[str | None] = [None] * len(groups)
        member = {n: [_member_id(g, n) for g in groups] for n in nations}  # each threat's track of each nation
        reach = np.zeros((len(batteries), len(groups)), bool)  # each battery against its own nation's tracks
        for n in nations:
            own = [i for i, b in enumerate(batteries) if b.nation == n]
            if own:
                row = self.tracks[n].row
                reach[own] = self._in_reach([batteries[i] for i in own], self.tracks[n].x,
                                            [-1 if tid is None else row[tid] for tid in member[n]])
        classes = {n: self.tracks[n].column("classification") for n in nations}
        rules = [self._rules(b) for b in batteries]
        wcs_ok: dict[tuple[str, str], bool] = {}
        busy = self.busy
        in_reach: list[list[int]] = [[] for _ in groups]  # per threat: the batteries in reach (those have a view)
        cols, rows = np.nonzero(reach.T)  # by threat, then by battery
        for j, i in zip(cols.tolist(), rows.tolist(), strict=True):
            in_reach[j].append(i)
        for j, group in enumerate(groups):
            value, owner = self._group_value(group)
            values[j], owner_of_threat[j] = value, owner
            if value <= 0.0:
                continue
            requested: set[str] | None = None  # the nations asked to engage this threat, when first needed
            for i in in_reach[j]:
                nation, wcs, ballistic_ok, air_ok, partner_ok, accepts = rules[i]
                tid = member[nation][j]
                if tid is None or (nation, tid) in busy:
                    continue
                tracks = self.tracks[nation]
                if not (ballistic_ok if classes[nation][tracks.row[tid]] == "ballistic" else air_ok):
                    continue
                identity = self.identity[nation].get(tid, "pending")
                ok = wcs_ok.get((wcs, identity))
                if ok is None:
                    ok = wcs_ok[(wcs, identity)] = weapons_control_allows(wcs, identity)[0]
                if not ok:
                    continue
                if owner is not None and owner != nation and not partner_ok:
                    if requested is None:
                        requested = {r for m in group for r in self.requests.get(m, ())}
                    if not (accepts and nation in requested):
                        continue
                pairs.append((i, j, tid))
        if not pairs:
            return []
        pk, shots, latest, earliest = self._options(t, batteries, pairs)
        m, n = len(batteries), len(groups)
        pk_eng = np.zeros((m, n))
        shot_n = np.ones((m, n), dtype=np.int64)
        lat_launch = np.full((m, n), np.nan)
        first_launch = np.full((m, n), np.nan)
        chosen: dict[tuple[int, int], str] = {}
        for k, (i, j, tid) in enumerate(pairs):
            if pk[k] <= 0.0:
                continue
            s = min(int(shots[k]), batteries[i].rounds)
            pk_eng[i, j] = 1.0 - (1.0 - pk[k]) ** s
            shot_n[i, j], lat_launch[i, j], first_launch[i, j] = s, latest[k], earliest[k]
            chosen[(i, j)] = tid
        self._layer(batteries, pk_eng)
        if not (pk_eng > 0).any():
            return []
        units = np.array([min(sum(1 for r in b.loaded if r > 0), b.rounds) for b in batteries])
        # exact when small (deterministic: the MIP is solved to optimality), else greedy plus a bounded number of
        # improvement rounds (deterministic too: the round count, not the clock, stops it)
        method = "exact" if pattern_count(pk_eng, units, EXACT_MAX_PATTERNS) <= EXACT_MAX_PATTERNS else "heuristic"
        result = solve_wta(values, pk_eng, units, method=method, time_limit_s=60.0, max_rounds=WTA_ROUNDS)
        x = result.counts(n)
        out: list[ev.Event] = []
        hit = (x > 0) & (pk_eng > 0)
        for j in np.flatnonzero(hit.any(axis=0)).tolist():
            pk_j = pk_eng[:, j].tolist()
            i = max(np.flatnonzero(hit[:, j]).tolist(), key=lambda k: (pk_j[k], -k))
            view = self.tracks[batteries[i].nation][chosen[(i, j)]]
            out.extend(self._propose(t, planner, batteries[i], view, int(shot_n[i, j]),
                                     float(pk_eng[i, j]), float(values[j]), float(first_launch[i, j]),
                                     float(lat_launch[i, j]), owner_of_threat[j]))
        return out

    def _group_value(self, group: list[tuple[str, str]]) -> tuple[float, str | None]:
        """Value at risk of a threat (the highest of its tracks' verdicts) and the owner of the asset most at
        risk; 0 when no nation holds it as hostile-or-engageable and threatening."""
        best, owner = 0.0, None
        value = self.asset_value
        for nation, tid in group:
            threatened = self.threats[nation].get(tid)
            if not threatened:
                continue
            if len(threatened) == 1:  # most tracks: the one asset's risk is the sum and the largest
                top = threatened[0]
                risk = self.threat_p[nation][tid][0] * value[top]
            else:
                at_risk = [(p * value[a], a) for a, p in zip(threatened, self.threat_p[nation][tid], strict=True)]
                risk, top = sum(r for r, _ in at_risk), max(at_risk)[1]
            if risk > best:
                best, owner = risk, self.asset_owner[top]
        return best, owner

    def _rules(self, b: BatteryState) -> tuple[str, str, bool, bool, bool, bool]:
        """What permission to engage asks of a battery, once per planning cell: its nation, weapons control status,
        whether ROE and interceptor allow ballistic and air-breathing tracks, whether it defends partner assets
        unasked, and whether it accepts partner requests."""
        doctrine = self.doctrine[b.nation]
        engage = doctrine.roe.engage
        ballistic_ok = "ballistic" in engage and "ballistic" in b.itype.engages
        air_ok = "air_breathing" in engage and bool({"cruise", "aircraft", "drone"} & set(b.itype.engages))
        accepts = bool(doctrine.accept_partner_requests)
        partner_ok = accepts and bool(doctrine.roe.defend_partner_assets)
        return b.nation, self.battery_wcs(b), ballistic_ok, air_ok, partner_ok, accepts

    @staticmethod
    def _in_reach(batteries: list[BatteryState], states: np.ndarray, rows: list[int]) -> np.ndarray:
        """(batteries, rows) whether a track (its row of `states` (n, 6), or -1 for none) could come within a
        battery's reach over the planning horizon: its distance at most the envelope's range, 3 × its ceiling and
        50 km, plus the horizon at the track's speed (a cheap bound before any path is predicted; False for -1)."""
        if not batteries:
            return np.zeros((0, len(rows)), bool)
        sites = np.array([b.site_ecef_m for b in batteries])
        reach = np.array([b.envelope.max_range_m + 3.0 * b.envelope.max_alt_m + 50_000.0 for b in batteries])
        return reach_bound(sites, reach, np.ascontiguousarray(states, dtype=np.float64),
                           np.array(rows, dtype=np.intp), PATH_HORIZON_S)

    def _options(self, t: float, batteries: list[BatteryState],
                 pairs: list[tuple[int, int, str]]) -> tuple[np.ndarray, ...]:
        """Per pair (battery, threat, track id of the battery's nation): divert-adjusted single-shot Pk, shots by
        doctrine, latest and earliest launch times."""
        nation_of = [b.nation for b in batteries]  # a property: read once per battery, not once per pair
        keys = sorted({(nation_of[i], tid) for i, _, tid in pairs})
        idx = {k: r for r, k in enumerate(keys)}
        rows = [self.tracks[n].row[tid] for n, tid in keys]
        x = np.array([self.tracks[n].x[r] for (n, _), r in zip(keys, rows, strict=True)])
        classes = {n: self.tracks[n].column("classification") for n in {n for n, _ in keys}}
        ballistic = np.array([classes[n][r] == "ballistic" for (n, _), r in zip(keys, rows, strict=True)])
        times = t + PATH_STEP_S * np.arange(int(PATH_HORIZON_S / PATH_STEP_S) + 1)
        pos, _ = track_predictor(x, t, ballistic)(np.broadcast_to(times, (len(keys), times.size)))
        end = path_end(pos)
        times, pos = times[:end], pos[:, :end]
        geodetic = path_geodetic(pos)  # once per track, not per (battery, track) pair
        n = len(pairs)
        pk, shots = np.zeros(n), np.ones(n, dtype=np.int64)
        latest, earliest = np.full(n, np.nan), np.full(n, np.nan)
        # per pair: its battery and its track row; per battery and per track what the pairs share
        bat = np.array([i for i, _, _ in pairs], dtype=np.intp)
        trk = np.array([idx[(nation_of[i], tid)] for i, _, tid in pairs], dtype=np.intp)
        used = sorted(set(bat.tolist()))
        sites_all = np.array([b.site_ecef_m for b in batteries])
        cov_all = np.array([self.tracks[n].fused.P[r, :3, :3] for (n, _), r in zip(keys, rows, strict=True)])
        delay_all = np.zeros(len(batteries))
        delay_all[used] = [self._expected_delay(batteries[i]) for i in used]
        sls_all = np.array([b.fire_doctrine == "shoot_look_shoot" for b in batteries])
        salvo_all = np.array([self.doctrine[b.nation].salvo_size for b in batteries], dtype=np.int64)
        by_type: dict[str, list[int]] = {}
        for k, i in enumerate(bat.tolist()):
            by_type.setdefault(batteries[i].itype.id, []).append(k)
        for members in by_type.values():
            rows = np.array(members, dtype=np.intp)
            bi, tracks = bat[rows], trk[rows]
            b0 = batteries[int(bi[0])]
            doctrine = [self.doctrine[nation_of[i]] for i in set(bi.tolist())]
            look = max(d.kill_assessment_delay_s + d.decision_time.median_s for d in doctrine) + \
                b0.envelope.reaction_s
            opt = pair_options(sites_all[bi], b0.envelope, float(b0.itype.single_shot_pk), float(b0.itype.divert_m),
                               times, pos[tracks], cov_all[tracks], t + delay_all[bi], look,
                               (geodetic[0][tracks], geodetic[1][tracks], geodetic[2][tracks]))
            pk[rows] = opt.pk
            latest[rows], earliest[rows] = opt.latest_launch_s, opt.earliest_launch_s
            second = np.asarray(opt.second_shot).astype(bool)
            shots[rows] = np.where(sls_all[bi] & second, 1, salvo_all[bi])
        return pk, shots, latest, earliest

    def _expected_delay(self, b: BatteryState) -> float:
        """Typical time from a proposal to the fire order reaching the battery: decision plus comms, s."""
        decider = self.decider_of(b)
        route = self.comms.route(decider, b.id)
        latency = route.latency_s if route else 0.0
        decision = self.doctrine[b.nation].decision_time.median_s
        if self.cell is not None:
            back = self.comms.route(self.cell.id, decider)
            latency += back.latency_s if back else 0.0
        return decision + latency

    def _layer(self, batteries: list[BatteryState], pk_eng: np.ndarray) -> None:
        """Layered defence: where an upper-tier battery can engage a threat, lower-tier batteries of nations
        whose doctrine is layered hold their fire for the leakers."""
        upper = np.array([b.itype.tier == "upper" for b in batteries])
        if not upper.any():
            return
        upper_can = (pk_eng[upper] > 0).any(axis=0)
        for i, b in enumerate(batteries):
            if not upper[i] and self.doctrine[b.nation].layered:
                pk_eng[i, upper_can] = 0.0

    def _propose(self, t: float, planner: str, b: BatteryState, view: TrackView, shots: int, pk: float,
                 value: float, earliest: float, latest: float, owner: str | None) -> list[ev.Event]:
        pid = f"P{self._next_proposal:05d}"
        self._next_proposal += 1
        decider = self.decider_of(b)
        requested_by = owner if owner is not None and owner != b.nation else None
        arrives, _ = self.comms.delivery(planner, decider, t)
        proposal = Proposal(pid, b.nation, decider, b.id, view.track_id, shots, latest, requested_by, view.label,
                            arrives, last_x=view.x.copy(), last_t_s=t, ballistic=view.classification == "ballistic")
        self.proposals[pid] = proposal
        self.holders[pid] = proposal
        self.busy[(b.nation, view.track_id)] = pid
        seen = ev.visibility(b.nation, *(() if requested_by is None else (requested_by,)))
        out: list[ev.Event] = [ev.EngagementProposed(
            t_s=t, visible_to=seen, proposal_id=pid, nation=b.nation, decider=decider, battery_id=b.id,
            track_id=view.track_id, shots=shots, kill_probability=pk, value_at_risk=value,
            earliest_launch_t_s=earliest, latest_launch_t_s=latest, requested_by=requested_by, planner=planner)]
        out.extend(self.mark(t, view.label, b.nation, "proposed", pid, f"{b.id} x{shots}"))
        if arrives is not None and decider not in self.human_roles:
            rng = self.rngs.stream(f"commander/{decider}/engagement")
            t_decide = arrives + urgent(_lognormal(rng, self.doctrine[b.nation].decision_time),
                                        latest - arrives - self._expected_delay(b)
                                        + self.doctrine[b.nation].decision_time.median_s)
            self._order_at(Engage(t_s=t_decide, source=decider, nation=b.nation, battery_id=b.id,
                                  track_id=view.track_id, shots=shots, proposal_id=pid))
        elif arrives is not None:  # a human holds the authority: doctrine answers if the seat does not in time
            route = self.comms.route(decider, b.id)
            last = latest - (route.latency_s if route else 0.0) - b.envelope.reaction_s - MIN_DECISION_S
            self.schedule(max(arrives, last), lambda tt, p=proposal: self._unanswered(tt, p))
        self.schedule(max(latest, t) + 1.0, lambda tt, p=proposal: self._expire(tt, p))
        return out

    def _unanswered(self, t: float, proposal: Proposal) -> list[ev.Event]:
        if proposal.status != "pending":
            return []
        decision = self.doctrine[proposal.nation].unanswered_decision
        verb = "approves" if decision == "approve" else "denies"
        reason = f"no answer from {proposal.decider} in time: doctrine {verb}"
        if decision == "approve":
            self._order_at(Engage(t_s=t, source=proposal.decider, nation=proposal.nation,
                                  battery_id=proposal.battery_id, track_id=proposal.track_id, shots=proposal.shots,
                                  proposal_id=proposal.proposal_id, reason=reason))
        else:
            self._order_at(DenyEngagement(t_s=t, source=proposal.decider, nation=proposal.nation,
                                          proposal_id=proposal.proposal_id, reason=reason))
        return []

    def _expire(self, t: float, proposal: Proposal) -> list[ev.Event]:
        if proposal.status == "pending":
            proposal.status = "expired"
            if self.busy.get((proposal.nation, proposal.track_id)) == proposal.proposal_id:
                del self.busy[(proposal.nation, proposal.track_id)]
            return [ev.EngagementDecided(t_s=t, visible_to=ev.visibility(proposal.nation),
                                         proposal_id=proposal.proposal_id, nation=proposal.nation,
                                         decider=proposal.decider, decision="expired",
                                         reason="no decision before the latest launch time",
                                         decision_time_s=t - (proposal.arrives_t_s or t))]
        return []


def path_end(pos: np.ndarray) -> int:
    """How many samples of predicted paths (..., K, 3) to look at: up to the last one where any path still exists
    (at least one). Samples past every path's end are NaN, never feasible, so launch windows are the same
    without them, and the geodetic conversion and envelope tests skip them."""
    alive = np.flatnonzero(np.isfinite(pos[..., 0]).reshape(-1, pos.shape[-2]).any(axis=0))
    return int(alive[-1]) + 1 if alive.size else 1


def _sorted_assets(assets: tuple[str, ...]) -> tuple[str, ...]:
    """Asset ids in sorted order (as announced); most tracks threaten one asset."""
    return assets if len(assets) < 2 else tuple(sorted(assets))


def _member_id(group: list[tuple[str, str]], nation: str) -> str | None:
    """A threat's first track held by `nation` (its id), if any."""
    return next((tid for n, tid in group if n == nation), None)


def _no_verdicts() -> VerdictTable:
    return VerdictTable([], np.zeros((0, 0)), np.zeros(0), np.zeros(0), [])


def _verdict_table(ids: list[str], parts: list[tuple[list[int], np.ndarray, np.ndarray, np.ndarray]],
                   asset_ids: list[str]) -> VerdictTable:
    """The verdicts of the evaluated tracks: each part's track rows (into `ids`) with their probabilities (k, a),
    values at risk (k,) and times to impact (k,), parts in order."""
    if not parts:
        return _no_verdicts()
    rows, prob, risk, tti = zip(*parts, strict=True)
    return VerdictTable(list(map(ids.__getitem__, itertools.chain.from_iterable(rows))), np.concatenate(prob),
                        np.concatenate(risk), np.concatenate(tti), asset_ids)


def _threats(verdicts: VerdictTable, asset_ids: list[str], floor: float,
             ) -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[float, ...]], np.ndarray]:
    """The assets each track threatens at `floor` (probability ≥ floor, read from the verdicts' probability
    array) and their probabilities, by track id, each track's in asset order; and the rows of the threatening
    tracks (in the verdicts' order). Most tracks threaten one asset: theirs are taken whole from the arrays (the
    one-asset tuples shared), the few others one by one."""
    p = verdicts.probability
    hit = (p > 0.0) & (p >= floor)
    count = np.count_nonzero(hit, axis=1)
    ids = verdicts.ids
    one = np.flatnonzero(count == 1)
    col = hit[one].argmax(axis=1) if one.size else one  # each one's asset
    tids = list(map(ids.__getitem__, one.tolist()))
    threats = dict(zip(tids, map([(a,) for a in asset_ids].__getitem__, col.tolist()), strict=True))
    probs = dict(zip(tids, zip(p[one, col].tolist()), strict=True))
    for k in np.flatnonzero(count > 1).tolist():
        c = np.flatnonzero(hit[k])
        threats[ids[k]] = tuple(map(asset_ids.__getitem__, c.tolist()))
        probs[ids[k]] = tuple(p[k, c].tolist())
    return threats, probs, np.flatnonzero(count)
