"""Command orders and engagement execution: validation by authority, weapons control, ROE, comms and
kinematics; launches, intercepts, kill assessment.

Every order a command role gives — from an automated commander or a human seat — comes here through the
engine's one order path, and one that breaks a rule raises `OrderRejected` with the reason (the engine turns
that into an `order_refused` event). Outcomes use truth (DESIGN.md §1.5): an interceptor flies to the predicted
intercept point updated from its nation's latest track; the true target's miss from that aim point, across the
line of flight, must be within the interceptor's divert for the endgame to kill with the type's single-shot Pk
(so the kill probability averaged over the track error is `kill.divert_adjusted_pk`). The kill assessment
follows `kill_assessment_delay_s` after the last intercept of an engagement and is wrong with the doctrine's
error probability; a threat assessed as surviving is planned again (shoot-look-shoot).
"""

from __future__ import annotations

import numpy as np

from amdx.c2.envelope import window_bounds
from amdx.c2.fire_planning import refine_intercept, track_predictor
from amdx.c2.identification import IDENTITIES, WEAPONS_CONTROL, weapons_control_allows
from amdx.c2.intercept import Predictor
from amdx.engine import events as ev
from amdx.engine.battle import PATH_HORIZON_S, BattleManager, path_end
from amdx.engine.battle_state import LAUNCH_SPACING_S, BatteryState, Engagement, TrackView
from amdx.engine.orders import (
    MSEL,
    WHITE_CELL,
    AssignRole,
    CommsCut,
    DenyEngagement,
    Engage,
    Identify,
    Order,
    RequestSupport,
    SetWeaponsControl,
)
from amdx.engine.threats import OrderRejected
from amdx.engine.truth import TruthRegistry
from amdx.geo import ecef_to_geodetic

CONTROL_SOURCES = (MSEL, WHITE_CELL)
FIRE_STEP_S = 1.0
"""Sampling step of the predicted path when a fire order is executed, s."""


_HANDLERS: dict[type, str] = {CommsCut: "_comms_cut", SetWeaponsControl: "_set_wcs", Identify: "_identify",
                              DenyEngagement: "_deny", RequestSupport: "_request", AssignRole: "_assign"}
"""The method that carries out each kind of command order but `Engage` (one table, not one per order)."""


