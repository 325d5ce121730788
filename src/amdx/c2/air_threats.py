"""Threat evaluation of air-breathing tracks (cruise missiles, aircraft, drones) from their estimates.

A track is projected along a straight line at its current velocity (dead reckoning). For each defended asset,
the closest approach of that line to the asset (refs §5.1, in the local horizontal plane of the asset) gives
the time to go and the predicted miss offset. The probability that the track passes inside the asset's radius
is that of a bivariate normal about the predicted offset, with a per-axis σ that grows with the time to go (the
track may turn): σ² = σ_pos² + (k · speed · t_go)², k = `HEADING_SPREAD`. Closest approaches in the past, or
later than `HORIZON_S`, threaten nothing. Units: ECEF m and m/s, s.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from amdx.c2.threat_evaluation import THREAT_PROBABILITY_FLOOR, ThreatAssessment, probability_inside_disc
from amdx.geo import geodetic_to_ecef

_Array = NDArray[np.float64]

HEADING_SPREAD = 0.05
"""Growth of the cross-track uncertainty per metre flown (≈ 3° of heading), dimensionless."""
HORIZON_S = 1800.0
"""Closest approaches further ahead than this threaten nothing yet, s."""


def _east_north_up(lat_deg: _Array, lon_deg: _Array) -> _Array:
    lat, lon = np.radians(lat_deg), np.radians(lon_deg)
    sl, cl, so, co = np.sin(lat), np.cos(lat), np.sin(lon), np.cos(lon)
    east = np.stack([-so, co, np.zeros_like(so)], axis=-1)
    north = np.stack([-sl * co, -sl * so, cl], axis=-1)
    up = np.stack([cl * co, cl * so, sl], axis=-1)
    return np.stack([east, north, up], axis=-2)  # (a, 3, 3): rows e, n, u


def evaluate_air_tracks(pos_ecef_m: ArrayLike, vel_ecef_mps: ArrayLike, pos_sigma_m: ArrayLike,
                        asset_lat_deg: ArrayLike, asset_lon_deg: ArrayLike, asset_radius_m: ArrayLike,
                        asset_value: ArrayLike, floor: float = THREAT_PROBABILITY_FLOOR) -> ThreatAssessment:
    """Evaluate k air-breathing tracks (positions (k, 3), velocities (k, 3), 1σ per axis (k,)) against a assets.

    `time_to_impact_s` holds the time to the earliest closest approach among the threatened assets (those at or
    above `floor`; NaN if none): the soonest the track can strike something.
    """
    pos = np.asarray(pos_ecef_m, dtype=np.float64).reshape(-1, 3)
    vel = np.asarray(vel_ecef_mps, dtype=np.float64).reshape(-1, 3)
    sig = np.asarray(pos_sigma_m, dtype=np.float64).reshape(-1)
    alat = np.atleast_1d(np.asarray(asset_lat_deg, dtype=np.float64))
    alon = np.atleast_1d(np.asarray(asset_lon_deg, dtype=np.float64))
    radius = np.atleast_1d(np.asarray(asset_radius_m, dtype=np.float64))
    value = np.atleast_1d(np.asarray(asset_value, dtype=np.float64))
    k, a = len(pos), alat.size
    prob = np.zeros((k, a))
    t_cpa = np.full((k, a), np.nan)
    if k and a:
        asset_ecef = np.asarray(geodetic_to_ecef(alat, alon, np.zeros(a)), dtype=np.float64).reshape(a, 3)
        enu = _east_north_up(alat, alon)
        rel = np.einsum("aij,kaj->kai", enu, pos[:, None, :] - asset_ecef[None, :, :])[..., :2]  # (k, a, 2)
        v = np.einsum("aij,kj->kai", enu, vel)[..., :2]
        v2 = np.sum(v * v, axis=-1)
        with np.errstate(divide="ignore", invalid="ignore"):
            tc = np.where(v2 > 1.0, -np.sum(rel * v, axis=-1) / v2, np.nan)
        ahead = np.isfinite(tc) & (tc > 0.0) & (tc <= HORIZON_S)
        miss = rel + v * np.where(ahead, tc, 0.0)[..., None]
        spread = HEADING_SPREAD * np.sqrt(v2) * np.where(ahead, tc, 0.0)
        s2 = sig[:, None] ** 2 + spread**2
        near = ahead & (np.linalg.norm(miss, axis=-1) <= radius[None, :] + 6.0 * np.sqrt(s2))
        if near.any():
            i, j = np.nonzero(near)
            cov = s2[i, j][:, None, None] * np.eye(2)[None]
            prob[i, j] = probability_inside_disc(miss[i, j], radius[j], cov)
        t_cpa = np.where(ahead, tc, np.nan)
    risk = prob @ value
    threatened = (prob >= floor).any(axis=1)
    with np.errstate(invalid="ignore"):
        first = np.where(prob >= floor, t_cpa, np.inf).min(axis=1) if a else np.full(k, np.inf)
    tti = np.where(np.isfinite(first), first, np.nan)
    tti_key = np.where(np.isfinite(tti), tti, np.inf)
    order = np.lexsort((np.arange(k), tti_key, -np.where(threatened, risk, 0.0), ~threatened))
    return ThreatAssessment(prob, risk, tti, threatened, order)
