"""The master scenario events list (MSEL): scripted injects, discriminated by ``kind``.

Times are seconds since scenario start; positions are geodetic degrees (WGS84) with heights in metres.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from amdx.scenario.catalog_models import Profile
from amdx.scenario.doctrine import WeaponsControlStatus
from amdx.scenario.fields import (
    Altitude,
    Count,
    FrozenModel,
    Identifier,
    Kilometres,
    Latitude,
    Longitude,
    NonEmptyText,
    PositiveSeconds,
    Seconds,
    Speed,
    Text,
    model_error,
)


class GeoPoint(FrozenModel):
    """A point on or above the Earth: geodetic latitude/longitude in degrees, height in metres."""

    lat_deg: Latitude
    lon_deg: Longitude
    alt_m: Altitude = 0.0


class Waypoint(FrozenModel):
    """A route point with its height; the speed defaults to the threat type's cruise speed."""

    lat_deg: Latitude
    lon_deg: Longitude
    alt_m: Altitude = Field(description="Height above the ellipsoid, m.")
    speed_mps: Speed | None = Field(
        None, description="Speed on the leg that ends here, m/s; null: the type's cruise speed."
    )


class _Inject(FrozenModel):
    t_s: Seconds = Field(description="Time of the inject, s after scenario start.")
    note: Text = Field("", description="Free text for the white cell.")


class _ControlInject(_Inject):
    """An inject that starts no threat; its id is optional."""

    id: Identifier | None = Field(None, description="Optional id of the inject.")


class _ThreatInject(_Inject):
    id: Identifier = Field(description="Id of the inject; its threats are '<id>' (one) or '<id>.1', '<id>.2', ….")
    threat: Identifier = Field(description="Threat type id in the catalog.")
    actor: Identifier = Field(description="Adversary id that launches.")
    count: Count = Field(1, description="Number of threats.")
    interval_s: Seconds = Field(0.0, description="Time between successive threats, s.")

    @property
    def launch_times_s(self) -> tuple[float, ...]:
        """Launch time of each of the ``count`` threats, s after scenario start."""
        return tuple(self.t_s + k * self.interval_s for k in range(self.count))

    @property
    def last_launch_s(self) -> float:
        """Launch time of the last threat, s."""
        return self.t_s + (self.count - 1) * self.interval_s


class LaunchEvent(_ThreatInject):
    """Ballistic launch(es) from ``origin`` at an aim point or at a defended asset (exactly one of the two)."""

    kind: Literal["launch"] = Field(description="A ballistic launch.")
    origin: GeoPoint = Field(description="Launch point.")
    aim: GeoPoint | None = Field(None, description="Aim point (or give `target`).")
    target: Identifier | None = Field(None, description="Id of the defended asset aimed at (or give `aim`).")
    profile: Profile | None = Field(None, description="Trajectory profile; null: the type's default profile.")
    apogee_km: Kilometres | None = Field(None, description="Apogee for a lofted or depressed profile, km.")

    @model_validator(mode="after")
    def _consistent(self) -> LaunchEvent:
        if (self.aim is None) == (self.target is None):
            raise model_error(
                "a launch needs exactly one of 'aim' and 'target'",
                expected="exactly one of 'aim' (a point) and 'target' (an asset id)",
                found="both" if self.aim is not None else "neither",
            )
        if self.apogee_km is not None and self.profile not in ("lofted", "depressed"):
            raise model_error(
                "apogee_km is only meaningful with profile 'lofted' or 'depressed'",
                expected="profile 'lofted' or 'depressed' when apogee_km is given",
                found=f"profile {self.profile or 'null'}",
                field="apogee_km",
            )
        return self

    @property
    def apogee_m(self) -> float | None:
        """Requested apogee, m (None: from the profile)."""
        return None if self.apogee_km is None else self.apogee_km * 1000.0


class RouteEvent(_ThreatInject):
    """Aerodynamic threat(s) (cruise missile, aircraft, drone) flying waypoints, then at ``target`` if given."""

    kind: Literal["route"] = Field(description="A cruise missile, aircraft or drone on a route.")
    waypoints: tuple[Waypoint, ...] = Field(min_length=1, description="Route; the first point is the start.")
    target: Identifier | None = Field(None, description="Id of the defended asset at the end of the route.")

    @model_validator(mode="after")
    def _consistent(self) -> RouteEvent:
        if self.target is None and len(self.waypoints) < 2:
            raise model_error(
                "a route without a target needs at least two waypoints",
                expected="at least 2 waypoints, or a target",
                found=f"{len(self.waypoints)} waypoint",
                field="waypoints",
            )
        return self


class SensorOutageEvent(_ControlInject):
    """A sensor stops reporting for a while."""

    kind: Literal["sensor_outage"] = Field(description="A sensor outage.")
    sensor: Identifier = Field(description="Id of the sensor.")
    duration_s: PositiveSeconds = Field(description="Length of the outage, s.")


class CommsCutEvent(_ControlInject):
    """The link between two command nodes (or a node and the coordination cell) is cut for a while."""

    kind: Literal["comms_cut"] = Field(description="A communications cut.")
    between: tuple[Identifier, Identifier] = Field(description="The two command node (or cell) ids.")
    duration_s: PositiveSeconds = Field(description="Length of the cut, s.")

    @model_validator(mode="after")
    def _consistent(self) -> CommsCutEvent:
        if self.between[0] == self.between[1]:
            raise model_error(
                "a comms cut needs two different nodes",
                expected="two different node ids",
                found=f"'{self.between[0]}' twice",
                field="between",
            )
        return self


class WeaponsControlEvent(_ControlInject):
    """The weapons control status of a nation (or of one of its batteries) is set by higher command."""

    kind: Literal["weapons_control"] = Field(description="A change of weapons control status.")
    nation: Identifier = Field(description="Id of the nation whose status changes.")
    battery: Identifier | None = Field(
        None, description="Id of one battery of that nation whose status changes; null: the whole nation."
    )
    status: WeaponsControlStatus = Field(description="New weapons control status: free, tight or hold.")


class NoteEvent(_ControlInject):
    """A message for the white cell and the players' logs."""

    kind: Literal["note"] = Field(description="A note.")
    text: NonEmptyText = Field(description="The note.")


MselEvent = Annotated[
    LaunchEvent | RouteEvent | SensorOutageEvent | CommsCutEvent | WeaponsControlEvent | NoteEvent,
    Field(discriminator="kind"),
]
"""One MSEL inject, discriminated by ``kind``."""
