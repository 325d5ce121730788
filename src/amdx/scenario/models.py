"""The scenario file format: exercise, nations and their command, assets, sensors, batteries, catalog, MSEL.

File fields carry their unit in the name (``radius_km``); the SI properties (``radius_m``) are what consumers
use, so unit conversion happens once, here. Positions are geodetic degrees (WGS84) with heights in metres.
A validated :class:`Scenario` is consistent: every id it refers to exists (see ``references.py``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Annotated, Any, Literal, Protocol, TypeVar

from pydantic import AwareDatetime, Field, Strict, field_validator, model_validator
from pydantic_core import PydanticCustomError

from amdx.scenario.catalog import bundled_catalog
from amdx.scenario.catalog_models import (
    AircraftType,
    BallisticThreatType,
    Catalog,
    CruiseMissileType,
    DroneType,
    InterceptorType,
    RadarType,
    SpaceWarningType,
)
from amdx.scenario.doctrine import Doctrine, EngagementAuthority, FireDoctrine, WeaponsControlStatus
from amdx.scenario.fields import (
    Altitude,
    Colour,
    Count,
    Degrees360,
    Expect,
    FrozenModel,
    Identifier,
    Kilometres,
    Latitude,
    Longitude,
    Name,
    PositiveFloat,
    PositiveInt,
    PositiveSeconds,
    Seconds,
    Text,
    model_error,
)
from amdx.scenario.msel import MselEvent
from amdx.scenario.problems import format_path
from amdx.scenario.references import check_references
from amdx.scenario.translate import describe


class _HasId(Protocol):
    id: str


T = TypeVar("T", bound=_HasId)

EPOCH_EXPECT = "a UTC date-time like 2026-05-04T06:00:00Z"


class Exercise(FrozenModel):
    """The exercise as a whole: name, display epoch, length and default seed."""

    name: Name = Field(description="Exercise name.")
    epoch: Annotated[AwareDatetime, Expect(EPOCH_EXPECT)] = Field(
        description="Absolute UTC time of t = 0 (display only), e.g. '2026-05-04T06:00:00Z'."
    )
    duration_s: PositiveSeconds = Field(description="Length of the exercise, s.")
    seed: Annotated[int, Strict(), Field(ge=0, le=2**63 - 1), Expect("an integer in [0, 2^63 - 1]")] = Field(
        0, description="Default random seed of a run."
    )
    picture_period_s: PositiveSeconds = Field(
        5.0, description="How often each nation's air picture is reported (journal and consoles), s."
    )
    description: Text = Field("", description="Free text.")

    @field_validator("epoch", mode="before")
    @classmethod
    def _text_or_timestamp(cls, value: Any) -> Any:
        # a bare number would be taken as Unix time: refuse it rather than guess
        if not isinstance(value, str | datetime):
            raise model_error(f"expected {EPOCH_EXPECT}, found {describe(value)}", EPOCH_EXPECT, describe(value))
        return value

    @field_validator("epoch", mode="after")
    @classmethod
    def _to_utc(cls, value: datetime) -> datetime:
        return value.astimezone(UTC)

    @property
    def epoch_iso(self) -> str:
        """The epoch as ISO 8601 UTC text ending in 'Z'."""
        return self.epoch.isoformat().replace("+00:00", "Z")


class CommandNode(FrozenModel):
    """A node of a nation's command hierarchy (national command centre, air-defence operations centre, …)."""

    id: Identifier = Field(description="Node id, e.g. 'north.adoc'.")
    name: Name = Field(description="Display name.")
    role: Literal["national", "air_defence", "sector"] = Field(description="Role of the node.")
    parent: Identifier | None = Field(None, description="Id of the superior node of the same nation; null: top.")
    lat_deg: Latitude
    lon_deg: Longitude
    alt_m: Altitude = 0.0
    link_latency_s: Seconds = Field(
        1.0, description="Latency of the link to the parent node (to the coordination cell for a top node), s."
    )


class Nation(FrozenModel):
    """A partner nation (fictional) with its command hierarchy."""

    id: Identifier = Field(description="Nation id, e.g. 'north'.")
    name: Name = Field(description="Display name.")
    colour: Colour
    command: tuple[CommandNode, ...] = Field(min_length=1, description="The national command nodes.")
    doctrine: Doctrine = Field(default_factory=Doctrine, description="Air-defence doctrine, ROE and decision times.")


