"""Orders: time-stamped instructions into the engine, from the MSEL, the white cell or a command seat.

Humans and automated commanders give the same orders. An order is a frozen value with a canonical `record()`
so the journal can store it before it is acknowledged and replay can rebuild it with `order_from_record`.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, ClassVar

WHITE_CELL = "white"
MSEL = "msel"


def _plain(value: Any) -> Any:
    return [_plain(v) for v in value] if isinstance(value, tuple | list) else value


@dataclass(frozen=True, kw_only=True)
class Order:
    """Base of all orders: `t_s` is when it takes effect (seconds since scenario start)."""

    kind: ClassVar[str] = "order"
    t_s: float
    source: str

    def record(self) -> dict[str, Any]:
        """The canonical, JSON-ready form (tuples become lists) that the journal stores."""
        return {"kind": self.kind, **{f.name: _plain(getattr(self, f.name)) for f in fields(self)}}


@dataclass(frozen=True, kw_only=True)
class LaunchBallistic(Order):
    """Launch `count` ballistic missiles of a catalog type, `interval_s` apart, at a point or an asset."""

    kind: ClassVar[str] = "launch_ballistic"
    threat_id: str
    threat_type: str
    actor: str
    origin_lat_deg: float
    origin_lon_deg: float
    aim_lat_deg: float | None = None
    aim_lon_deg: float | None = None
    target: str | None = None
    profile: str | None = None
    apogee_m: float | None = None
    count: int = 1
    interval_s: float = 0.0


@dataclass(frozen=True, kw_only=True)
class LaunchRoute(Order):
    """Start `count` air-breathing threats on a waypoint route; waypoints are (lat_deg, lon_deg, alt_m, speed_mps)."""

    kind: ClassVar[str] = "launch_route"
    threat_id: str
    threat_type: str
    actor: str
    waypoints: tuple[tuple[float, float, float, float | None], ...]
    target: str | None = None
    count: int = 1
    interval_s: float = 0.0


@dataclass(frozen=True, kw_only=True)
class Inject(Order):
    """A scripted inject whose effect later capabilities model (sensor outage, comms cut) or a plain note."""

    kind: ClassVar[str] = "inject"
    msel_id: str
    inject: str
    detail: str


@dataclass(frozen=True, kw_only=True)
class SensorOutage(Order):
    """Put a sensor out of action for `duration_s` from the order's time."""

    kind: ClassVar[str] = "sensor_outage"
    msel_id: str
    sensor_id: str
    duration_s: float


@dataclass(frozen=True, kw_only=True)
class CommsCut(Order):
    """Cut the comms between two command nodes (or a node and the coordination cell) for `duration_s`."""

    kind: ClassVar[str] = "comms_cut"
    msel_id: str
    between: tuple[str, str]
    duration_s: float


@dataclass(frozen=True, kw_only=True)
class SetWeaponsControl(Order):
    """Set the weapons control status (free, tight, hold) of a nation, or of one of its batteries."""

    kind: ClassVar[str] = "set_weapons_control"
    nation: str
    status: str
    battery_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class Identify(Order):
    """Set the identity of a track of a nation's picture (pending, unknown, assumed_friend, friend, suspect,
    hostile)."""

    kind: ClassVar[str] = "identify"
    nation: str
    track_id: str
    identity: str
    basis: str = ""


@dataclass(frozen=True, kw_only=True)
class Engage(Order):
    """Order a battery to engage a track of its nation's picture with `shots` interceptors (an approval when it
    answers a proposal). `source` is the ordering command node or battery (or a seat acting for it)."""

    kind: ClassVar[str] = "engage"
    nation: str
    battery_id: str
    track_id: str
    shots: int = 1
    proposal_id: str | None = None
    reason: str = ""


@dataclass(frozen=True, kw_only=True)
class DenyEngagement(Order):
    """Deny a proposed engagement."""

    kind: ClassVar[str] = "deny_engagement"
    nation: str
    proposal_id: str
    reason: str = ""


@dataclass(frozen=True, kw_only=True)
class RequestSupport(Order):
    """Ask a partner nation to engage a threat (a track of the requesting nation's picture)."""

    kind: ClassVar[str] = "request_support"
    nation: str
    to_nation: str
    track_id: str


@dataclass(frozen=True, kw_only=True)
class AssignRole(Order):
    """A command role (a command node or battery id) is taken over by a human seat (`human` true) or handed
    back to its automated commander."""

    kind: ClassVar[str] = "assign_role"
    role: str
    human: bool


ORDER_TYPES: dict[str, type[Order]] = {
    cls.kind: cls
    for cls in (LaunchBallistic, LaunchRoute, Inject, SensorOutage, CommsCut, SetWeaponsControl, Identify, Engage,
                DenyEngagement, RequestSupport, AssignRole)
}


def order_from_record(record: dict[str, Any]) -> Order:
    """Rebuild an order from its journal record; raises ValueError for an unknown kind or bad fields."""
    data = dict(record)
    kind = data.pop("kind", None)
    cls = ORDER_TYPES.get(str(kind))
    if cls is None:
        raise ValueError(f"unknown order kind {kind!r}; expected one of {sorted(ORDER_TYPES)}")
    if "waypoints" in data:
        data["waypoints"] = tuple(tuple(w) for w in data["waypoints"])
    if "between" in data:
        data["between"] = tuple(data["between"])
    try:
        return cls(**data)
    except TypeError as exc:
        raise ValueError(f"bad fields for order {kind!r}: {exc}") from None
