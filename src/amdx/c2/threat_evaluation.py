"""Threat evaluation from tracks (never truth): which defended assets a ballistic track threatens, how likely,
how soon, and in what order to deal with the threats.

For each track with a predicted impact point (its mean in geodetic degrees and a 2×2 east/north covariance from
`amdx.tracking.impact`), the probability that the impact falls inside an asset's defended radius is the
integral of the bivariate normal impact density over that disc. It is evaluated by quasi-Monte Carlo: a fixed,
scrambled Sobol' set of `QMC_POINTS` standard-normal points (drawn once from a seeded generator, so results are
deterministic) is mapped through the Cholesky factor of each covariance, and the share of points inside the
disc is the probability. The local plane is the tangent plane at the predicted impact point (asset offsets by
the great circle on the mean sphere; the assets of interest are within a few hundred km of the impact).

A track whose impact falls in open sea or empty land threatens nothing: every probability is below
`THREAT_PROBABILITY_FLOOR`, and "no engagement" is the correct answer for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.stats import norm, qmc

from amdx.c2.disc_kernels import disc_probabilities, impact_probabilities
from amdx.geo import SPHERE

_Array = NDArray[np.float64]

QMC_POINTS = 1024
THREAT_PROBABILITY_FLOOR = 0.01
"""Below this probability of impact inside its radius, an asset is not threatened by a track."""


@cache
def _standard_normal_points(n: int = QMC_POINTS, seed: int = 20261126) -> _Array:
    """The fixed quasi-random standard-normal points (made on first use, then shared, read-only)."""
    sobol = qmc.Sobol(d=2, scramble=True, rng=np.random.default_rng(seed))
    points = norm.ppf(np.clip(sobol.random(n), 1e-12, 1 - 1e-12))
    points.flags.writeable = False
    return points


def probability_inside_disc(offset_en_m: ArrayLike, radius_m: ArrayLike, cov_en_m2: ArrayLike) -> _Array:
    """P(impact inside a disc): impact ~ N(0, C) in the local east/north plane, disc centred at `offset_en_m`.

    Args:
        offset_en_m: (..., 2) disc centre relative to the mean impact point, m (east, north).
        radius_m: (...) disc radius, m.
        cov_en_m2: (..., 2, 2) impact covariance, m² (positive semi-definite; NaN probabilities otherwise).
    Returns:
        (...) probabilities in [0, 1].
    """
    off = np.asarray(offset_en_m, dtype=np.float64)
    r = np.asarray(radius_m, dtype=np.float64)
    c = np.asarray(cov_en_m2, dtype=np.float64)
    shape = np.broadcast_shapes(off.shape[:-1], r.shape, c.shape[:-2])
    # broadcast only what needs it (the engine passes one offset, radius and covariance per pair)
    c = (c if c.shape[:-2] == shape else np.broadcast_to(c, (*shape, 2, 2))).reshape(-1, 2, 2)
    off = (off if off.shape[:-1] == shape else np.broadcast_to(off, (*shape, 2))).reshape(-1, 2)
    r = (r if r.shape == shape else np.broadcast_to(r, shape)).reshape(-1)
    z0, z1, z_max = disc_points()
    return disc_probabilities(np.ascontiguousarray(c), np.ascontiguousarray(off), np.ascontiguousarray(r), z0, z1,
                              z_max).reshape(shape)


@cache
def disc_points() -> tuple[_Array, _Array, float]:
    """The quasi-random points as two contiguous columns, and their largest distance from the origin."""
    z = _standard_normal_points()
    return np.ascontiguousarray(z[:, 0]), np.ascontiguousarray(z[:, 1]), float(np.sqrt((z * z).sum(axis=1)).max())


@dataclass(frozen=True)
class ThreatAssessment:
    """Threat evaluation of k tracks against a assets.

    Attributes:
        probability: (k, a) probability that each track's impact falls inside each asset's radius.
        expected_value_at_risk: (k,) Σ_a probability × value.
        time_to_impact_s: (k,) from the impact prediction (NaN when unknown).
        threatened: (k,) any asset above `THREAT_PROBABILITY_FLOOR`.
        order: (k,) track rows in priority order: threatening tracks first, by value at risk (highest first),
            then time to impact (soonest first), then row (stable); non-threatening tracks last by time to impact.
    """

    probability: _Array
    expected_value_at_risk: _Array
    time_to_impact_s: _Array
    threatened: NDArray[np.bool_]
    order: NDArray[np.intp]


def asset_columns(*columns: ArrayLike) -> list[_Array]:
    """The asset columns (latitudes, longitudes, radii, values) as contiguous float arrays of one length (a
    scalar is broadcast; columns of different lengths raise ValueError): the compiled passes index them
    without bounds checks."""
    return [np.ascontiguousarray(a) for a in np.broadcast_arrays(*(np.atleast_1d(np.asarray(c, dtype=np.float64))
                                                                   for c in columns))]


def evaluate_threats(impact_lat_deg: ArrayLike, impact_lon_deg: ArrayLike, cov_en_m2: ArrayLike,
                     time_to_impact_s: ArrayLike, asset_lat_deg: ArrayLike, asset_lon_deg: ArrayLike,
                     asset_radius_m: ArrayLike, asset_value: ArrayLike,
                     floor: float = THREAT_PROBABILITY_FLOOR) -> ThreatAssessment:
    """Evaluate k predicted impacts (degrees, (k, 2, 2) m², s) against a assets (degrees, m, value)."""
    lat, lon, tti = np.broadcast_arrays(*(np.atleast_1d(np.asarray(a, dtype=np.float64)) for a in
                                          (impact_lat_deg, impact_lon_deg, time_to_impact_s)))
    cov = np.asarray(cov_en_m2, dtype=np.float64)
    cov = np.broadcast_to(cov, (*np.broadcast_shapes(lat.shape, cov.shape[:-2]), 2, 2)).reshape(-1, 2, 2)
    if len(cov) != lat.size:
        raise ValueError(f"{lat.size} impacts but {len(cov)} covariances")
    lat, lon = np.ascontiguousarray(lat), np.ascontiguousarray(lon)
    alat, alon, radius, value = asset_columns(asset_lat_deg, asset_lon_deg, asset_radius_m, asset_value)
    prob = impact_probabilities(lat, lon, np.ascontiguousarray(cov), alat, alon, radius, SPHERE.a_m, *disc_points())
    risk = prob @ value
    threatened = (prob >= floor).any(axis=1)
    tti_key = np.where(np.isfinite(tti), tti, np.inf)
    order = np.lexsort((np.arange(lat.size), tti_key, -np.where(threatened, risk, 0.0), ~threatened))
    return ThreatAssessment(prob, risk, tti, threatened, order)
