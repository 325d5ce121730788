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

from amdx.c2.disc_kernels import count_inside, near_pairs
from amdx.geo import SPHERE, geodetic_to_ecef, great_circle_distance_m, initial_azimuth_deg

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
        cov_en_m2: (..., 2, 2) impact covariance, m².
    Returns:
        (...) probabilities in [0, 1].
    """
    off = np.asarray(offset_en_m, dtype=np.float64)
    r = np.asarray(radius_m, dtype=np.float64)
    c = np.asarray(cov_en_m2, dtype=np.float64)
    c = 0.5 * (c + np.swapaxes(c, -1, -2)) + np.eye(2) * 1e-6  # a point mass gets a 1 mm spread
    chol = np.linalg.cholesky(c)
    z = _standard_normal_points()
    shape = np.broadcast_shapes(off.shape[:-1], r.shape, c.shape[:-2])
    # broadcast only what needs it (the engine passes one offset, radius and covariance per pair)
    chol = (chol if chol.shape[:-2] == shape else np.broadcast_to(chol, (*shape, 2, 2))).reshape(-1, 2, 2)
    off = (off if off.shape[:-1] == shape else np.broadcast_to(off, (*shape, 2))).reshape(-1, 2)
    r = (r if r.shape == shape else np.broadcast_to(r, shape)).reshape(-1)
    # every sample L z lies within |L|₂ max|z| of the mean: a disc that holds that circle (or misses it) holds
    # every sample (or none), which decides most pairs without the samples; a margin keeps rounding out of it
    spread = _spectral_norm_bound(chol) * _max_radius() * (1.0 + 1e-9) + 1e-6
    gap = np.hypot(off[:, 0], off[:, 1])
    p = np.where(gap + spread <= r, 1.0, 0.0)
    undecided = np.flatnonzero(np.abs(gap - r) < spread)
    if undecided.size:
        counts = count_inside(np.ascontiguousarray(chol), np.ascontiguousarray(off), np.ascontiguousarray(r),
                              undecided, np.ascontiguousarray(z[:, 0]), np.ascontiguousarray(z[:, 1]))
        p[undecided] = counts / z.shape[0]
    return p.reshape(shape)


def _spectral_norm_bound(chol: _Array) -> _Array:
    """The spectral norm of lower-triangular 2×2 matrices L (..., 2, 2): the square root of the larger
    eigenvalue of L Lᵀ, in closed form (sums of squares only, no cancellation). Tighter than the Frobenius norm
    by up to √2 for a round ellipse, so more discs are decided without samples; the caller's relative margin
    (1e-9) covers its rounding (a few 1e-16)."""
    l00, l10, l11 = chol[..., 0, 0], chol[..., 1, 0], chol[..., 1, 1]
    m00, m01, m11 = l00 * l00, l00 * l10, l10 * l10 + l11 * l11
    return np.sqrt(0.5 * (m00 + m11) + np.hypot(0.5 * (m00 - m11), m01))


@cache
def _max_radius() -> float:
    """The largest distance of a quasi-random point from the origin."""
    z = _standard_normal_points()
    return float(np.sqrt((z * z).sum(axis=1)).max())


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


def evaluate_threats(impact_lat_deg: ArrayLike, impact_lon_deg: ArrayLike, cov_en_m2: ArrayLike,
                     time_to_impact_s: ArrayLike, asset_lat_deg: ArrayLike, asset_lon_deg: ArrayLike,
                     asset_radius_m: ArrayLike, asset_value: ArrayLike,
                     floor: float = THREAT_PROBABILITY_FLOOR) -> ThreatAssessment:
    """Evaluate k predicted impacts (degrees, (k, 2, 2) m², s) against a assets (degrees, m, value)."""
    lat = np.atleast_1d(np.asarray(impact_lat_deg, dtype=np.float64))
    lon = np.atleast_1d(np.asarray(impact_lon_deg, dtype=np.float64))
    cov = np.asarray(cov_en_m2, dtype=np.float64).reshape(-1, 2, 2)
    tti = np.atleast_1d(np.asarray(time_to_impact_s, dtype=np.float64))
    alat = np.atleast_1d(np.asarray(asset_lat_deg, dtype=np.float64))
    alon = np.atleast_1d(np.asarray(asset_lon_deg, dtype=np.float64))
    radius = np.atleast_1d(np.asarray(asset_radius_m, dtype=np.float64))
    value = np.atleast_1d(np.asarray(asset_value, dtype=np.float64))
    k, a = lat.size, alat.size
    prob = np.zeros((k, a))
    known = np.isfinite(lat) & np.isfinite(lon) & np.isfinite(cov).all(axis=(1, 2))
    if a and known.any():
        rows = np.flatnonzero(known)
        reach = radius[None, :] + 6.0 * np.sqrt(np.trace(cov[rows], axis1=1, axis2=2))[:, None]  # (r, a), m
        # the chord between points of the mean sphere never exceeds their great-circle distance: pairs whose
        # chord is beyond reach (with a margin for rounding) are far, and skip the trigonometry of the distance
        p_imp = np.asarray(geodetic_to_ecef(lat[rows], lon[rows], 0.0, SPHERE)).reshape(-1, 3)
        p_asset = np.asarray(geodetic_to_ecef(alat, alon, 0.0, SPHERE)).reshape(-1, 3)
        i, j = near_pairs(p_imp, p_asset, reach)
        dist = great_circle_distance_m(lat[rows[i]], lon[rows[i]], alat[j], alon[j])
        near = dist <= reach[i, j]
        i, j, dist = i[near], j[near], dist[near]
        if i.size:
            az = np.radians(initial_azimuth_deg(lat[rows[i]], lon[rows[i]], alat[j], alon[j]))
            offset = np.stack([dist * np.sin(az), dist * np.cos(az)], axis=-1)  # (pairs, 2) east, north
            prob[rows[i], j] = probability_inside_disc(offset, radius[j], cov[rows[i]])
    risk = prob @ value
    threatened = (prob >= floor).any(axis=1)
    tti_key = np.where(np.isfinite(tti), tti, np.inf)
    order = np.lexsort((np.arange(k), tti_key, -np.where(threatened, risk, 0.0), ~threatened))
    return ThreatAssessment(prob, risk, tti, threatened, order)
