"""Impact point prediction for ballistic tracks, with time to impact and an uncertainty ellipse.

A track state (ECEF position and Earth-relative velocity at time t, covariance P 6×6) is turned into an
inertial state (frame of `amdx.geo`: ECI = ECEF at t = 0, rotating at ω about +z) and propagated analytically
on its Kepler ellipse (`amdx.flight.kepler.KeplerOrbits`) to the descending crossing of the geodetic altitude
`impact_alt_m` (`amdx.flight.surface.surface_crossing_time`); the crossing point is converted back to ECEF at
the impact time. Vacuum two-body flight: no drag, no J2 (refs/physics.md §1–§2).

Uncertainty (unscented transform, Julier & Uhlmann 1997, κ = 0): the 2n = 12 sigma points x ± √n Lᵢ (L the
Cholesky factor of P, n = 6), weights 1/12, are each propagated to impact. Their mean is the predicted
impact point and time; their spread, projected on the local east/north plane at that point, gives a 2×2
covariance C. The ellipse at confidence c has semi-axes k√λ₁, k√λ₂ (λ the eigenvalues of C) with
k = √χ²₂(c) = √(−2 ln(1 − c)) (2.4477 at 95 %), its major axis at `major_axis_azimuth_deg` (clockwise from
north, in [0, 180)).

Vectorised over tracks. A track is invalid (NaN results) when any sigma point is not on an elliptic orbit, is
already below the impact altitude and descending, or never comes down to it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from amdx.flight.kepler import KeplerOrbits
from amdx.flight.surface import surface_crossing_time
from amdx.geo import (
    WGS84,
    EarthModel,
    ecef_to_eci,
    ecef_to_geodetic,
    ecef_velocity_to_eci,
    eci_to_ecef,
    enu_basis,
    up_components,
)

_Array = NDArray[np.float64]

DEFAULT_CONFIDENCE = 0.95
NEAR_SURFACE_MARGIN_M = 1.0
"""Points this far (plus the impact altitude) outside the sphere of the equatorial radius are taken to be above the
impact altitude without a geodetic conversion (it covers the rounding of |r|), m."""


def ellipse_scale(confidence: float) -> float:
    """k with P(χ²₂ ≤ k²) = confidence: k = √(−2 ln(1 − c)); 2.4477 at 95 %."""
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be in (0, 1), found {confidence}")
    return float(np.sqrt(-2.0 * np.log1p(-confidence)))


def error_ellipse(cov_en_m2: ArrayLike,
                  confidence: float = DEFAULT_CONFIDENCE) -> tuple[_Array, _Array, _Array]:
    """(semi-major m, semi-minor m, major-axis azimuth deg clockwise from north in [0, 180)) of the confidence
    ellipses of 2×2 east/north covariances (..., 2, 2), m²."""
    c = np.asarray(cov_en_m2, dtype=np.float64)
    a, b, d = c[..., 0, 0], 0.5 * (c[..., 0, 1] + c[..., 1, 0]), c[..., 1, 1]
    mid = 0.5 * (a + d)
    rad = np.hypot(0.5 * (a - d), b)
    k = ellipse_scale(confidence)
    major = k * np.sqrt(np.maximum(mid + rad, 0.0))
    minor = k * np.sqrt(np.maximum(mid - rad, 0.0))
    theta_east = 0.5 * np.degrees(np.arctan2(2.0 * b, a - d))  # counter-clockwise from east
    return major, minor, np.mod(90.0 - theta_east, 180.0)


@dataclass(frozen=True, eq=False)
class ImpactPrediction:
    """Predicted impacts of k tracks (NaN where `valid` is False).

    Attributes:
        valid: (k,) the prediction exists.
        impact_t_s: (k,) time of impact, s; time_to_impact_s: (k,) impact time minus the state time, s.
        time_to_impact_sigma_s: (k,) standard deviation of the impact time, s.
        impact_ecef_m: (k, 3) predicted impact point, ECEF m.
        impact_lat_deg, impact_lon_deg: (k,) its geodetic coordinates, deg.
        cov_en_m2: (k, 2, 2) east/north covariance of the impact point, m².
        semi_major_m, semi_minor_m: (k,) ellipse semi-axes at `confidence`, m.
        major_axis_azimuth_deg: (k,) azimuth of the major axis, deg clockwise from north, [0, 180).
        confidence: probability content of the ellipse; scale: its k (semi-axis = k·σ).
    """

    valid: NDArray[np.bool_]
    impact_t_s: _Array
    time_to_impact_s: _Array
    time_to_impact_sigma_s: _Array
    impact_ecef_m: _Array
    impact_lat_deg: _Array
    impact_lon_deg: _Array
    cov_en_m2: _Array
    semi_major_m: _Array
    semi_minor_m: _Array
    major_axis_azimuth_deg: _Array
    confidence: float
    scale: float


def _sqrt_cov(P: _Array) -> _Array:
    """Square roots L (L Lᵀ = P) of covariances (k, 6, 6): Cholesky, or the symmetric root if any P is not
    positive definite (negative eigenvalues from rounding are clipped to zero)."""
    try:
        return np.linalg.cholesky(P)
    except np.linalg.LinAlgError:
        w, v = np.linalg.eigh(0.5 * (P + P.transpose(0, 2, 1)))
        return v * np.sqrt(np.maximum(w, 0.0))[:, None, :]


def impact_points(x: ArrayLike, t_s: ArrayLike, earth: EarthModel = WGS84,
                  impact_alt_m: float = 0.0) -> tuple[_Array, _Array]:
    """Impact (time (m,) s, ECEF point (m, 3) m) of ballistic ECEF states x (m, 6) at times t_s (s, scalar or
    (m,)), vacuum two-body flight; NaN where there is none (see the module docstring)."""
    xx = np.asarray(x, dtype=np.float64).reshape(-1, 6)
    m = xx.shape[0]
    t = np.broadcast_to(np.asarray(t_s, dtype=np.float64), (m,))
    r, v = xx[:, :3], xx[:, 3:]
    r_eci = ecef_to_eci(r, t, earth)
    v_eci = ecef_velocity_to_eci(r, v, t, earth)
    rmag = np.linalg.norm(r_eci, axis=1)
    energy = 0.5 * np.einsum("ij,ij->i", v_eci, v_eci) - earth.mu_m3_s2 / rmag
    h = np.linalg.norm(np.cross(r_eci, v_eci), axis=1)
    ok = (energy < 0.0) & (h > 1e-9 * rmag * np.linalg.norm(v_eci, axis=1)) & np.isfinite(energy)
    # already down and descending? Only points near the surface can be below the impact altitude: the ellipsoid
    # lies within the sphere of radius a, so a point's height above it is at least |r| − a
    near = np.flatnonzero(ok & ~(rmag > earth.a_m + max(impact_alt_m, 0.0) + NEAR_SURFACE_MARGIN_M))
    if near.size:
        lat, lon, alt = ecef_to_geodetic(r[near], earth)
        ux, uy, uz = up_components(lat, lon)
        vn = v[near]
        v_up = (ux * vn[:, 0] + uz * vn[:, 2]) + uy * vn[:, 1]  # the order in which einsum sums "ij,ij->i"
        ok[near[(np.asarray(alt) < impact_alt_m) & (v_up < 0.0)]] = False
    t_imp = np.full(m, np.nan)
    p_imp = np.full((m, 3), np.nan)
    idx = np.flatnonzero(ok)
    if idx.size:
        orbits = KeplerOrbits(r_eci[idx], v_eci[idx], t[idx], earth.mu_m3_s2)
        ti = surface_crossing_time(orbits, impact_alt_m, earth)
        good = np.isfinite(ti)
        r_i, _ = orbits.states_at(np.flatnonzero(good), ti[good], velocity=False)
        t_imp[idx[good]] = ti[good]
        p_imp[idx[good]] = eci_to_ecef(r_i, ti[good], earth)
    return t_imp, p_imp


def predict_impact(x: ArrayLike, P: ArrayLike, t_s: float, *, earth: EarthModel = WGS84,
                   impact_alt_m: float = 0.0, confidence: float = DEFAULT_CONFIDENCE) -> ImpactPrediction:
    """Impact point, time and confidence ellipse of ballistic tracks: states x (k, 6) and covariances
    P (k, 6, 6) (ECEF, m, m/s) at time t_s (s); impact at geodetic altitude `impact_alt_m` (m)."""
    xx = np.asarray(x, dtype=np.float64).reshape(-1, 6)
    pp = np.asarray(P, dtype=np.float64).reshape(-1, 6, 6)
    k, n = xx.shape[0], 6
    scale = ellipse_scale(confidence)
    spread = np.sqrt(n) * _sqrt_cov(pp) if k else np.zeros((0, 6, 6))
    offsets = np.concatenate([spread, -spread], axis=2).transpose(0, 2, 1)  # (k, 12, 6)
    sigma = (xx[:, None, :] + offsets).reshape(-1, 6)
    t_pts, p_pts = impact_points(sigma, t_s, earth, impact_alt_m)
    t_pts = t_pts.reshape(k, 2 * n)
    p_pts = p_pts.reshape(k, 2 * n, 3)
    valid = np.isfinite(t_pts).all(axis=1)
    t_mean = t_pts.mean(axis=1)
    p_mean = p_pts.mean(axis=1)
    lat, lon, _ = ecef_to_geodetic(p_mean, earth)
    east, north, _ = enu_basis(lat, lon)
    dp = p_pts - p_mean[:, None, :]
    en = np.stack([np.einsum("kpi,ki->kp", dp, east), np.einsum("kpi,ki->kp", dp, north)], axis=-1)
    cov = np.einsum("kpi,kpj->kij", en, en) / (2 * n)
    major, minor, az = error_ellipse(cov, confidence)
    t_sigma = np.sqrt(np.mean((t_pts - t_mean[:, None]) ** 2, axis=1))
    nan = np.where(valid, 1.0, np.nan)

    def ro(a: _Array) -> _Array:
        out = np.array(a)
        out.flags.writeable = False
        return out

    return ImpactPrediction(
        valid=ro(valid), impact_t_s=ro(t_mean * nan), time_to_impact_s=ro((t_mean - float(t_s)) * nan),
        time_to_impact_sigma_s=ro(t_sigma * nan), impact_ecef_m=ro(p_mean * nan[:, None]),
        impact_lat_deg=ro(np.asarray(lat) * nan), impact_lon_deg=ro(np.asarray(lon) * nan),
        cov_en_m2=ro(cov * nan[:, None, None]), semi_major_m=ro(major * nan), semi_minor_m=ro(minor * nan),
        major_axis_azimuth_deg=ro(az * nan), confidence=float(confidence), scale=scale,
    )
