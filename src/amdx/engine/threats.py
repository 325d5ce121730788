"""Ground-truth threats: turn launch orders into flights, and find what an impact damages.

This is truth, not a picture: sensors and tracking (later capabilities) observe these flights; decisions never
read them directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

import numpy as np

from amdx.engine.orders import LaunchBallistic, LaunchRoute
from amdx.engine.rng import RngStreams
from amdx.flight.ballistic import BallisticSolution, BoostModel, UnreachableAim, solve_salvo
from amdx.flight.flights import BallisticFlights
from amdx.flight.route import RouteFlight
from amdx.geo import MEAN_EARTH_RADIUS_M, WGS84, destination_one, great_circle_distance_m

# A circular normal with this sigma has half its draws inside the CEP: CEP = sigma * sqrt(2 ln 2).
_CEP_TO_SIGMA = 1.0 / np.sqrt(2.0 * np.log(2.0))


class OrderRejected(ValueError):
    """A launch order that cannot be carried out; the message says why."""


@dataclass(frozen=True)
class BallisticThreat:
    threat_id: str
    threat_type: str
    actor: str
    msel_id: str
    target: str | None
    profile: str
    aim_lat_deg: float
    aim_lon_deg: float
    solution: BallisticSolution
    flights: BallisticFlights
    """The salvo's batch of flights (reentry drag included) that this round belongs to."""
    index: int
    """This round's row in `flights`."""

    @property
    def impact_t_s(self) -> float:
        """Impact time, reentry drag included (the solution's own impact time is the vacuum one)."""
        return float(self.flights.impact_t_s[self.index])


@dataclass(frozen=True)
class RouteThreat:
    threat_id: str
    threat_type: str
    threat_class: str
    actor: str
    msel_id: str
    target: str | None
    launch_t_s: float
    flight: RouteFlight

    @property
    def end_lat_deg(self) -> float:
        """Latitude of the route's last point (the target, when there is one), degrees."""
        return float(self.flight.lat_deg[-1])

    @property
    def end_lon_deg(self) -> float:
        """Longitude of the route's last point, degrees."""
        return float(self.flight.lon_deg[-1])


def round_ids(base_id: str, count: int) -> list[str]:
    """Threat ids of a salvo: the MSEL id itself for one round, `id.1`, `id.2`, … for several."""
    return [base_id] if count == 1 else [f"{base_id}.{i + 1}" for i in range(count)]


def _asset(scenario: Any, asset_id: str) -> Any:
    asset = scenario.asset(asset_id)
    if asset is None:
        raise OrderRejected(f"unknown target asset {asset_id!r}")
    return asset


def _threat_type(scenario: Any, type_id: str) -> Any:
    found = scenario.threat_type(type_id)
    if found is None:
        raise OrderRejected(f"unknown threat type {type_id!r}")
    return found


