"""Typed events: what happened, when, and who may see it.

Every event carries `visible_to`: the nation ids that may see it, plus `CONTROLLER` for the white cell (which sees
everything, ground truth included). Views filter on this field alone; nothing downstream re-derives it.
`record()` gives the canonical, JSON-ready form that the journal stores: floats are rounded to fixed
resolutions (1 µs, 1e-7 degree, 1 mm) so a journal is byte-identical run to run.
"""

from __future__ import annotations

import functools
from dataclasses import MISSING, dataclass, fields
from typing import Any, ClassVar

CONTROLLER = "controller"

_ROUND_DIGITS = {"_s": 6, "_deg": 7, "_m": 3, "_mps": 3}


def _canonical(name: str, value: Any) -> Any:
    if isinstance(value, float):
        for suffix, digits in _ROUND_DIGITS.items():
            if name.endswith(suffix):
                return round(value, digits) + 0.0  # + 0.0 folds -0.0 into 0.0
        return round(value, 9) + 0.0
    if isinstance(value, tuple | list):
        return [_canonical(name, v) for v in value]
    if isinstance(value, dict):
        return {str(k): _canonical(str(k), v) for k, v in value.items()}
    return value


@functools.lru_cache(maxsize=1024)
def visibility(*parties: str) -> tuple[str, ...]:
    """A sorted, de-duplicated visibility tuple that always includes the controller. Memoised: a run asks for a
    handful of party combinations tens of thousands of times, and the answer is an immutable tuple."""
    return tuple(sorted({CONTROLLER, *parties}))


@dataclass(frozen=True, kw_only=True)
class Event:
    """Base of all events. `t_s` is seconds since scenario start."""

    kind: ClassVar[str] = "event"
    t_s: float
    visible_to: tuple[str, ...]

    def payload(self) -> dict[str, Any]:
        """Event-specific fields (all but `t_s` and `visible_to`), canonicalised."""
        return {
            f.name: _canonical(f.name, getattr(self, f.name))
            for f in fields(self)
            if f.name not in ("t_s", "visible_to")
        }

    def record(self) -> dict[str, Any]:
        """The canonical journal record: kind, time, visibility and payload."""
        return {
            "kind": self.kind,
            "t_s": _canonical("t_s", self.t_s),
            "visible_to": list(self.visible_to),
            "data": self.payload(),
        }


@dataclass(frozen=True, kw_only=True)
class ExerciseStarted(Event):
    kind: ClassVar[str] = "exercise_started"
    name: str
    seed: int
    duration_s: float
    epoch: str


@dataclass(frozen=True, kw_only=True)
class ExerciseEnded(Event):
    kind: ClassVar[str] = "exercise_ended"


@dataclass(frozen=True, kw_only=True)
class ThreatLaunched(Event):
    """Ground truth of a launch (controller only until sensors report it)."""

    kind: ClassVar[str] = "threat_launched"
    threat_id: str
    threat_type: str
    threat_class: str
    actor: str
    msel_id: str
    origin_lat_deg: float
    origin_lon_deg: float
    aim_lat_deg: float
    aim_lon_deg: float
    target: str | None
    profile: str | None


@dataclass(frozen=True, kw_only=True)
class ThreatBurnout(Event):
    kind: ClassVar[str] = "threat_burnout"
    threat_id: str
    lat_deg: float
    lon_deg: float
    alt_m: float
    speed_mps: float
    flight_path_angle_deg: float


@dataclass(frozen=True, kw_only=True)
class ThreatApogee(Event):
    kind: ClassVar[str] = "threat_apogee"
    threat_id: str
    lat_deg: float
    lon_deg: float
    alt_m: float


@dataclass(frozen=True, kw_only=True)
class ThreatImpact(Event):
    """A threat reaches the ground (ballistic impact, or a cruise missile or drone at its route's end)."""

    kind: ClassVar[str] = "threat_impact"
    threat_id: str
    lat_deg: float
    lon_deg: float
    miss_distance_m: float
    assets_hit: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class RouteCompleted(Event):
    """An air-breathing threat that does not impact (an aircraft) reaches the end of its route."""

    kind: ClassVar[str] = "route_completed"
    threat_id: str
    lat_deg: float
    lon_deg: float


@dataclass(frozen=True, kw_only=True)
class AssetDamaged(Event):
    kind: ClassVar[str] = "asset_damaged"
    asset_id: str
    owner: str
    threat_id: str
    distance_m: float
    value_lost: float


@dataclass(frozen=True, kw_only=True)
class InjectLogged(Event):
    """An MSEL inject whose effect a later capability models (sensor outage, comms cut) or a note."""

    kind: ClassVar[str] = "inject_logged"
    msel_id: str
    inject: str
    detail: str


@dataclass(frozen=True, kw_only=True)
class OrderAccepted(Event):
    kind: ClassVar[str] = "order_accepted"
    order: str
    source: str
    summary: str