class Adversary(FrozenModel):
    """A fictional actor that launches threats."""

    id: Identifier = Field(description="Actor id, e.g. 'red'.")
    name: Name = Field(description="Display name.")
    colour: Colour


class CoordinationCell(FrozenModel):
    """The combined coordination cell of the partner nations."""

    id: Identifier = Field(description="Cell id, e.g. 'ccc'.")
    name: Name = Field(description="Display name.")
    members: tuple[Identifier, ...] = Field(min_length=1, description="Ids of the member nations.")
    lat_deg: Latitude
    lon_deg: Longitude
    alt_m: Altitude = 0.0


class Sharing(FrozenModel):
    """A data-sharing agreement: what one nation releases to another over the data link, and how fast."""

    from_nation: Identifier = Field(alias="from", description="Releasing nation id.")
    to_nation: Identifier = Field(alias="to", description="Receiving nation id.")
    release: Literal["all", "ballistic", "none"] = Field(description="Tracks released: all, ballistic, none.")
    latency_s: Seconds = Field(0.0, description="Link latency, s.")
    update_period_s: PositiveSeconds = Field(description="Time between track updates on the link, s.")
    release_sensor_location: bool = Field(
        False, description="Whether shared tracks say which sensor site made them (and where it is)."
    )

    @model_validator(mode="after")
    def _two_nations(self) -> Sharing:
        if self.from_nation == self.to_nation:
            raise model_error(
                "a nation cannot share with itself",
                expected="a nation other than 'from'",
                found=f"'{self.to_nation}'",
                field="to",
            )
        return self


class Asset(FrozenModel):
    """A defended asset (an entry of the defended asset list)."""

    id: Identifier = Field(description="Asset id, e.g. 'north.capital'.")
    name: Name = Field(description="Display name.")
    owner: Identifier = Field(description="Owning nation id.")
    lat_deg: Latitude
    lon_deg: Longitude
    alt_m: Altitude = 0.0
    radius_km: Kilometres = Field(description="Radius of the defended area around the point, km.")
    value: PositiveFloat = Field(description="Value of the asset (for losses and priorities).")
    priority: PositiveInt = Field(description="Defence priority, 1 highest.")

    @property
    def radius_m(self) -> float:
        """Radius of the defended area, m."""
        return self.radius_km * 1000.0


class Sensor(FrozenModel):
    """A sensor site: a catalog sensor type at a place, reporting to a command node of its owner."""

    id: Identifier = Field(description="Sensor id, e.g. 'north.ewr1'.")
    name: Name | None = Field(None, description="Display name.")
    owner: Identifier = Field(description="Owning nation id.")
    type: Identifier = Field(description="Sensor type id in the catalog.")
    lat_deg: Latitude
    lon_deg: Longitude
    alt_m: Altitude = 0.0
    boresight_deg: Degrees360 = Field(0.0, description="Centre of the azimuth field of view, degrees from north.")
    command: Identifier = Field(description="Id of the command node it reports to.")

    @property
    def boresight_rad(self) -> float:
        """Boresight azimuth, rad clockwise from north."""
        return math.radians(self.boresight_deg)


class Battery(FrozenModel):
    """A surface-to-air battery: launchers of one catalog interceptor type, under a command node."""

    id: Identifier = Field(description="Battery id, e.g. 'north.bty1'.")
    name: Name | None = Field(None, description="Display name.")
    owner: Identifier = Field(description="Owning nation id.")
    type: Identifier = Field(description="Interceptor type id in the catalog.")
    lat_deg: Latitude
    lon_deg: Longitude
    alt_m: Altitude = 0.0
    launchers: Count = Field(description="Number of launchers.")
    rounds_per_launcher: Count = Field(description="Interceptors per launcher.")
    reserve_rounds: Annotated[int, Strict(), Field(ge=0, le=100_000), Expect("a count ≥ 0")] = Field(
        0, description="Interceptors in the battery's magazine for reloading empty launchers (each reload takes "
        "the interceptor type's reload_s)."
    )
    command: Identifier = Field(description="Id of the command node that controls it.")
    link_latency_s: Seconds = Field(0.5, description="Latency of the link to its command node, s.")
    weapons_control_status: WeaponsControlStatus | None = Field(
        None, description="Override of the nation's weapons control status; null: the nation's."
    )
    engagement_authority: EngagementAuthority | None = Field(
        None, description="Override of the nation's engagement authority; null: the nation's."
    )
    fire_doctrine: FireDoctrine | None = Field(None, description="Override of the nation's fire doctrine.")

    @property
    def rounds_total(self) -> int:
        """Interceptors at the start of the exercise, on the launchers and in the magazine."""
        return self.launchers * self.rounds_per_launcher + self.reserve_rounds


