"""Catalog types: notional threat, sensor and interceptor types that scenario objects refer to by id.

File fields carry their unit in the name (``max_range_km``); the SI properties (``max_range_m``) are what
consumers use. All types are notional and textbook-generic.
"""

from __future__ import annotations

import math
from typing import Annotated, Literal

from pydantic import Field, Strict, model_validator

from amdx.scenario.fields import (
    Altitude,
    Count,
    Expect,
    FrozenModel,
    Identifier,
    Kilometres,
    Name,
    NonNegativeFloat,
    NonNegativeKilometres,
    PositiveFloat,
    PositiveSeconds,
    Probability,
    Seconds,
    Speed,
    Text,
    model_error,
)

SECTIONS = ("threats", "sensors", "interceptors")
"""The sections of a catalog, in file order."""

Profile = Literal["min-energy", "lofted", "depressed"]
ThreatClass = Literal["ballistic", "cruise", "aircraft", "drone"]
RangeClass = Literal["srbm", "mrbm", "irbm", "icbm"]

# Conventional ballistic range classes by maximum range, km (closed at both ends so 1000, 3000, 5500 fit both
# neighbours).
RANGE_CLASS_KM: dict[str, tuple[float, float]] = {
    "srbm": (0.0, 1000.0),
    "mrbm": (1000.0, 3000.0),
    "irbm": (3000.0, 5500.0),
    "icbm": (5500.0, 50_000.0),
}

SmallAngleDeg = Annotated[float, Strict(), Field(ge=0.0, le=10.0), Expect("an angle in [0, 10] degrees")]
ElevationDeg = Annotated[float, Strict(), Field(ge=-10.0, le=90.0), Expect("an elevation in [-10, 90] degrees")]


def _check_min_max(lo: float, hi: float, lo_key: str, hi_key: str, unit: str) -> None:
    if lo > hi:
        raise model_error(
            f"{hi_key} ({hi:g} {unit}) is below {lo_key} ({lo:g} {unit})",
            expected=f"{hi_key} ≥ {lo_key} ({lo:g} {unit})",
            found=f"{hi:g} {unit}",
            field=hi_key,
        )


class BallisticThreatType(FrozenModel):
    """A ballistic missile type: notional boost, then free flight (``refs/physics.md`` §1)."""

    id: Identifier = Field(description="Catalog id, e.g. 'srbm-a'.")
    name: Name = Field(description="Display name.")
    threat_class: Literal["ballistic"] = Field(alias="class", description="Threat class: 'ballistic'.")
    range_class: RangeClass = Field(description="srbm (≤1000 km), mrbm (1000–3000), irbm (3000–5500), icbm.")
    min_range_km: Kilometres = Field(description="Minimum ground range, km.")
    max_range_km: Kilometres = Field(description="Maximum ground range, km.")
    burn_time_s: PositiveSeconds = Field(description="Boost burn time, s.")
    burnout_altitude_km: Kilometres = Field(description="Altitude at burnout, km.")
    boost_downrange_km: NonNegativeKilometres = Field(description="Ground distance covered during boost, km.")
    default_profile: Profile = Field("min-energy", description="Trajectory profile when a launch names none.")
    rcs_m2: PositiveFloat = Field(description="Radar cross-section of the reentry vehicle, m².")
    ballistic_coefficient_kg_m2: PositiveFloat | None = Field(
        None, description="Ballistic coefficient m/(Cd·A), kg/m², for reentry drag; null: vacuum."
    )
    lethal_radius_m: NonNegativeFloat = Field(description="Lethal radius of the warhead, m.")
    cep_m: NonNegativeFloat = Field(0.0, description="Circular error probable of impacts about the aim point, m.")
    description: Text = Field("", description="Free text.")

    @model_validator(mode="after")
    def _consistent(self) -> BallisticThreatType:
        _check_min_max(self.min_range_km, self.max_range_km, "min_range_km", "max_range_km", "km")
        lo, hi = RANGE_CLASS_KM[self.range_class]
        if not lo <= self.max_range_km <= hi:
            raise model_error(
                f"range class {self.range_class} does not match max_range_km {self.max_range_km:g}",
                expected=f"a {self.range_class} maximum range in [{lo:g}, {hi:g}] km",
                found=f"{self.max_range_km:g} km",
                field="range_class",
            )
        return self

    @property
    def min_range_m(self) -> float:
        """Minimum ground range, m."""
        return self.min_range_km * 1000.0

    @property
    def max_range_m(self) -> float:
        """Maximum ground range, m."""
        return self.max_range_km * 1000.0

    @property
    def burnout_altitude_m(self) -> float:
        """Altitude at burnout, m."""
        return self.burnout_altitude_km * 1000.0

    @property
    def boost_downrange_m(self) -> float:
        """Ground distance covered during boost, m."""
        return self.boost_downrange_km * 1000.0


