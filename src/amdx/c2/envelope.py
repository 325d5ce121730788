"""A battery's kinematic envelope and its launch window against a target's predicted path.

The envelope is notional and kinematic only (DESIGN.md §4): an intercept must lie between a minimum and a
maximum geodetic altitude and within a maximum range of the battery; the interceptor flies a straight line at
its average speed (as in `refs/physics.md` §5.5), so reaching a point p takes |p − site|/speed; a launch can
happen no earlier than `reaction_s` after the decision time `now_s`.

For a path sampled in time (ECEF positions at times), every sample is a candidate intercept point: the launch
time that meets the target there is t − |p − site|/speed, and the sample is feasible where the altitude and
range constraints hold and that launch time is ≥ now + reaction. The window is reported at the resolution of
the samples (sample the path finely, or refine a chosen intercept with `intercept.intercept_on_path`).

Frames: ECEF (`amdx.geo`), m, m/s, s since scenario start. Functions are pure and vectorised over leading
axes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from amdx.geo import MEAN_EARTH_RADIUS_M, WGS84, EarthModel, central_angle_rad, ecef_to_geodetic
from amdx.scenario.catalog_models import InterceptorType

_Array = NDArray[np.float64]
_BoolArray = NDArray[np.bool_]

RangeKind = Literal["ground", "slant"]


@dataclass(frozen=True)
class Envelope:
    """Kinematic envelope of an interceptor type (notional).

    Attributes:
        min_alt_m, max_alt_m: intercept altitude band (geodetic altitude), m.
        max_range_m: maximum range from the battery to the intercept point, m.
        speed_mps: average flyout speed, m/s.
        reaction_s: time from the fire decision to launch, s.
        range_kind: "ground" (great-circle distance between the sub-points on a sphere of mean Earth radius)
            or "slant" (straight-line distance).
    """

    min_alt_m: float
    max_alt_m: float
    max_range_m: float
    speed_mps: float
    reaction_s: float
    range_kind: RangeKind = "ground"

    def __post_init__(self) -> None:
        if not self.min_alt_m <= self.max_alt_m:
            raise ValueError(f"min_alt_m ({self.min_alt_m}) must not exceed max_alt_m ({self.max_alt_m})")
        if self.speed_mps <= 0.0 or self.max_range_m <= 0.0 or self.reaction_s < 0.0:
            raise ValueError("speed_mps and max_range_m must be positive and reaction_s non-negative")
        if self.range_kind not in ("ground", "slant"):
            raise ValueError(f"range_kind must be 'ground' or 'slant', found {self.range_kind!r}")

    @classmethod
    def from_interceptor(cls, itype: InterceptorType, range_kind: RangeKind = "ground") -> Envelope:
        """The envelope of a catalog interceptor type (its `max_range_km` is a ground range)."""
        return cls(min_alt_m=itype.min_intercept_altitude_m, max_alt_m=itype.max_intercept_altitude_m,
                   max_range_m=itype.max_range_m, speed_mps=float(itype.average_speed_mps),
                   reaction_s=float(itype.reaction_time_s), range_kind=range_kind)


@dataclass(frozen=True)
class LaunchWindow:
    """Launch window of one battery against one sampled path, for a batch (leading shape S; K samples).

    Per sample (S, K): `launch_s` (t − flyout, s), `flyout_s` (s), `alt_m`, `range_m` (m, of the envelope's
    kind) and `feasible`. Per pair (S,): `has_window`; `earliest_launch_s` / `latest_launch_s` (s) with the
    intercept times `earliest_intercept_s` / `latest_intercept_s` (s) and points `earliest_pip_m` /
    `latest_pip_m` (S, 3), m, ECEF; NaN when there is no window. `earliest_index` / `latest_index` are the
    sample indices (−1 when there is no window).
    """

    launch_s: _Array
    flyout_s: _Array
    alt_m: _Array
    range_m: _Array
    feasible: _BoolArray
    has_window: _BoolArray
    earliest_index: NDArray[np.intp]
    latest_index: NDArray[np.intp]
    earliest_launch_s: _Array
    latest_launch_s: _Array
    earliest_intercept_s: _Array
    latest_intercept_s: _Array
    earliest_pip_m: _Array
    latest_pip_m: _Array


def envelope_range_m(site_m: ArrayLike, points_m: ArrayLike, kind: RangeKind = "ground",
                     earth: EarthModel = WGS84) -> _Array:
    """Range from sites (..., 3) to points (..., 3), ECEF m: great-circle distance between the geodetic
    sub-points on a sphere of mean Earth radius ("ground"; treats geodetic latitude as spherical, ~0.3 %
    error) or straight-line distance ("slant"), m."""
    site = np.asarray(site_m, dtype=np.float64)
    pts = np.asarray(points_m, dtype=np.float64)
    if kind == "slant":
        return np.linalg.norm(pts - site, axis=-1)
    lat2, lon2, _ = ecef_to_geodetic(pts, earth)
    return _ground_range_m(site, lat2, lon2, earth)


def _ground_range_m(site_m: _Array, lat_deg: ArrayLike, lon_deg: ArrayLike, earth: EarthModel) -> _Array:
    """The "ground" range of `envelope_range_m` from sites (..., 3), ECEF m, to points given geodetically."""
    lat1, lon1, _ = ecef_to_geodetic(site_m, earth)
    return MEAN_EARTH_RADIUS_M * np.asarray(central_angle_rad(lat1, lon1, lat_deg, lon_deg))


def path_geodetic(path_pos_m: ArrayLike, earth: EarthModel = WGS84) -> tuple[_Array, _Array, _Array]:
    """(lat deg, lon deg, alt m) of path samples (..., K, 3), ECEF m: what `launch_window` needs of a path
    besides its positions, to be computed once per path when many batteries look at it."""
    lat, lon, alt = ecef_to_geodetic(np.asarray(path_pos_m, dtype=np.float64), earth)
    return np.asarray(lat), np.asarray(lon), np.asarray(alt)


def launch_window(site_m: ArrayLike, path_t_s: ArrayLike, path_pos_m: ArrayLike, envelope: Envelope,
                  now_s: ArrayLike, earth: EarthModel = WGS84,
                  geodetic: tuple[_Array, _Array, _Array] | None = None) -> LaunchWindow:
    """Feasible launch window of a battery at `site_m` (..., 3) against a path sampled at times `path_t_s`
    ((K,) or (..., K)) with ECEF positions `path_pos_m` (..., K, 3), decided at `now_s` (s); `geodetic`: the
    path's `path_geodetic`, when already known.

    Samples with NaN positions (outside the flight) are infeasible. Leading axes broadcast, so sites (B, 1, 3)
    against paths (1, T, K, 3) give a (B, T) batch.
    """
    site = np.asarray(site_m, dtype=np.float64)[..., None, :]
    pos = np.asarray(path_pos_m, dtype=np.float64)
    t = np.asarray(path_t_s, dtype=np.float64)
    now = np.asarray(now_s, dtype=np.float64)[..., None]
    lat, lon, alt = geodetic if geodetic is not None else path_geodetic(pos, earth)
    slant = np.linalg.norm(pos - site, axis=-1)
    rng = slant if envelope.range_kind == "slant" else _ground_range_m(site, lat, lon, earth)
    flyout = slant / envelope.speed_mps
    launch = t - flyout
    with np.errstate(invalid="ignore"):
        feasible = ((alt >= envelope.min_alt_m) & (alt <= envelope.max_alt_m) & (rng <= envelope.max_range_m)
                    & (launch >= now + envelope.reaction_s) & np.isfinite(launch))
    shape = np.broadcast_shapes(feasible.shape, launch.shape, rng.shape)
    feasible = np.broadcast_to(feasible, shape)
    launch = np.broadcast_to(launch, shape)
    t_full = np.broadcast_to(t, shape)
    pos_full = np.broadcast_to(pos, (*shape, 3))
    has = feasible.any(axis=-1)
    lo = np.argmin(np.where(feasible, launch, np.inf), axis=-1)
    hi = np.argmax(np.where(feasible, launch, -np.inf), axis=-1)

    def pick(a: _Array, idx: NDArray[np.intp]) -> _Array:
        return np.take_along_axis(a, idx[..., None], axis=-1)[..., 0]

    def pick3(a: _Array, idx: NDArray[np.intp]) -> _Array:
        return np.take_along_axis(a, idx[..., None, None], axis=-2)[..., 0, :]

    nan = np.nan
    return LaunchWindow(
        launch_s=launch, flyout_s=np.broadcast_to(flyout, shape), alt_m=np.broadcast_to(alt, shape),
        range_m=np.broadcast_to(rng, shape), feasible=feasible, has_window=has,
        earliest_index=np.where(has, lo, -1), latest_index=np.where(has, hi, -1),
        earliest_launch_s=np.where(has, pick(launch, lo), nan),
        latest_launch_s=np.where(has, pick(launch, hi), nan),
        earliest_intercept_s=np.where(has, pick(t_full, lo), nan),
        latest_intercept_s=np.where(has, pick(t_full, hi), nan),
        earliest_pip_m=np.where(has[..., None], pick3(pos_full, lo), nan),
        latest_pip_m=np.where(has[..., None], pick3(pos_full, hi), nan),
    )
