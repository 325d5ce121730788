"""Field types shared by the scenario and catalog models: each declared once with unit, bounds and description.

Scalars are strict (a quoted ``"60"`` is not a number, ``true`` is not ``1``, ``4.0`` is not an integer) so a
typo in a scenario file never passes silently. Floats must be finite. Lists are read as tuples so that the
frozen models are immutable all the way down.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, Strict
from pydantic_core import PydanticCustomError


@dataclass(frozen=True)
class Expect:
    """Metadata marker: what a field expects, in words, for error messages (``"a latitude in [-90, 90]"``)."""

    text: str


class FrozenModel(BaseModel):
    """Base of every scenario model: unknown keys are errors, instances are immutable, floats are finite."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


def model_error(message: str, expected: str, found: str, field: str | None = None) -> PydanticCustomError:
    """An error raised by a model validator, with the parts a :class:`Problem` shows.

    ``field`` names the field (by its file key) that the problem points at, below the model's own location.
    """
    return PydanticCustomError(
        "amdx_model", "{message}", {"message": message, "expected": expected, "found": found, "field": field}
    )


ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$"

Identifier = Annotated[
    str,
    Strict(),
    Field(min_length=1, max_length=64, pattern=ID_PATTERN),
    Expect("an id of letters, digits, '.', '_' or '-' (at most 64 characters)"),
]
"""A stable id such as ``north.ewr1``."""

Name = Annotated[str, Strict(), Field(min_length=1, max_length=200), Expect("a non-empty name")]
Text = Annotated[str, Strict(), Field(max_length=2000), Expect("a text of at most 2000 characters")]
NonEmptyText = Annotated[
    str, Strict(), Field(min_length=1, max_length=2000), Expect("a non-empty text of at most 2000 characters")
]
Colour = Annotated[
    str,
    Strict(),
    Field(pattern=r"^#[0-9a-fA-F]{6}$", description="Display colour, '#rrggbb'."),
    Expect("a colour '#rrggbb'"),
]

Latitude = Annotated[
    float, Strict(), Field(ge=-90.0, le=90.0, description="Geodetic latitude, degrees (WGS84), north positive."),
    Expect("a latitude in [-90, 90]"),
]
Longitude = Annotated[
    float, Strict(), Field(ge=-180.0, le=180.0, description="Geodetic longitude, degrees (WGS84), east positive."),
    Expect("a longitude in [-180, 180]"),
]
Altitude = Annotated[
    float, Strict(), Field(ge=-500.0, le=100_000.0, description="Height above the WGS84 ellipsoid, metres."),
    Expect("an altitude in [-500, 100000] m"),
]

PositiveFloat = Annotated[float, Strict(), Field(gt=0.0), Expect("a number > 0")]
NonNegativeFloat = Annotated[float, Strict(), Field(ge=0.0), Expect("a number ≥ 0")]
PositiveInt = Annotated[int, Strict(), Field(ge=1), Expect("an integer ≥ 1")]
Probability = Annotated[float, Strict(), Field(ge=0.0, le=1.0), Expect("a probability in [0, 1]")]
Degrees360 = Annotated[float, Strict(), Field(ge=0.0, lt=360.0), Expect("an angle in [0, 360) degrees")]

# Bounds that catch typos (an extra zero) without forbidding any notional system.
Seconds = Annotated[float, Strict(), Field(ge=0.0, le=1.0e7), Expect("a time in [0, 1e7] s")]
PositiveSeconds = Annotated[float, Strict(), Field(gt=0.0, le=1.0e7), Expect("a time in (0, 1e7] s")]
Kilometres = Annotated[float, Strict(), Field(gt=0.0, le=50_000.0), Expect("a distance in (0, 50000] km")]
NonNegativeKilometres = Annotated[float, Strict(), Field(ge=0.0, le=50_000.0), Expect("a distance in [0, 50000] km")]
Speed = Annotated[float, Strict(), Field(gt=0.0, le=20_000.0), Expect("a speed in (0, 20000] m/s")]
Count = Annotated[int, Strict(), Field(ge=1, le=10_000), Expect("a count in [1, 10000]")]