class Scenario(FrozenModel):
    """A whole scenario. ``catalog`` holds the bundled catalog merged with the file's extra types."""

    exercise: Exercise = Field(description="The exercise as a whole.")
    nations: tuple[Nation, ...] = Field(min_length=1, description="Partner nations.")
    adversaries: tuple[Adversary, ...] = Field((), description="Fictional actors that launch threats.")
    coordination_cell: CoordinationCell | None = Field(None, description="The combined coordination cell.")
    sharing: tuple[Sharing, ...] = Field((), description="Data-sharing agreements between nations.")
    assets: tuple[Asset, ...] = Field((), description="The defended asset list.")
    sensors: tuple[Sensor, ...] = Field((), description="Sensor sites.")
    batteries: tuple[Battery, ...] = Field((), description="Surface-to-air batteries.")
    catalog: Catalog = Field(
        default_factory=Catalog,
        validate_default=True,
        description="Extra notional types, merged with the bundled catalog (an id already there is an error).",
    )
    msel: tuple[MselEvent, ...] = Field((), description="Master scenario events list (scripted injects).")

    @field_validator("catalog", mode="after")
    @classmethod
    def _merge_bundled(cls, extra: Catalog) -> Catalog:
        bundled = bundled_catalog()
        clashes = bundled.clashes(extra)
        if clashes:
            # the loader reports each clash at its line (references.py); this guards programmatic construction
            raise PydanticCustomError(
                "amdx_catalog_clash", "types already in the bundled catalog: {ids}", {"ids": ", ".join(clashes)}
            )
        return bundled.merged(extra)

    @model_validator(mode="after")
    def _references(self) -> Scenario:
        data = self.model_dump(by_alias=True)
        bundled = bundled_catalog()
        data["catalog"] = bundled.extras_of(self.catalog).model_dump(by_alias=True)
        issues = check_references(data, bundled)
        if issues:
            # the loader runs the same check on the file's data and places each issue at its line
            summary = "; ".join(f"{format_path(i.loc)}: {i.message}" for i in issues)
            raise PydanticCustomError("amdx_references", "{summary}", {"summary": summary})
        return self

    def threat_type(self, type_id: str) -> BallisticThreatType | CruiseMissileType | AircraftType | DroneType | None:
        """The threat type with this id (bundled or from the file), or None."""
        return self.catalog.threat_type(type_id)

    def sensor_type(self, type_id: str) -> RadarType | SpaceWarningType | None:
        """The sensor type with this id, or None."""
        return self.catalog.sensor_type(type_id)

    def interceptor_type(self, type_id: str) -> InterceptorType | None:
        """The interceptor type with this id, or None."""
        return self.catalog.interceptor_type(type_id)

    def nation(self, nation_id: str) -> Nation | None:
        """The nation with this id, or None."""
        return _find(self.nations, nation_id)

    def asset(self, asset_id: str) -> Asset | None:
        """The defended asset with this id, or None."""
        return _find(self.assets, asset_id)

    def sensor(self, sensor_id: str) -> Sensor | None:
        """The sensor with this id, or None."""
        return _find(self.sensors, sensor_id)

    def battery(self, battery_id: str) -> Battery | None:
        """The battery with this id, or None."""
        return _find(self.batteries, battery_id)

    def command_node(self, node_id: str) -> CommandNode | None:
        """The command node with this id (of any nation), or None."""
        return _find((n for nation in self.nations for n in nation.command), node_id)


def _find(items: Iterable[T], item_id: str) -> T | None:
    # lists are short; a scan keeps no cache that a model_copy(update=...) could leave stale
    return next((item for item in items if item.id == item_id), None)
