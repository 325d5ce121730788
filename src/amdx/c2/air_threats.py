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

from amdx.c2.disc_kernels import air_probabilities
from amdx.c2.threat_evaluation import THREAT_PROBABILITY_FLOOR, ThreatAssessment, asset_columns, disc_points
from amdx.geo import WGS84

_Array = NDArray[np.float64]

HEADING_SPREAD = 0.05
"""Growth of the cross-track uncertainty per metre flown (≈ 3° of heading), dimensionless."""
HORIZON_S = 1800.0
"""Closest approaches further ahead than this threaten nothing yet, s."""


def evaluate_air_tracks(pos_ecef_m: ArrayLike, vel_ecef_mps: ArrayLike, pos_sigma_m: ArrayLike,
                        asset_lat_deg: ArrayLike, asset_lon_deg: ArrayLike, asset_radius_m: ArrayLike,
                        asset_value: ArrayLike, floor: float = THREAT_PROBABILITY_FLOOR) -> ThreatAssessment:
    """Evaluate k air-breathing tracks (positions (k, 3), velocities (k, 3), 1σ per axis (k,)) against a assets.

    `time_to_impact_s` holds the time to the earliest closest approach among the threatened assets (those at or
    above `floor`; NaN if none): the soonest the track can strike something.
    """
    pos = np.ascontiguousarray(np.asarray(pos_ecef_m, dtype=np.float64).reshape(-1, 3))
    # velocities and sigmas broadcast over the tracks (the compiled pass indexes them without bounds checks)
    vel = np.ascontiguousarray(np.broadcast_to(np.asarray(vel_ecef_mps, dtype=np.float64).reshape(-1, 3), pos.shape))
    sig = np.ascontiguousarray(np.broadcast_to(np.asarray(pos_sigma_m, dtype=np.float64).reshape(-1), len(pos)))
    alat, alon, radius, value = asset_columns(asset_lat_deg, asset_lon_deg, asset_radius_m, asset_value)
    prob, t_cpa = air_probabilities(pos, vel, sig, alat, alon, radius, WGS84.a_m, WGS84.e2, HEADING_SPREAD, HORIZON_S,
                                    *disc_points())
    risk = prob @ value
    threatened = (prob >= floor).any(axis=1)
    with np.errstate(invalid="ignore"):
        first = np.where(prob >= floor, t_cpa, np.inf).min(axis=1) if alat.size else np.full(len(pos), np.inf)
    tti = np.where(np.isfinite(first), first, np.nan)
    tti_key = np.where(np.isfinite(tti), tti, np.inf)
    order = np.lexsort((np.arange(len(pos)), tti_key, -np.where(threatened, risk, 0.0), ~threatened))
    return ThreatAssessment(prob, risk, tti, threatened, order)