class _AerodynamicType(FrozenModel):
    """Fields shared by threats that fly routes (cruise missiles, aircraft, drones)."""

    id: Identifier = Field(description="Catalog id, e.g. 'cm-a'.")
    name: Name = Field(description="Display name.")
    speed_mps: Speed = Field(description="Cruise speed, m/s.")
    altitude_m: Altitude = Field(description="Cruise altitude above the ellipsoid, m.")
    range_km: Kilometres = Field(description="Maximum route length, km.")
    rcs_m2: PositiveFloat = Field(description="Radar cross-section, m².")
    description: Text = Field("", description="Free text.")

    @property
    def range_m(self) -> float:
        """Maximum route length, m."""
        return self.range_km * 1000.0


class CruiseMissileType(_AerodynamicType):
    """A cruise missile type."""

    threat_class: Literal["cruise"] = Field(alias="class", description="Threat class: 'cruise'.")
    lethal_radius_m: NonNegativeFloat = Field(description="Lethal radius of the warhead, m.")


class AircraftType(_AerodynamicType):
    """A (strike) aircraft type."""

    threat_class: Literal["aircraft"] = Field(alias="class", description="Threat class: 'aircraft'.")


class DroneType(_AerodynamicType):
    """A one-way attack drone type."""

    threat_class: Literal["drone"] = Field(alias="class", description="Threat class: 'drone'.")
    lethal_radius_m: NonNegativeFloat = Field(description="Lethal radius of the warhead, m.")


ThreatType = Annotated[
    BallisticThreatType | CruiseMissileType | AircraftType | DroneType, Field(discriminator="threat_class")
]
"""A threat type, discriminated by ``class`` in the file."""


