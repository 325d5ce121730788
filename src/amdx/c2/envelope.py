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

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from amdx.c2.envelope_kernels import flyout_samples, window_ends
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
class WindowBounds:
    """The ends of the launch windows of a batch of pairs (leading shape S): `has_window`; `earliest_launch_s`
    / `latest_launch_s` (s) with the intercept times `earliest_intercept_s` / `latest_intercept_s` (s) and
    points `earliest_pip_m` / `latest_pip_m` (S, 3), m, ECEF; NaN when there is no window. `earliest_index` /
    `latest_index` are the sample indices (−1 when there is no window)."""

    has_window: _BoolArray
    earliest_index: NDArray[np.intp]
    latest_index: NDArray[np.intp]
    earliest_launch_s: _Array
    latest_launch_s: _Array
    earliest_intercept_s: _Array
    latest_intercept_s: _Array
    earliest_pip_m: _Array
    latest_pip_m: _Array


@dataclass(frozen=True)
class LaunchWindow(WindowBounds):
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
    return _arc_m(lat1, lon1, lat_deg, lon_deg)


def _arc_m(lat1: ArrayLike, lon1: ArrayLike, lat2: ArrayLike, lon2: ArrayLike) -> _Array:
    """Great-circle distance on the sphere of mean Earth radius between geodetic points (deg), m."""
    return MEAN_EARTH_RADIUS_M * np.asarray(central_angle_rad(lat1, lon1, lat2, lon2))


def path_geodetic(path_pos_m: ArrayLike, earth: EarthModel = WGS84) -> tuple[_Array, _Array, _Array]:
    """(lat deg, lon deg, alt m) of path samples (..., K, 3), ECEF m: what `launch_window` needs of a path
    besides its positions, to be computed once per path when many batteries look at it."""
    lat, lon, alt = ecef_to_geodetic(np.asarray(path_pos_m, dtype=np.float64), earth)
    return np.asarray(lat), np.asarray(lon), np.asarray(alt)


@dataclass(frozen=True)
class _Samples:
    """The pairs of a window request flattened to N rows against K path samples (`flyout_samples`)."""

    shape: tuple[int, ...]  # the broadcast shape S of the pairs
    site: _Array  # (N, 3)
    path_row: NDArray[np.intp]  # (N,) row of each pair's path in pos, lat, lon, alt (R, K[, 3])
    t_row: NDArray[np.intp]  # (N,) row of each pair's sample times in t (Rt, K)
    pos: _Array
    lat: _Array
    lon: _Array
    alt: _Array
    t: _Array
    flyout: _Array  # (N, K)
    launch: _Array  # (N, K)
    in_band: NDArray[np.bool_]  # (N, K): every constraint met but the range


def _rows(lead: tuple[int, ...], shape: tuple[int, ...]) -> NDArray[np.intp]:
    """For each pair of the broadcast `shape` (flattened), the row of its input of leading shape `lead`."""
    n = math.prod(lead)
    if lead == shape:
        return np.arange(n, dtype=np.intp)
    if n == 1:
        return np.zeros(math.prod(shape), dtype=np.intp)
    return np.broadcast_to(np.arange(n, dtype=np.intp).reshape(lead), shape).ravel()


def _flat_rows(a: _Array, lead: tuple[int, ...], k: int) -> _Array:
    """A per-path array (..., K) as contiguous rows (R, K), R the product of `lead`."""
    return np.ascontiguousarray(a if a.shape[:-1] == lead else np.broadcast_to(a, (*lead, k))).reshape(-1, k)


def _samples(site_m: ArrayLike, path_t_s: ArrayLike, path_pos_m: ArrayLike, envelope: Envelope, now_s: ArrayLike,
             earth: EarthModel, geodetic: tuple[_Array, _Array, _Array] | None) -> _Samples:
    site = np.asarray(site_m, dtype=np.float64)
    pos = np.asarray(path_pos_m, dtype=np.float64)
    t = np.asarray(path_t_s, dtype=np.float64)
    now = np.asarray(now_s, dtype=np.float64)
    lat, lon, alt = (np.asarray(a) for a in (geodetic if geodetic is not None else path_geodetic(pos, earth)))
    k = pos.shape[-2]
    lead = pos.shape[:-2]
    shape = np.broadcast_shapes(site.shape[:-1], lead, t.shape[:-1], now.shape)
    path_row, t_row = _rows(lead, shape), _rows(t.shape[:-1], shape)
    sites = np.ascontiguousarray(site if site.shape[:-1] == shape else np.broadcast_to(site, (*shape, 3)))
    sites = sites.reshape(-1, 3)
    pos2 = np.ascontiguousarray(pos.reshape(-1, k, 3))
    lat2, lon2, alt2 = (_flat_rows(a, lead, k) for a in (lat, lon, alt))
    t2 = np.ascontiguousarray(t.reshape(-1, k))
    nows = np.full(sites.shape[0], float(now)) if now.ndim == 0 else np.broadcast_to(now, shape).ravel()
    flyout, launch, in_band = flyout_samples(
        sites, np.ascontiguousarray(nows), pos2, alt2, t2, path_row, t_row, float(envelope.min_alt_m),
        float(envelope.max_alt_m), float(envelope.speed_mps), float(envelope.reaction_s))
    return _Samples(shape, sites, path_row, t_row, pos2, lat2, lon2, alt2, t2, flyout, launch, in_band)