class FireControl:
    """Executes command orders and engagements on a `BattleManager`'s state."""

    def __init__(self, battle: BattleManager, truth: TruthRegistry) -> None:
        self.battle = battle
        self.truth = truth
        self.engagements: dict[str, Engagement] = {}
        self.destroyed: dict[str, str] = {}  # threat id -> engagement id
        self._next_engagement = 1
        self._paths: dict[str, tuple[float, dict[str, tuple[TrackView, Predictor]]]] = {}
        """Per nation: the picture time and the track views asked for since that picture, with their paths."""

    def handles(self, order: Order) -> bool:
        return isinstance(order, CommsCut | SetWeaponsControl | Identify | Engage | DenyEngagement | RequestSupport
                          | AssignRole)

    def execute(self, now: float, order: Order) -> tuple[str, list[ev.Event]]:
        """Carry out a command order: (summary, events); raises OrderRejected with the reason."""
        if isinstance(order, Engage):
            try:
                return self._engage(now, order)
            except OrderRejected:
                self._close_proposal(order.proposal_id, "refused")
                raise
        return getattr(self, _HANDLERS[type(order)])(now, order)  # type: ignore[no-any-return]

    # --- helpers -------------------------------------------------------------------------------------------
    def _nation(self, nation: str) -> None:
        if nation not in self.battle.nations:
            raise OrderRejected(f"unknown nation {nation!r}; expected one of {', '.join(self.battle.nations)}")

    def _track(self, nation: str, track_id: str) -> TrackView:
        view = self.battle.tracks[nation].get(track_id)
        if view is None:
            raise OrderRejected(f"{nation} holds no track {track_id!r} in its current picture")
        return view

    def _close_proposal(self, proposal_id: str | None, status: str) -> None:
        proposal = self.battle.proposals.get(proposal_id or "")
        if proposal is None or proposal.status != "pending":
            return
        proposal.status = status
        key = (proposal.nation, proposal.track_id)
        if self.battle.busy.get(key) == proposal.proposal_id:
            del self.battle.busy[key]

    # --- command orders ------------------------------------------------------------------------------------
    def _comms_cut(self, now: float, order: CommsCut) -> tuple[str, list[ev.Event]]:
        a, b = order.between
        for node in (a, b):
            if not self.battle.comms.knows(node):
                raise OrderRejected(f"unknown command node {node!r}")
        if not order.duration_s > 0:
            raise OrderRejected(f"a comms cut needs a positive duration, found {order.duration_s}")
        end = now + order.duration_s
        self.battle.comms.cut(a, b, now, end)
        seen = ev.visibility(*self._owners(a, b))
        self.battle.schedule(end, lambda t: [ev.CommsStatus(t_s=t, visible_to=seen, between=(a, b),
                                                             status="restored")])
        return f"comms {a} <-> {b} cut for {order.duration_s:g} s", [
            ev.CommsStatus(t_s=now, visible_to=seen, between=(a, b), status="cut")]

    def _owners(self, *nodes: str) -> list[str]:
        owners = []
        for node in nodes:
            if node in self.battle.node_nation:
                owners.append(self.battle.node_nation[node])
            elif self.battle.cell is not None and node == self.battle.cell.id:
                owners.extend(self.battle.cell.members)
        return owners

    def _assign(self, now: float, order: AssignRole) -> tuple[str, list[ev.Event]]:
        if order.role not in self.battle.node_nation:
            raise OrderRejected(f"unknown command role {order.role!r} (a command node or battery id)")
        nation = self.battle.node_nation[order.role]
        if order.human:
            self.battle.human_roles.add(order.role)
        else:
            self.battle.human_roles.discard(order.role)
        holder = "human" if order.human else "automated"
        return f"{order.role} {holder}", [ev.RoleAssigned(t_s=now, visible_to=ev.visibility(nation), role=order.role,
                                                          holder=holder, source=order.source)]

    def _set_wcs(self, now: float, order: SetWeaponsControl) -> tuple[str, list[ev.Event]]:
        self._nation(order.nation)
        if order.status not in WEAPONS_CONTROL:
            raise OrderRejected(f"weapons control status must be one of {', '.join(WEAPONS_CONTROL)}, "
                                f"found {order.status!r}")
        if order.source not in (*CONTROL_SOURCES, self.battle.top_node[order.nation]):
            raise OrderRejected(f"{order.source} may not set {order.nation}'s weapons control status "
                                f"(the national command node {self.battle.top_node[order.nation]} may)")
        if order.battery_id is None:
            previous = self.battle.wcs[order.nation]
            self.battle.wcs[order.nation] = order.status
        else:
            battery = self.battle.battery.get(order.battery_id)
            if battery is None or battery.nation != order.nation:
                raise OrderRejected(f"{order.nation} has no battery {order.battery_id!r}")
            previous = self.battle.battery_wcs(battery)
            battery.wcs_override = order.status
        what = order.battery_id or order.nation
        return f"{what} weapons {order.status}", [ev.WeaponsControlChanged(
            t_s=now, visible_to=ev.visibility(order.nation), nation=order.nation, battery_id=order.battery_id,
            status=order.status, previous=previous, source=order.source)]

    def _identify(self, now: float, order: Identify) -> tuple[str, list[ev.Event]]:
        self._nation(order.nation)
        key = (order.nation, order.track_id)
        self.battle.id_due.discard(key)
        if order.identity not in IDENTITIES:
            raise OrderRejected(f"identity must be one of {', '.join(IDENTITIES)}, found {order.identity!r}")
        automatic = order.source == self.battle.id_node[order.nation]
        tracks = self.battle.tracks[order.nation]
        if order.track_id not in tracks.row:  # the table's membership, without its method call
            if automatic:
                return "", []  # the track is gone before the identification was made: nothing to do
            self._track(order.nation, order.track_id)  # raises: no such track
        if automatic and key in self.battle.manual_id:
            raise OrderRejected(f"{order.track_id} was identified by hand; the automated rule does not override it")
        if not automatic:
            self.battle.manual_id.add(key)
        previous = self.battle.identity[order.nation].get(order.track_id, "pending")
        self.battle.identity[order.nation][order.track_id] = order.identity
        basis = order.basis or ("automatic rule of the ROE" if automatic else "by hand")
        out: list[ev.Event] = [ev.TrackIdentified(t_s=now, visible_to=ev.visibility(order.nation),
                                                  nation=order.nation, track_id=order.track_id,
                                                  identity=order.identity, previous=previous, source=order.source,
                                                  basis=basis)]
        if order.identity == "hostile":
            label = tracks.fused.label[tracks.row[order.track_id]]  # the view's label, without making the view
            out.extend(self.battle.mark(now, label, order.nation, "identified_hostile", order.track_id, basis,
                                        once=True))
        return f"{order.track_id} {order.identity}", out

    def _request(self, now: float, order: RequestSupport) -> tuple[str, list[ev.Event]]:
        self._nation(order.nation)
        self._nation(order.to_nation)
        if order.to_nation == order.nation:
            raise OrderRejected("a nation cannot request support from itself")
        self._track(order.nation, order.track_id)
        src, dst = self.battle.top_node[order.nation], self.battle.top_node[order.to_nation]
        arrives, why = self.battle.comms.delivery(src, dst, now)
        if arrives is None:
            raise OrderRejected(f"the request cannot reach {order.to_nation}: {why}")
        self.battle.requests.setdefault((order.nation, order.track_id), set()).add(order.to_nation)
        return f"{order.nation} asks {order.to_nation} to engage {order.track_id}", [ev.SupportRequested(
            t_s=arrives, visible_to=ev.visibility(order.nation, order.to_nation), nation=order.nation,
            to_nation=order.to_nation, track_id=order.track_id, source=order.source)]

    def _deny(self, now: float, order: DenyEngagement) -> tuple[str, list[ev.Event]]:
        proposal = self.battle.proposals.get(order.proposal_id)
        if proposal is None or proposal.nation != order.nation:
            raise OrderRejected(f"{order.nation} has no proposal {order.proposal_id!r}")
        if proposal.status != "pending":
            raise OrderRejected(f"proposal {order.proposal_id} is already {proposal.status}")
        if order.source != proposal.decider:
            raise OrderRejected(f"{order.source} has no engagement authority over {proposal.battery_id}; "
                                f"{proposal.decider} decides")
        self._close_proposal(order.proposal_id, "denied")
        waited = now - (proposal.arrives_t_s if proposal.arrives_t_s is not None else now)
        out: list[ev.Event] = [ev.EngagementDecided(
            t_s=now, visible_to=ev.visibility(order.nation), proposal_id=proposal.proposal_id, nation=order.nation,
            decider=proposal.decider, decision="deny", reason=order.reason, decision_time_s=waited)]
        out.extend(self.battle.mark(now, proposal.label, order.nation, "decided", proposal.proposal_id, "deny"))
        return f"{proposal.proposal_id} denied", out

    # --- engagements ---------------------------------------------------------------------------------------
    def _engage(self, now: float, order: Engage) -> tuple[str, list[ev.Event]]:
        battle = self.battle
        self._nation(order.nation)
        b = battle.battery.get(order.battery_id)
        if b is None or b.nation != order.nation:
            raise OrderRejected(f"{order.nation} has no battery {order.battery_id!r}")
        decider = battle.decider_of(b)
        if order.source != decider:
            raise OrderRejected(f"{order.source} has no engagement authority over {b.id}: authority is "
                                f"{b.authority}, so {decider} decides")
        proposal = battle.proposals.get(order.proposal_id) if order.proposal_id else None
        if order.proposal_id and (proposal is None or proposal.status != "pending" or
                                  proposal.battery_id != b.id or proposal.track_id != order.track_id):
            raise OrderRejected(f"proposal {order.proposal_id} is not pending for {b.id} on {order.track_id}")
        if order.shots < 1:
            raise OrderRejected(f"shots must be at least 1, found {order.shots}")
        arrives, why = battle.comms.delivery(order.source, b.id, now)
        if arrives is None:
            raise OrderRejected(f"the fire order cannot reach {b.id}: {why}")
        view = battle.tracks[order.nation].get(order.track_id)
        if view is None and proposal is not None and proposal.last_x is not None:  # renumbered since proposed
            view = self.battle.successor(order.nation, proposal.last_x, proposal.last_t_s, proposal.ballistic)
        if view is None:
            view = self._track(order.nation, order.track_id)  # raises: no such track
        identity = battle.identity[order.nation].get(view.track_id, "pending")
        ok, why = weapons_control_allows(battle.battery_wcs(b), identity)
        if not ok:
            raise OrderRejected(f"{b.id}: {why}")
        self._check_roe(b, view)
        if b.rounds == 0:
            raise OrderRejected(f"{b.id} has no interceptors left")
        t_launch, t_int, _pip = self._solution(b, view, arrives)
        engagement_id = order.proposal_id or f"E{self._next_engagement:05d}"
        self._next_engagement += 1
        shots = b.take(order.shots)
        for launcher in b.to_reload():
            battle.schedule(now + float(b.itype.reload_s), lambda t, b_=b, k=launcher: self._reloaded(t, b_, k))
        eng = Engagement(engagement_id, b.nation, b.id, view.track_id, view.label, shots,
                         proposal.requested_by if proposal else None, float(b.itype.single_shot_pk),
                         planned_intercept_t_s=t_int, last_x=view.x.copy(),
                         last_t_s=battle.picture_t_s[view.nation], ballistic=view.classification == "ballistic")
        self.engagements[engagement_id] = eng
        battle.holders[engagement_id] = eng
        if proposal is not None and proposal.track_id != view.track_id:
            battle.busy.pop((b.nation, proposal.track_id), None)
        battle.busy[(b.nation, view.track_id)] = engagement_id
        out: list[ev.Event] = []
        if proposal is not None:
            proposal.status = "approved"
            waited = now - (proposal.arrives_t_s if proposal.arrives_t_s is not None else now)
            out.append(ev.EngagementDecided(t_s=now, visible_to=ev.visibility(b.nation),
                                            proposal_id=proposal.proposal_id, nation=b.nation, decider=decider,
                                            decision="approve", reason=order.reason, decision_time_s=waited))
        out.extend(battle.mark(now, view.label, b.nation, "decided", engagement_id, "approve"))
        for k in range(shots):
            tk = t_launch + k * LAUNCH_SPACING_S
            battle.schedule(tk, lambda t, e=eng, s=k, b_=b: self._launch(t, e, s, b_))
        return f"{b.id} engages {view.track_id} with {shots} (launch {t_launch:.1f} s, intercept {t_int:.1f} s)", out

    def _reloaded(self, t: float, b: BatteryState, launcher: int) -> list[ev.Event]:
        n = b.reload(launcher)
        return [ev.LauncherReloaded(t_s=t, visible_to=ev.visibility(b.nation), nation=b.nation, battery_id=b.id,
                                    launcher=launcher + 1, rounds=n, reserve=b.reserve)]

    def _check_roe(self, b: BatteryState, view: TrackView) -> None:
        track_class = "ballistic" if view.classification == "ballistic" else "air_breathing"
        roe = self.battle.doctrine[b.nation].roe
        if track_class not in roe.engage:
            raise OrderRejected(f"ROE of {b.nation}: {track_class.replace('_', '-')} tracks may not be engaged")
        engages = set(b.itype.engages)
        if (track_class == "ballistic" and "ballistic" not in engages) or \
                (track_class == "air_breathing" and not engages & {"cruise", "aircraft", "drone"}):
            raise OrderRejected(f"{b.id} ({b.itype.id}) cannot engage {track_class.replace('_', '-')} tracks")

    def _solution(self, b: BatteryState, view: TrackView, ready_s: float) -> tuple[float, float, np.ndarray]:
        """Launch time, intercept time and PIP of the earliest intercept for a fire order reaching the battery
        at `ready_s`; raises OrderRejected when there is none."""
        predict = self._predictor(view)
        times = ready_s + FIRE_STEP_S * np.arange(int(PATH_HORIZON_S / FIRE_STEP_S) + 1)
        pos, _ = predict(times[None, :])
        end = path_end(pos[0])
        win = window_bounds(b.site_ecef_m, times[:end], pos[0, :end], b.envelope, ready_s)
        if not bool(win.has_window):
            raise OrderRejected(f"{b.id} has no launch window on {view.track_id}: outside its envelope or too late")
        t_launch = float(win.earliest_launch_s)
        sol = refine_intercept(b.site_ecef_m[None, :], predict, b.envelope.speed_mps, t_launch,
                               float(win.earliest_intercept_s))
        if bool(sol.feasible[0]):
            return t_launch, float(sol.t_s[0]), sol.pip_m[0]
        return t_launch, float(win.earliest_intercept_s), np.asarray(win.earliest_pip_m)

    def _predictor(self, view: TrackView) -> Predictor:
        """The predicted path of one track of its nation's latest picture (Kepler or constant velocity); made
        once per track view, as the shots of a salvo and their aim points all ask for it."""
        t = self.battle.picture_t_s[view.nation]
        memo_t, paths = self._paths.get(view.nation, (None, {}))
        if memo_t != t:
            paths = {}
            self._paths[view.nation] = (t, paths)
        seen = paths.get(view.track_id)
        if seen is None or seen[0] is not view:  # the same view object: the same state and time
            seen = paths[view.track_id] = (view, track_predictor(view.x[None, :], t,
                                                                 [view.classification == "ballistic"]))
        return seen[1]

    def _aim(self, eng: Engagement, b: BatteryState, t_launch: float) -> tuple[float, np.ndarray] | None:
        """Intercept time and aim point of a launch at `t_launch` from the nation's latest track."""
        view = self.battle.follow(eng.engagement_id, eng)
        if view is None:
            return None
        predict = self._predictor(view)
        guess = max(eng.planned_intercept_t_s + (t_launch - eng.launches[0] if eng.launches else 0.0),
                    t_launch + 1.0)
        sol = refine_intercept(b.site_ecef_m[None, :], predict, b.envelope.speed_mps, t_launch, guess)
        if not bool(sol.feasible[0]):
            return None
        return float(sol.t_s[0]), sol.pip_m[0]

    def _launch(self, t: float, eng: Engagement, shot: int, b: BatteryState) -> list[ev.Event]:
        aim = self._aim(eng, b, t)
        if aim is None:  # the track is gone or out of reach: the round is not fired, the engagement shrinks
            eng.shots -= 1
            b.give_back(1)
            reason = "track lost" if self.battle.follow(eng.engagement_id, eng) is None else "no intercept solution"
            return [ev.EngagementAborted(t_s=t, visible_to=ev.visibility(eng.nation), engagement_id=eng.engagement_id,
                                         nation=eng.nation, battery_id=b.id, track_id=eng.track_id, reason=reason),
                    *self._maybe_assess(t, eng, b)]
        t_int, pip = aim
        lat, lon, alt = ecef_to_geodetic(pip)
        eng.launches.append(t)
        out: list[ev.Event] = [ev.InterceptorLaunched(
            t_s=t, visible_to=ev.visibility(eng.nation), engagement_id=eng.engagement_id, shot=shot + 1,
            nation=eng.nation, battery_id=b.id, track_id=eng.track_id, planned_intercept_t_s=t_int,
            pip_lat_deg=float(lat), pip_lon_deg=float(lon), pip_alt_m=float(alt), rounds_left=b.rounds)]
        out.extend(self.battle.mark(t, eng.label, eng.nation, "interceptor_launch", eng.engagement_id,
                                    f"{b.id} shot {shot + 1}"))
        self.battle.schedule(t_int, lambda tt, p=pip: self._intercept(tt, eng, shot, b, p))
        return out

    def _intercept(self, t: float, eng: Engagement, shot: int, b: BatteryState, pip: np.ndarray) -> list[ev.Event]:
        rng = self.battle.rngs.stream(f"battery/{b.id}")
        draw = float(rng.random())
        label, killed, p, miss = eng.label, False, 0.0, None
        true_pos = None if label is None or label in self.destroyed else self.truth.position(label, t)
        if true_pos is not None:
            updated = self._aim_at(eng, t)
            aim = pip if updated is None else updated  # without an update the interceptor flies to its PIP
            miss = crossrange_miss_m(true_pos, aim, b.site_ecef_m)
            p = eng.single_shot_pk if miss <= float(b.itype.divert_m) else 0.0
            killed = draw < p
        out: list[ev.Event] = [ev.InterceptResolved(t_s=t, visible_to=ev.visibility(),
                                                    engagement_id=eng.engagement_id, shot=shot + 1,
                                                    threat_id=label, killed=killed, kill_probability=p, miss_m=miss)]
        out.extend(self.battle.mark(t, label, eng.nation, "intercept", eng.engagement_id,
                                    "killed" if killed else "missed"))
        if killed and label is not None:
            eng.killed = True
            self.destroyed[label] = eng.engagement_id
            self.truth.end(label, t)
            out.append(ev.ThreatDestroyed(t_s=t, visible_to=ev.visibility(), threat_id=label,
                                          engagement_id=eng.engagement_id, nation=eng.nation, battery_id=b.id))
        eng.resolved += 1
        out.extend(self._maybe_assess(t, eng, b))
        return out

    def _aim_at(self, eng: Engagement, t: float) -> np.ndarray | None:
        """Where the interceptor aims at time `t`: the nation's latest track of the target, predicted to `t`."""
        view = self.battle.follow(eng.engagement_id, eng)
        if view is None:
            return None
        pos, _ = self._predictor(view)(np.array([t]))
        return None if not np.all(np.isfinite(pos[0])) else pos[0]

    def _maybe_assess(self, t: float, eng: Engagement, b: BatteryState) -> list[ev.Event]:
        if eng.resolved < eng.shots or eng.status != "active":
            return []
        if eng.shots == 0:  # nothing was fired (the track was lost before launch): the threat is free again
            eng.status = "aborted"
            key = (eng.nation, eng.track_id)
            if self.battle.busy.get(key) == eng.engagement_id:
                del self.battle.busy[key]
            return []
        eng.status = "assessing"
        delay = self.battle.doctrine[eng.nation].kill_assessment_delay_s
        self.battle.schedule(t + delay, lambda tt: self._assess(tt, eng, b))
        return []

    def _assess(self, t: float, eng: Engagement, b: BatteryState) -> list[ev.Event]:
        doctrine = self.battle.doctrine[eng.nation]
        dead = eng.killed or (eng.label is not None and eng.label in self.destroyed)
        wrong = float(self.battle.rngs.stream(f"battery/{b.id}/assessment").random()) < \
            doctrine.kill_assessment_error_probability
        assessed_dead = dead != wrong
        eng.status = "assessed"
        key = (eng.nation, eng.track_id)
        if self.battle.busy.get(key) == eng.engagement_id:
            del self.battle.busy[key]
        if assessed_dead:  # the threat is dead for the coalition: every nation's track of it
            self.battle.dead.update(self.battle.threat_of(key))
        verdict = "killed" if assessed_dead else "survived"
        out: list[ev.Event] = [ev.KillAssessed(t_s=t, visible_to=ev.visibility(eng.nation),
                                               engagement_id=eng.engagement_id, nation=eng.nation,
                                               battery_id=b.id, track_id=eng.track_id, assessment=verdict)]
        out.extend(self.battle.mark(t, eng.label, eng.nation, "kill_assessment", eng.engagement_id, verdict))
        return out


def crossrange_miss_m(target_m: np.ndarray, aim_m: np.ndarray, site_m: np.ndarray) -> float:
    """Miss of the true target from the aim point across the interceptor's line of flight (site → aim), m:
    the error its divert has to take out."""
    u = aim_m - site_m
    u = u / np.linalg.norm(u)
    d = target_m - aim_m
    return float(np.linalg.norm(d - np.dot(d, u) * u))