class RadarType(FrozenModel):
    """A ground radar type (early warning or fire control); the sensing models give it behaviour."""

    id: Identifier = Field(description="Catalog id, e.g. 'ewr-l'.")
    name: Name = Field(description="Display name.")
    kind: Literal["early_warning", "fire_control"] = Field(description="Radar role.")
    instrumented_range_km: Kilometres = Field(description="Maximum range at which the radar reports, km.")
    revisit_s: PositiveSeconds = Field(description="Time between looks at the same direction, s.")
    azimuth_fov_deg: Annotated[float, Strict(), Field(gt=0.0, le=360.0), Expect("an angle in (0, 360] degrees")] = (
        Field(description="Azimuth field of view centred on the boresight, degrees (360: rotating).")
    )
    elevation_min_deg: ElevationDeg = Field(description="Lowest elevation searched, degrees.")
    elevation_max_deg: ElevationDeg = Field(description="Highest elevation searched, degrees.")
    reference_range_km: Kilometres = Field(
        description="Range at which the reference target gives the reference SNR, km."
    )
    reference_snr_db: Annotated[float, Strict(), Field(ge=-30.0, le=100.0), Expect("an SNR in [-30, 100] dB")] = (
        Field(description="Single-look SNR of the reference target at the reference range, dB.")
    )
    reference_rcs_m2: PositiveFloat = Field(description="Radar cross-section of the reference target, m².")
    false_alarm_probability: Annotated[
        float, Strict(), Field(gt=0.0, le=0.1), Expect("a probability in (0, 0.1]")
    ] = Field(1.0e-6, description="Probability of false alarm per resolution cell and look.")
    detection_model: Literal["swerling1", "albersheim"] = Field(
        "swerling1",
        description="Pd model: 'swerling1' (fluctuating target, single look, closed form) or 'albersheim' "
        "(non-fluctuating target, pulses_integrated pulses integrated non-coherently).",
    )
    pulses_integrated: Annotated[int, Strict(), Field(ge=1, le=8096), Expect("an integer in [1, 8096]")] = Field(
        1, description="Pulses integrated non-coherently per look (1 for swerling1)."
    )
    range_rate_sigma_mps: NonNegativeFloat | None = Field(
        None, description="Range-rate measurement standard deviation, m/s; null: range rate is not measured."
    )
    range_sigma_m: NonNegativeFloat = Field(description="Range measurement standard deviation, m.")
    azimuth_sigma_deg: SmallAngleDeg = Field(description="Azimuth measurement standard deviation, degrees.")
    elevation_sigma_deg: SmallAngleDeg = Field(description="Elevation measurement standard deviation, degrees.")
    description: Text = Field("", description="Free text.")

    @model_validator(mode="after")
    def _consistent(self) -> RadarType:
        _check_min_max(self.elevation_min_deg, self.elevation_max_deg, "elevation_min_deg", "elevation_max_deg", "deg")
        if self.detection_model == "swerling1" and self.pulses_integrated != 1:
            raise model_error(
                "the swerling1 model is a single look",
                expected="pulses_integrated 1 with swerling1, or detection_model albersheim",
                found=f"{self.pulses_integrated} pulses",
                field="pulses_integrated",
            )
        return self

    @property
    def instrumented_range_m(self) -> float:
        """Instrumented range, m."""
        return self.instrumented_range_km * 1000.0

    @property
    def reference_range_m(self) -> float:
        """Reference range, m."""
        return self.reference_range_km * 1000.0

    @property
    def reference_snr(self) -> float:
        """Reference SNR as a power ratio (linear)."""
        return 10.0 ** (self.reference_snr_db / 10.0)

    @property
    def azimuth_fov_rad(self) -> float:
        """Azimuth field of view, rad."""
        return math.radians(self.azimuth_fov_deg)

    @property
    def elevation_min_rad(self) -> float:
        """Lowest elevation searched, rad."""
        return math.radians(self.elevation_min_deg)

    @property
    def elevation_max_rad(self) -> float:
        """Highest elevation searched, rad."""
        return math.radians(self.elevation_max_deg)

    @property
    def azimuth_sigma_rad(self) -> float:
        """Azimuth measurement standard deviation, rad."""
        return math.radians(self.azimuth_sigma_deg)

    @property
    def elevation_sigma_rad(self) -> float:
        """Elevation measurement standard deviation, rad."""
        return math.radians(self.elevation_sigma_deg)


class SpaceWarningType(FrozenModel):
    """A space-based launch-warning sensor type: sees boosting missiles anywhere, late and imprecisely."""

    id: Identifier = Field(description="Catalog id, e.g. 'sbw-a'.")
    name: Name = Field(description="Display name.")
    kind: Literal["space_warning"] = Field(description="Sensor role: 'space_warning'.")
    detection_delay_s: Seconds = Field(description="Delay from launch to the first warning report, s.")
    revisit_s: PositiveSeconds = Field(description="Time between reports on a boosting missile, s.")
    launch_position_sigma_m: NonNegativeFloat = Field(description="Error of the reported launch point, m (1σ).")
    launch_azimuth_sigma_deg: SmallAngleDeg = Field(description="Error of the reported launch azimuth, degrees.")
    description: Text = Field("", description="Free text.")

    @property
    def launch_azimuth_sigma_rad(self) -> float:
        """Error of the reported launch azimuth, rad (1σ)."""
        return math.radians(self.launch_azimuth_sigma_deg)


SensorType = Annotated[RadarType | SpaceWarningType, Field(discriminator="kind")]
"""A sensor type, discriminated by ``kind``."""