def plan_ballistic(scenario: Any, order: LaunchBallistic, rngs: RngStreams) -> list[BallisticThreat]:
    """Solve every round of a ballistic launch order; raises OrderRejected if any round cannot fly (naming the
    first such round). Each round's aim point is drawn from its own stream (`threat/<id>`), then the rounds are
    solved together (`solve_salvo`): the same solutions as round by round. A refused order leaves the streams of
    the rounds after the failing one as it found them, as if they had never been drawn from."""
    ttype = _threat_type(scenario, order.threat_type)
    if ttype.threat_class != "ballistic":
        raise OrderRejected(f"threat type {ttype.id!r} is {ttype.threat_class}, not ballistic")
    if order.target is not None:
        asset = _asset(scenario, order.target)
        aim_lat, aim_lon = float(asset.lat_deg), float(asset.lon_deg)
    elif order.aim_lat_deg is not None and order.aim_lon_deg is not None:
        aim_lat, aim_lon = order.aim_lat_deg, order.aim_lon_deg
    else:
        raise OrderRejected("a ballistic launch needs an aim point or a target asset")
    profile = order.profile or ttype.default_profile
    boost = BoostModel(
        burn_time_s=ttype.burn_time_s,
        burnout_altitude_m=ttype.burnout_altitude_m,
        downrange_m=ttype.boost_downrange_m,
    )
    cep_m = float(getattr(ttype, "cep_m", 0.0) or 0.0)
    ids = round_ids(order.threat_id, order.count)
    lats, lons, draws = [], [], []
    for tid in ids:
        lat, lon = aim_lat, aim_lon
        if cep_m > 0.0:
            rng = rngs.stream(f"threat/{tid}")
            draws.append((rng, rng.bit_generator.state))
            dx, dy = rng.normal(0.0, cep_m * _CEP_TO_SIGMA, size=2)
            az = float(np.degrees(np.arctan2(dx, dy)))
            lat, lon = destination_one(float(aim_lat), float(aim_lon), az, float(np.hypot(dx, dy)), MEAN_EARTH_RADIUS_M)
        lats.append(lat)
        lons.append(lon)
    solved = solve_salvo(order.origin_lat_deg, order.origin_lon_deg, lats, lons,
                         [order.t_s + i * order.interval_s for i in range(len(ids))], profile=profile,
                         apogee_m=order.apogee_m, earth=WGS84, boost=boost)
    for i, (tid, sol) in enumerate(zip(ids, solved, strict=True)):
        if isinstance(sol, ValueError):
            # the rounds after the first that fails are not planned: their streams are left as they were
            for rng, state in draws[i + 1:]:
                rng.bit_generator.state = state
            if isinstance(sol, UnreachableAim):
                raise OrderRejected(f"{tid}: {sol}") from None
            raise sol
    rounds = cast(list[BallisticSolution], solved)
    flights = BallisticFlights.from_solutions(rounds, ttype.ballistic_coefficient_kg_m2)
    return [
        BallisticThreat(tid, ttype.id, order.actor, order.threat_id, order.target, profile, aim_lat, aim_lon, sol,
                        flights, i)
        for i, (tid, sol) in enumerate(zip(ids, rounds, strict=True))
    ]


def plan_route(scenario: Any, order: LaunchRoute) -> list[RouteThreat]:
    """Build every round of an air-breathing launch order along its waypoints (plus the target, if any)."""
    ttype = _threat_type(scenario, order.threat_type)
    if ttype.threat_class == "ballistic":
        raise OrderRejected(f"threat type {ttype.id!r} is ballistic; give it a launch, not a route")
    points = [list(w) for w in order.waypoints]
    if order.target is not None:
        asset = _asset(scenario, order.target)
        points.append([float(asset.lat_deg), float(asset.lon_deg), float(asset.alt_m), None])
    if len(points) < 2:
        raise OrderRejected("a route needs at least two points (waypoints and target)")
    lat = np.array([p[0] for p in points], dtype=float)
    lon = np.array([p[1] for p in points], dtype=float)
    alt = np.array([p[2] for p in points], dtype=float)
    # the speed of a leg is the speed given at its end point, else the type's cruise speed
    speeds = np.array([ttype.speed_mps if p[3] is None else p[3] for p in points[1:]], dtype=float)
    threats = []
    for i, tid in enumerate(round_ids(order.threat_id, order.count)):
        t0 = order.t_s + i * order.interval_s
        flight = RouteFlight(lat, lon, alt, speeds, t0)
        threats.append(
            RouteThreat(tid, ttype.id, ttype.threat_class, order.actor, order.threat_id, order.target, t0, flight)
        )
    return threats


def assets_within(scenario: Any, lat_deg: float, lon_deg: float) -> list[tuple[Any, float]]:
    """Defended assets whose radius contains the point, with the distance (m), in scenario order."""
    hits = []
    for asset in scenario.assets:
        d = float(great_circle_distance_m(lat_deg, lon_deg, asset.lat_deg, asset.lon_deg))
        if d <= asset.radius_m:
            hits.append((asset, d))
    return hits