def _bounds(sm: _Samples, feasible: NDArray[np.bool_]) -> WindowBounds:
    lo, hi, times, pips = window_ends(feasible, sm.launch, sm.t, sm.t_row, sm.pos, sm.path_row)
    s = sm.shape
    return WindowBounds(
        has_window=(lo >= 0).reshape(s), earliest_index=lo.reshape(s), latest_index=hi.reshape(s),
        earliest_launch_s=times[:, 0, 0].reshape(s), latest_launch_s=times[:, 1, 0].reshape(s),
        earliest_intercept_s=times[:, 0, 1].reshape(s), latest_intercept_s=times[:, 1, 1].reshape(s),
        earliest_pip_m=pips[:, 0].reshape((*s, 3)), latest_pip_m=pips[:, 1].reshape((*s, 3)))


def window_bounds(site_m: ArrayLike, path_t_s: ArrayLike, path_pos_m: ArrayLike, envelope: Envelope,
                  now_s: ArrayLike, earth: EarthModel = WGS84,
                  geodetic: tuple[_Array, _Array, _Array] | None = None) -> WindowBounds:
    """The ends of the feasible launch windows of `launch_window` (same arguments) without its per-sample
    arrays: the range, the one constraint that needs trigonometry, is computed only for the samples that meet
    every other constraint (the altitude band and the launch time rule most samples out), from each site's
    geodetic position taken once."""
    sm = _samples(site_m, path_t_s, path_pos_m, envelope, now_s, earth, geodetic)
    i, j = np.nonzero(sm.in_band)
    feasible = np.zeros_like(sm.in_band)
    if i.size:
        p = sm.path_row[i]
        if envelope.range_kind == "slant":
            rng = np.linalg.norm(sm.pos[p, j] - sm.site[i], axis=-1)
        else:
            lat1, lon1, _ = ecef_to_geodetic(sm.site, earth)  # each site once, not once per sample
            rng = _arc_m(lat1[i], lon1[i], sm.lat[p, j], sm.lon[p, j])
        feasible[i, j] = rng <= envelope.max_range_m
    return _bounds(sm, feasible)


def launch_window(site_m: ArrayLike, path_t_s: ArrayLike, path_pos_m: ArrayLike, envelope: Envelope,
                  now_s: ArrayLike, earth: EarthModel = WGS84,
                  geodetic: tuple[_Array, _Array, _Array] | None = None) -> LaunchWindow:
    """Feasible launch window of a battery at `site_m` (..., 3) against a path sampled at times `path_t_s`
    ((K,) or (..., K)) with ECEF positions `path_pos_m` (..., K, 3), decided at `now_s` (s); `geodetic`: the
    path's `path_geodetic`, when already known.

    Samples with NaN positions (outside the flight) are infeasible. Leading axes broadcast, so sites (B, 1, 3)
    against paths (1, T, K, 3) give a (B, T) batch. `window_bounds` gives the same ends without the per-sample
    arrays, for less work.
    """
    sm = _samples(site_m, path_t_s, path_pos_m, envelope, now_s, earth, geodetic)
    p = sm.path_row
    if envelope.range_kind == "slant":
        rng = np.linalg.norm(sm.pos[p] - sm.site[:, None, :], axis=-1)
    else:
        rng = _ground_range_m(sm.site[:, None, :], sm.lat[p], sm.lon[p], earth)
    with np.errstate(invalid="ignore"):
        feasible = sm.in_band & (rng <= envelope.max_range_m)
    b = _bounds(sm, feasible)
    full = (*sm.shape, sm.launch.shape[1])
    return LaunchWindow(
        launch_s=sm.launch.reshape(full), flyout_s=sm.flyout.reshape(full), alt_m=sm.alt[p].reshape(full),
        range_m=rng.reshape(full), feasible=feasible.reshape(full), **vars(b))