class InterceptorType(FrozenModel):
    """An interceptor type with its notional kinematic envelope."""

    id: Identifier = Field(description="Catalog id, e.g. 'sam-upper'.")
    name: Name = Field(description="Display name.")
    tier: Literal["upper", "lower"] = Field(description="Defence layer: upper (exo/high endo) or lower tier.")
    engages: tuple[ThreatClass, ...] = Field(min_length=1, description="Threat classes it can engage.")
    min_intercept_altitude_km: NonNegativeKilometres = Field(description="Lowest intercept altitude, km.")
    max_intercept_altitude_km: Kilometres = Field(description="Highest intercept altitude, km.")
    max_range_km: Kilometres = Field(description="Maximum ground range from the battery to the intercept, km.")
    average_speed_mps: Speed = Field(description="Average flyout speed, m/s.")
    reaction_time_s: Seconds = Field(description="Time from the fire order to launch, s.")
    single_shot_pk: Probability = Field(description="Kill probability of one interceptor inside the envelope.")
    reload_s: Seconds = Field(description="Time to reload one launcher, s.")
    salvo_size: Count = Field(1, description="Default interceptors fired per engagement.")
    divert_km: NonNegativeKilometres = Field(
        1.0, description="Divert capability: how far the kill vehicle can correct for target position error, km."
    )
    description: Text = Field("", description="Free text.")

    @model_validator(mode="after")
    def _consistent(self) -> InterceptorType:
        _check_min_max(
            self.min_intercept_altitude_km, self.max_intercept_altitude_km,
            "min_intercept_altitude_km", "max_intercept_altitude_km", "km",
        )
        return self

    @property
    def min_intercept_altitude_m(self) -> float:
        """Lowest intercept altitude, m."""
        return self.min_intercept_altitude_km * 1000.0

    @property
    def max_intercept_altitude_m(self) -> float:
        """Highest intercept altitude, m."""
        return self.max_intercept_altitude_km * 1000.0

    @property
    def max_range_m(self) -> float:
        """Maximum ground range, m."""
        return self.max_range_km * 1000.0

    @property
    def divert_m(self) -> float:
        """Divert capability, m."""
        return self.divert_km * 1000.0


class Catalog(FrozenModel):
    """Threat, sensor and interceptor types. In a scenario file: extra types merged with the bundled catalog."""

    threats: tuple[ThreatType, ...] = Field((), description="Threat types.")
    sensors: tuple[SensorType, ...] = Field((), description="Sensor types.")
    interceptors: tuple[InterceptorType, ...] = Field((), description="Interceptor types.")

    def threat_type(self, type_id: str) -> BallisticThreatType | CruiseMissileType | AircraftType | DroneType | None:
        """The threat type with this id, or None."""
        return next((t for t in self.threats if t.id == type_id), None)

    def sensor_type(self, type_id: str) -> RadarType | SpaceWarningType | None:
        """The sensor type with this id, or None."""
        return next((t for t in self.sensors if t.id == type_id), None)

    def interceptor_type(self, type_id: str) -> InterceptorType | None:
        """The interceptor type with this id, or None."""
        return next((t for t in self.interceptors if t.id == type_id), None)

    def ids(self) -> list[str]:
        """Every type id, threats then sensors then interceptors (one namespace)."""
        return [t.id for section in SECTIONS for t in getattr(self, section)]

    def clashes(self, extra: Catalog) -> list[str]:
        """Ids of ``extra``'s types that this catalog already uses for a different type."""
        mine = {t.id: t for section in SECTIONS for t in getattr(self, section)}
        return [t.id for section in SECTIONS for t in getattr(extra, section) if mine.get(t.id, t) != t]

    def extras_of(self, other: Catalog) -> Catalog:
        """The types of ``other`` whose ids this catalog does not use."""
        mine = set(self.ids())
        return Catalog.model_validate(
            {section: tuple(t for t in getattr(other, section) if t.id not in mine) for section in SECTIONS}
        )

    def merged(self, extra: Catalog) -> Catalog:
        """This catalog followed by the types of ``extra`` whose ids it does not use."""
        new = self.extras_of(extra)
        return Catalog.model_validate({section: getattr(self, section) + getattr(new, section) for section in SECTIONS})