@dataclass(frozen=True, kw_only=True)
class OrderRefused(Event):
    kind: ClassVar[str] = "order_refused"
    order: str
    source: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class SensorStatus(Event):
    """A sensor goes out of action or comes back (scripted outage)."""

    kind: ClassVar[str] = "sensor_status"
    sensor_id: str
    owner: str
    status: str  # "out" or "back"


@dataclass(frozen=True, kw_only=True)
class LaunchWarning(Event):
    """A space-based launch warning delivered to a nation: estimated launch point and heading."""

    kind: ClassVar[str] = "launch_warning"
    nation: str
    sensor_id: str
    warning_id: str
    launch_t_s: float
    lat_deg: float
    lon_deg: float
    heading_deg: float
    position_sigma_m: float


@dataclass(frozen=True, kw_only=True)
class AirPicture(Event):
    """A nation's air picture at one time: every track it holds, own and received from partners.

    Each track is a mapping with: track_id, source ("own" or the releasing nation), classification,
    lat_deg, lon_deg, alt_m, ecef_m [x, y, z], vel_ecef_mps, speed_mps, pos_sigma_m, first_t_s, sensor
    (the reporting site, or null when not released) and, for ballistic tracks, impact (lat_deg, lon_deg,
    t_s, time_to_impact_s, semi_major_m, semi_minor_m, orientation_deg: the 95 % ellipse) or null.
    """

    kind: ClassVar[str] = "air_picture"
    nation: str
    tracks: tuple[dict, ...]


@dataclass(frozen=True, kw_only=True)
class FirstDetection(Event):
    """Evaluation marker (controller only): a nation's sensor detects a threat for the first time."""

    kind: ClassVar[str] = "first_detection"
    threat_id: str
    nation: str
    sensor_id: str


@dataclass(frozen=True, kw_only=True)
class FirstTrack(Event):
    """Evaluation marker (controller only): a nation's picture first holds a track on a threat, made by its own
    sensors (`source` "own") or received from a partner (`source` = that nation)."""

    kind: ClassVar[str] = "first_track"
    threat_id: str
    nation: str
    track_id: str
    source: str


@dataclass(frozen=True, kw_only=True)
class TruthSnapshot(Event):
    """Evaluation record (controller only), at each picture time: where every airborne threat truly is, and which
    threat each nation's picture tracks stem from (null for tracks born of false alarms)."""

    kind: ClassVar[str] = "truth_snapshot"
    threats: tuple[dict, ...]
    labels: dict


# --- command and control, and engagements ---------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class CommsStatus(Event):
    """The comms between two nodes are cut or restored."""

    kind: ClassVar[str] = "comms_status"
    between: tuple[str, str]
    status: str  # "cut" or "restored"


@dataclass(frozen=True, kw_only=True)
class RoleAssigned(Event):
    """A command role is taken over by a human seat (`holder` "human") or handed back ("automated")."""

    kind: ClassVar[str] = "role_assigned"
    role: str
    holder: str
    source: str


@dataclass(frozen=True, kw_only=True)
class WeaponsControlChanged(Event):
    """A nation's (battery_id null) or one battery's weapons control status changes."""

    kind: ClassVar[str] = "weapons_control_changed"
    nation: str
    battery_id: str | None
    status: str
    previous: str
    source: str


@dataclass(frozen=True, kw_only=True)
class TrackIdentified(Event):
    """A nation's identification of one of its tracks changes (pending, unknown, assumed_friend, friend,
    suspect, hostile); `source` is the identifying node or seat, `basis` why."""

    kind: ClassVar[str] = "track_identified"
    nation: str
    track_id: str
    identity: str
    previous: str
    source: str
    basis: str


@dataclass(frozen=True, kw_only=True)
class ThreatEvaluated(Event):
    """A nation's threat evaluation of a hostile track, when first made and whenever its verdict changes.

    `assets` lists {asset_id, owner, probability} for every defended asset the predicted impact (or the
    air-breathing track's closest approach) threatens; empty: the track threatens nothing (an accidental launch
    falling in open sea). `priority` ranks the nation's threatening tracks (1 first; 0 when it threatens nothing).
    """

    kind: ClassVar[str] = "threat_evaluated"
    nation: str
    track_id: str
    assets: tuple[dict, ...]
    value_at_risk: float
    time_to_impact_s: float | None
    priority: int


@dataclass(frozen=True, kw_only=True)
class SupportRequested(Event):
    """One nation asks a partner to engage a threat to its assets."""

    kind: ClassVar[str] = "support_requested"
    nation: str
    to_nation: str
    track_id: str
    source: str


@dataclass(frozen=True, kw_only=True)
class EngagementProposed(Event):
    """The fire-coordination plan proposes that a battery engage a track; `decider` (a command node, or the
    battery under delegated authority) must approve before `latest_launch_t_s`. `requested_by` is the nation
    whose asset the threat endangers when that is not the battery's nation (a cross-nation engagement)."""

    kind: ClassVar[str] = "engagement_proposed"
    proposal_id: str
    nation: str
    decider: str
    battery_id: str
    track_id: str
    shots: int
    kill_probability: float
    value_at_risk: float
    earliest_launch_t_s: float
    latest_launch_t_s: float
    requested_by: str | None
    planner: str


