"""Turn a scenario's MSEL (master scenario events list) into engine orders.

Scripted events go through the same order path as the white cell's ad hoc injects, so a live exercise and a
headless run treat them alike.
"""

from __future__ import annotations

from typing import Any

from amdx.engine.orders import (
    MSEL,
    CommsCut,
    Inject,
    LaunchBallistic,
    LaunchRoute,
    Order,
    SensorOutage,
    SetWeaponsControl,
)


def msel_orders(scenario: Any) -> list[Order]:
    """The MSEL as orders, in file order (the scheduler orders them in time, stably)."""
    orders: list[Order] = []
    for index, item in enumerate(scenario.msel):
        msel_id = getattr(item, "id", None) or f"msel{index + 1}"
        kind = item.kind
        if kind == "launch":
            aim = item.aim
            orders.append(
                LaunchBallistic(
                    t_s=float(item.t_s),
                    source=MSEL,
                    threat_id=msel_id,
                    threat_type=item.threat,
                    actor=item.actor,
                    origin_lat_deg=float(item.origin.lat_deg),
                    origin_lon_deg=float(item.origin.lon_deg),
                    aim_lat_deg=None if aim is None else float(aim.lat_deg),
                    aim_lon_deg=None if aim is None else float(aim.lon_deg),
                    target=item.target,
                    profile=item.profile,
                    apogee_m=None if item.apogee_km is None else float(item.apogee_km) * 1000.0,
                    count=int(item.count),
                    interval_s=float(item.interval_s),
                )
            )
        elif kind == "route":
            orders.append(
                LaunchRoute(
                    t_s=float(item.t_s),
                    source=MSEL,
                    threat_id=msel_id,
                    threat_type=item.threat,
                    actor=item.actor,
                    waypoints=tuple(
                        (float(w.lat_deg), float(w.lon_deg), float(w.alt_m),
                         None if w.speed_mps is None else float(w.speed_mps))
                        for w in item.waypoints
                    ),
                    target=item.target,
                    count=int(item.count),
                    interval_s=float(item.interval_s),
                )
            )
        elif kind == "sensor_outage":
            orders.append(SensorOutage(t_s=float(item.t_s), source=MSEL, msel_id=msel_id, sensor_id=item.sensor,
                                       duration_s=float(item.duration_s)))
        elif kind == "comms_cut":
            a, b = item.between
            orders.append(CommsCut(t_s=float(item.t_s), source=MSEL, msel_id=msel_id, between=(str(a), str(b)),
                                   duration_s=float(item.duration_s)))
        elif kind == "weapons_control":
            orders.append(SetWeaponsControl(t_s=float(item.t_s), source=MSEL, nation=item.nation,
                                            status=item.status, battery_id=item.battery))
        else:
            orders.append(
                Inject(t_s=float(item.t_s), source=MSEL, msel_id=msel_id, inject=kind, detail=_detail(item))
            )
    return orders


def _detail(item: Any) -> str:
    if item.kind == "note":
        return str(item.text)
    return item.kind
