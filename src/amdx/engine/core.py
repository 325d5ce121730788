"""The engine: a pure function of (scenario, seed, orders) to events.

Orders go in with `submit`; `advance(until_t_s)` processes everything due up to that time and returns the
events, in order. A headless run advances straight to the end; a live server advances in step with the wall
clock. No wall clock, no I/O and no global state live here.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from amdx.engine import events as ev
from amdx.engine.airpicture import AirPictures
from amdx.engine.battle import BattleManager
from amdx.engine.fire import FireControl
from amdx.engine.msel import msel_orders
from amdx.engine.orders import Inject, LaunchBallistic, LaunchRoute, Order, SensorOutage
from amdx.engine.rng import RngStreams
from amdx.engine.scheduler import Scheduler
from amdx.engine.sensing import CUE_DURATION_S
from amdx.engine.threats import (
    BallisticThreat,
    OrderRejected,
    RouteThreat,
    assets_within,
    plan_ballistic,
    plan_route,
)
from amdx.engine.truth import TruthRegistry
from amdx.geo import geodetic_to_ecef, great_circle_distance_m, initial_azimuth_deg

Action = Callable[[float], list[ev.Event]]

# Within one instant: physics first, then sensing, pictures, the data link, orders, and the end of the exercise.
PRIORITY_PHYSICS = 0
PRIORITY_SENSING = 1
PRIORITY_PICTURE = 2
PRIORITY_LINK = 3
PRIORITY_ORDER = 10
PRIORITY_END = 100


class Engine:
    """One exercise run. Create it, `submit` orders, `advance` the clock, read the events."""

    def __init__(self, scenario: Any, seed: int | None = None) -> None:
        self.scenario = scenario
        self.seed = int(scenario.exercise.seed if seed is None else seed)
        self.rngs = RngStreams(self.seed)
        self.duration_s = float(scenario.exercise.duration_s)
        self._sched: Scheduler[Action] = Scheduler()
        self._controller = ev.visibility()
        self._everyone = ev.visibility(*(n.id for n in scenario.nations))
        self.threats: dict[str, BallisticThreat | RouteThreat] = {}
        self.assets_lost: dict[str, str] = {}  # asset id -> id of the threat that destroyed it
        self.truth = TruthRegistry()
        self.air = AirPictures(scenario, self.rngs, self.truth)
        self.battle = BattleManager(scenario, self.rngs, self._schedule_battle, self._order_internal)
        self.fire = FireControl(self.battle, self.truth)
        self._scans_due: dict[float, list[Any]] = {}
        self._launches: dict[str, list[Any]] = {"ids": [], "launch_t_s": [], "burnout_t_s": [], "launch_ecef_m": [],
                                                "heading_rad": []}
        self.finished = False
        self._sched.schedule(0.0, self._start, PRIORITY_PHYSICS)
        self._sched.schedule(self.duration_s, self._end, PRIORITY_END)
        self._schedule_sensing()
        for order in msel_orders(scenario):
            self.submit(order)

    @property
    def now_s(self) -> float:
        return self._sched.now_s

    # --- orders in -----------------------------------------------------------------------------------
    def submit(self, order: Order) -> None:
        """Queue an order at its time (an order stamped in the past takes effect now)."""
        if self.finished:
            raise RuntimeError("the exercise has ended; no more orders")
        if not math.isfinite(order.t_s):
            raise ValueError(f"order time must be finite, got {order.t_s!r}")
        t = max(order.t_s, self.now_s)
        self._sched.schedule(min(t, self.duration_s), lambda now, o=order: self._execute(now, o), PRIORITY_ORDER)

    def _order_internal(self, order: Order) -> None:
        """An order of an automated commander: the same validation as any order, without the acceptance echo
        (its own events say what it did)."""
        if self.finished:
            return
        t = max(order.t_s, self.now_s)
        if t <= self.duration_s:
            self._sched.schedule(t, lambda now, o=order: self._execute(now, o, echo=False), PRIORITY_ORDER)

    def _schedule_battle(self, t_s: float, action: Action) -> None:
        if t_s <= self.duration_s:
            self._sched.schedule(max(t_s, self.now_s), action, PRIORITY_PHYSICS)

    def _execute(self, now: float, order: Order, echo: bool = True) -> list[ev.Event]:
        try:
            if self.fire.handles(order):
                summary, events = self.fire.execute(now, order)
                return [*(self._accept(now, order, summary) if echo else []), *events]
            if isinstance(order, LaunchBallistic):
                return self._accept(now, order, self._launch_ballistic(order))
            if isinstance(order, LaunchRoute):
                return self._accept(now, order, self._launch_route(order))
            if isinstance(order, SensorOutage):
                return self._outage(now, order)
            if isinstance(order, Inject):
                return [ev.InjectLogged(t_s=now, visible_to=self._controller, msel_id=order.msel_id,
                                        inject=order.inject, detail=order.detail)]
            raise OrderRejected(f"the engine does not handle {order.kind!r} orders yet")
        except OrderRejected as exc:
            nation = getattr(order, "nation", None)
            seen = ev.visibility(nation) if nation in self.battle.nations else self._controller
            return [ev.OrderRefused(t_s=now, visible_to=seen, order=order.kind, source=order.source,
                                    reason=str(exc))]

    def _accept(self, now: float, order: Order, summary: str) -> list[ev.Event]:
        return [ev.OrderAccepted(t_s=now, visible_to=self._controller, order=order.kind, source=order.source,
                                 summary=summary)]

    def _launch_ballistic(self, order: LaunchBallistic) -> str:
        planned = plan_ballistic(self.scenario, order, self.rngs)
        self._check_new_ids([p.threat_id for p in planned])
        ttype = self.scenario.threat_type(order.threat_type)
        self.truth.add_ballistic([p.threat_id for p in planned], [p.solution for p in planned],
                                 ttype.ballistic_coefficient_kg_m2, ttype.rcs_m2, planned[0].flights)
        sols = [p.solution for p in planned]
        lat, lon = np.array([s.launch_lat_deg for s in sols]), np.array([s.launch_lon_deg for s in sols])
        self._launches["ids"].extend(p.threat_id for p in planned)
        self._launches["launch_t_s"].extend(s.launch_t_s for s in sols)
        self._launches["burnout_t_s"].extend(s.burnout_t_s for s in sols)
        # the salvo's launch points and headings in one call each (the same arithmetic point by point)
        self._launches["launch_ecef_m"].extend(geodetic_to_ecef(lat, lon, 0.0))
        self._launches["heading_rad"].extend(np.radians(initial_azimuth_deg(
            lat, lon, np.array([s.impact_lat_deg for s in sols]), np.array([s.impact_lon_deg for s in sols]))))
        for threat in planned:
            self.threats[threat.threat_id] = threat
            sol = threat.solution
            self._sched.schedule(sol.launch_t_s, lambda t, th=threat: self._ballistic_launched(t, th))
            self._sched.schedule(sol.burnout_t_s, lambda t, th=threat: self._burnout(t, th))
            self._sched.schedule(sol.apogee_t_s, lambda t, th=threat: self._apogee(t, th))
            self._sched.schedule(threat.impact_t_s, lambda t, th=threat: self._ballistic_impact(t, th))
        return f"{len(planned)} x {order.threat_type} from {order.actor}"

    def _launch_route(self, order: LaunchRoute) -> str:
        planned = plan_route(self.scenario, order)
        self._check_new_ids([p.threat_id for p in planned])
        rcs = self.scenario.threat_type(order.threat_type).rcs_m2
        for threat in planned:
            self.truth.add_route(threat.threat_id, threat.flight, rcs)
            self.threats[threat.threat_id] = threat
            self._sched.schedule(threat.launch_t_s, lambda t, th=threat: self._route_launched(t, th))
            self._sched.schedule(threat.flight.end_t_s, lambda t, th=threat: self._route_end(t, th))
        return f"{len(planned)} x {order.threat_type} from {order.actor}"

    def _outage(self, now: float, order: SensorOutage) -> list[ev.Event]:
        site = next((s for s in self.air.sites if s.sensor_id == order.sensor_id), None)
        if site is None:
            raise OrderRejected(f"unknown sensor {order.sensor_id!r}")
        if not order.duration_s > 0:
            raise OrderRejected(f"an outage needs a positive duration, found {order.duration_s}")
        end = now + order.duration_s
        site.outages.append((now, end))
        if end < self.duration_s:
            self._sched.schedule(end, lambda t: [ev.SensorStatus(t_s=t, visible_to=ev.visibility(site.owner),
                                                                 sensor_id=site.sensor_id, owner=site.owner,
                                                                 status="back")], PRIORITY_PHYSICS)
        return [
            *self._accept(now, order, f"{site.sensor_id} out for {order.duration_s:g} s"),
            ev.SensorStatus(t_s=now, visible_to=ev.visibility(site.owner), sensor_id=site.sensor_id,
                            owner=site.owner, status="out"),
        ]

    def _check_new_ids(self, ids: list[str]) -> None:
        taken = [i for i in ids if i in self.threats]
        if taken:
            raise OrderRejected(f"threat id already in use: {', '.join(taken)}")

    # --- time ------------------------------------------------------------------------------------------
    def advance(self, until_t_s: float) -> list[ev.Event]:
        """Process everything due at or before `until_t_s` (capped at the exercise end); return the events."""
        until = min(until_t_s, self.duration_s)
        out: list[ev.Event] = []
        while (due := self._sched.pop_due(until)) is not None:
            t, action = due
            out.extend(action(t))
        if not self.finished:
            self._sched.advance_clock(until)
        return out

    def run(self) -> list[ev.Event]:
        """Advance to the end of the exercise."""
        return self.advance(self.duration_s)

    # --- sensing, pictures and the data link ----------------------------------------------------------
    def _schedule_sensing(self) -> None:
        for site in self.air.sites:
            self._queue_scan(site.first_scan_t_s, site)
        period = float(self.scenario.exercise.picture_period_s)
        self._sched.schedule(period, lambda t: self._picture(t, period), PRIORITY_PICTURE)
        for agreement in self.scenario.sharing:
            if agreement.release != "none":
                self._sched.schedule(agreement.update_period_s, lambda t, a=agreement: self._share(t, a),
                                     PRIORITY_LINK)

    def _repeat(self, t: float, action: Action, priority: int) -> None:
        if t <= self.duration_s:
            self._sched.schedule(t, action, priority)

    def _queue_scan(self, t: float, site: Any) -> None:
        """Book a sensor's next look; the sensors that look at one instant are scanned by one action."""
        if t > self.duration_s:
            return
        due = self._scans_due.get(t)
        if due is None:
            due = self._scans_due[t] = []
            self._sched.schedule(t, lambda tt: self._scan_instant(tt), PRIORITY_SENSING)
        due.append(site)

    def _scan_instant(self, t: float) -> list[ev.Event]:
        """Every sensor due at `t`: space-based warnings first (a cue shortens its radars' next revisit), then
        all the radars in one batch."""
        due = self._scans_due.pop(t)
        sites = [s for s in due if not s.out_at(t)]
        out: list[ev.Event] = []
        for site in sites:
            if site.kind == "space_warning":
                warnings = self.air.space_scan(site, t, self._launches)
                if warnings:
                    for radar in self.air.sites:
                        if radar.owner == site.owner and radar.kind == "early_warning":
                            radar.cued_until_t_s = t + CUE_DURATION_S
                out.extend(warnings)
        radars = [s for s in sites if s.kind != "space_warning"]
        if radars:
            out.extend(self.air.radar_scans(radars, t))
        for site in due:
            self._queue_scan(site.next_scan_t_s(t), site)
        return out

    def _picture(self, t: float, period: float) -> list[ev.Event]:
        self._repeat(t + period, lambda tt: self._picture(tt, period), PRIORITY_PICTURE)
        pictures = self.air.picture_time(t)
        return pictures + self.battle.cycle(t, self.air, pictures)

    def _share(self, t: float, agreement: Any) -> list[ev.Event]:
        self._repeat(t + agreement.update_period_s, lambda tt, a=agreement: self._share(tt, a), PRIORITY_LINK)
        release = self.air.release(agreement)
        receiver = agreement.to_nation
        self._repeat(t + agreement.latency_s, lambda tt: self.air.deliver(receiver, release, tt), PRIORITY_LINK)
        return []

    # --- actions ---------------------------------------------------------------------------------------
    def _start(self, t: float) -> list[ev.Event]:
        ex = self.scenario.exercise
        return [ev.ExerciseStarted(t_s=t, visible_to=self._everyone, name=ex.name, seed=self.seed,
                                   duration_s=self.duration_s, epoch=ex.epoch_iso)]

    def _end(self, t: float) -> list[ev.Event]:
        self.finished = True
        return [ev.ExerciseEnded(t_s=t, visible_to=self._everyone)]

    def _ballistic_launched(self, t: float, th: BallisticThreat) -> list[ev.Event]:
        sol = th.solution
        return [ev.ThreatLaunched(t_s=t, visible_to=self._controller, threat_id=th.threat_id,
                                  threat_type=th.threat_type, threat_class="ballistic", actor=th.actor,
                                  msel_id=th.msel_id, origin_lat_deg=sol.launch_lat_deg,
                                  origin_lon_deg=sol.launch_lon_deg, aim_lat_deg=th.aim_lat_deg,
                                  aim_lon_deg=th.aim_lon_deg, target=th.target, profile=th.profile)]

    def _burnout(self, t: float, th: BallisticThreat) -> list[ev.Event]:
        if th.threat_id in self.fire.destroyed:
            return []
        sol = th.solution
        return [ev.ThreatBurnout(t_s=t, visible_to=self._controller, threat_id=th.threat_id,
                                 lat_deg=sol.burnout_lat_deg, lon_deg=sol.burnout_lon_deg,
                                 alt_m=sol.burnout_alt_m, speed_mps=sol.burnout_speed_mps,
                                 flight_path_angle_deg=sol.flight_path_angle_deg)]

    def _apogee(self, t: float, th: BallisticThreat) -> list[ev.Event]:
        if th.threat_id in self.fire.destroyed:
            return []
        sol = th.solution
        return [ev.ThreatApogee(t_s=t, visible_to=self._controller, threat_id=th.threat_id,
                                lat_deg=sol.apogee_lat_deg, lon_deg=sol.apogee_lon_deg, alt_m=sol.apogee_m)]

    def _ballistic_impact(self, t: float, th: BallisticThreat) -> list[ev.Event]:
        if th.threat_id in self.fire.destroyed:
            return []
        sol = th.solution
        miss = float(great_circle_distance_m(sol.impact_lat_deg, sol.impact_lon_deg, th.aim_lat_deg,
                                             th.aim_lon_deg))
        return self._impact(t, th.threat_id, sol.impact_lat_deg, sol.impact_lon_deg, miss)

    def _route_launched(self, t: float, th: RouteThreat) -> list[ev.Event]:
        return [ev.ThreatLaunched(t_s=t, visible_to=self._controller, threat_id=th.threat_id,
                                  threat_type=th.threat_type, threat_class=th.threat_class, actor=th.actor,
                                  msel_id=th.msel_id, origin_lat_deg=float(th.flight.lat_deg[0]),
                                  origin_lon_deg=float(th.flight.lon_deg[0]), aim_lat_deg=th.end_lat_deg,
                                  aim_lon_deg=th.end_lon_deg, target=th.target, profile=None)]

    def _route_end(self, t: float, th: RouteThreat) -> list[ev.Event]:
        if th.threat_id in self.fire.destroyed:
            return []
        if th.threat_class == "aircraft":
            return [ev.RouteCompleted(t_s=t, visible_to=self._controller, threat_id=th.threat_id,
                                      lat_deg=th.end_lat_deg, lon_deg=th.end_lon_deg)]
        return self._impact(t, th.threat_id, th.end_lat_deg, th.end_lon_deg, 0.0)

    def _impact(self, t: float, threat_id: str, lat: float, lon: float, miss_m: float) -> list[ev.Event]:
        hits = assets_within(self.scenario, lat, lon)
        out: list[ev.Event] = [ev.ThreatImpact(t_s=t, visible_to=ev.visibility(*(a.owner for a, _ in hits)),
                                               threat_id=threat_id, lat_deg=lat, lon_deg=lon,
                                               miss_distance_m=miss_m, assets_hit=tuple(a.id for a, _ in hits))]
        for asset, distance in hits:
            first = asset.id not in self.assets_lost
            if first:
                self.assets_lost[asset.id] = threat_id
            out.append(ev.AssetDamaged(t_s=t, visible_to=ev.visibility(asset.owner), asset_id=asset.id,
                                       owner=asset.owner, threat_id=threat_id, distance_m=distance,
                                       value_lost=float(asset.value) if first else 0.0))
        return out