@dataclass(frozen=True, kw_only=True)
class EngagementDecided(Event):
    """An engagement authority approves or denies a proposal (`decision` "approve" or "deny")."""

    kind: ClassVar[str] = "engagement_decided"
    proposal_id: str
    nation: str
    decider: str
    decision: str
    reason: str
    decision_time_s: float


@dataclass(frozen=True, kw_only=True)
class InterceptorLaunched(Event):
    """A battery launches one interceptor of an engagement toward the predicted intercept point."""

    kind: ClassVar[str] = "interceptor_launched"
    engagement_id: str
    shot: int
    nation: str
    battery_id: str
    track_id: str
    planned_intercept_t_s: float
    pip_lat_deg: float
    pip_lon_deg: float
    pip_alt_m: float
    rounds_left: int


@dataclass(frozen=True, kw_only=True)
class EngagementAborted(Event):
    """An approved engagement's interceptor is not launched: the track was lost or left the envelope."""

    kind: ClassVar[str] = "engagement_aborted"
    engagement_id: str
    nation: str
    battery_id: str
    track_id: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class LauncherReloaded(Event):
    """A battery's empty launcher is reloaded from its magazine (`launcher` 1-based)."""

    kind: ClassVar[str] = "launcher_reloaded"
    nation: str
    battery_id: str
    launcher: int
    rounds: int
    reserve: int


@dataclass(frozen=True, kw_only=True)
class InterceptResolved(Event):
    """Ground truth of one interceptor's end (controller only): the threat it met (null: none, e.g. a false
    track), whether it killed it, its kill probability and the true miss of the aim point."""

    kind: ClassVar[str] = "intercept_resolved"
    engagement_id: str
    shot: int
    threat_id: str | None
    killed: bool
    kill_probability: float
    miss_m: float | None


@dataclass(frozen=True, kw_only=True)
class KillAssessed(Event):
    """A nation's kill assessment of an engagement (`assessment` "killed" or "survived")."""

    kind: ClassVar[str] = "kill_assessed"
    engagement_id: str
    nation: str
    battery_id: str
    track_id: str
    assessment: str


@dataclass(frozen=True, kw_only=True)
class ThreatDestroyed(Event):
    """Ground truth (controller only): a threat is destroyed by an interceptor."""

    kind: ClassVar[str] = "threat_destroyed"
    threat_id: str
    engagement_id: str
    nation: str
    battery_id: str


@dataclass(frozen=True, kw_only=True)
class ResponseMark(Event):
    """Evaluation marker (controller only): a step of a nation's response to a threat, for the swift-response
    timeline (`step`: identified_hostile, evaluated (the first verdict), evaluated_threat (the first verdict that
    a defended asset is endangered), proposed, decided, interceptor_launch, intercept, kill_assessment).
    `ref` names the engagement or proposal; `detail` the outcome."""

    kind: ClassVar[str] = "response_mark"
    threat_id: str
    nation: str
    step: str
    ref: str
    detail: str


# --- construction -----------------------------------------------------------------------------------------------
def _init_at_once(cls: type[Event]) -> None:
    """Give the event class `cls` an `__init__` that sets its instance's fields in one step, the whole instance
    dict at once, instead of the frozen dataclass's one `object.__setattr__` per field; the same keyword-only
    signature (no defaults: a missing or unknown field is a `TypeError`, as before) and the same instance dict (its
    fields in declaration order). Why: a run makes some 40,000 events (at 500 threats), and the per-field calls
    were most of their making: 3.4 against 1.3-1.6 us for an event of eight fields (CPython 3.11). Classes whose
    fields have defaults, or with a `__post_init__`, keep the dataclass's `__init__`."""
    names = [f.name for f in fields(cls)]
    if hasattr(cls, "__post_init__") or any(f.default is not MISSING or f.default_factory is not MISSING
                                            for f in fields(cls)):
        return
    if "__amdx_set" in names:  # the one global name of the generated code
        raise TypeError(f"{cls.__name__}: a field may not be named __amdx_set")
    source = (f"def __init__(self, *, {', '.join(names)}):\n"
              f"    __amdx_set(self, '__dict__', {{{', '.join(f'{n!r}: {n}' for n in names)}}})\n")
    namespace: dict[str, Any] = {}
    exec(source, {"__amdx_set": object.__setattr__}, namespace)  # the source is made of the class's field names
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__annotations__ = {**{f.name: f.type for f in fields(cls)}, "return": None}
    cls.__init__ = init  # type: ignore[method-assign]


def _event_classes(cls: type[Event]) -> list[type[Event]]:
    """`cls` and every class derived from it, at any depth."""
    return [cls, *(d for sub in cls.__subclasses__() for d in _event_classes(sub))]


for _cls in _event_classes(Event):
    _init_at_once(_cls)
