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


ORDER_TYPES: dict[str, type[Order]] = {
    cls.kind: cls for cls in (LaunchBallistic, LaunchRoute, Inject, SensorOutage)
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
    try:
        return cls(**data)
    except TypeError as exc:
        raise ValueError(f"bad fields for order {kind!r}: {exc}") from None
