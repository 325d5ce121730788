"""Compiled kernels of threat evaluation (`threat_evaluation`, `air_threats`): the probability that a normally
distributed impact falls inside a disc, for one (impact, disc) pair, for every (predicted impact, defended asset)
pair (impacts given by their mean and covariance, or by their 95 % ellipse), and for every (air-breathing track,
asset) pair from the track's straight-line closest approach.

Why: threat evaluation asks this of a few hundred to a few thousand (track, asset) pairs per picture, each
against 1,024 points. In numpy the per-call overhead of the many small steps (far-pair test, great-circle
distance and azimuth of the near pairs, Cholesky factors, the pre-test that decides most discs without samples,
the samples of the rest) was most of the cost; one pass does each pair's steps in turn (on 51 recorded engine
calls, 1.68 -> 0.67 ms per picture time). The arithmetic is the numpy code's, in the same order (IEEE operations
correctly rounded; sin, cos, atan2 and hypot from the same libm; the 2×2 Cholesky factor as LAPACK's:
l10 = c10 · (1 / l00)), so the probabilities are the same bit for bit.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from amdx.geo import geodetic_to_ecef_point
from amdx.jit import kernel


@kernel
def spectral_norm_bound(l00: float, l10: float, l11: float) -> float:
    """The spectral norm of the lower-triangular 2×2 matrix L = [[l00, 0], [l10, l11]]: the square root of the
    larger eigenvalue of L Lᵀ, in closed form (sums of squares only, no cancellation). Tighter than the
    Frobenius norm by up to √2 for a round ellipse, so more discs are decided without samples; a relative
    margin of 1e-9 covers its rounding (a few 1e-16)."""
    m00, m01, m11 = l00 * l00, l00 * l10, l10 * l10 + l11 * l11
    return math.sqrt(0.5 * (m00 + m11) + math.hypot(0.5 * (m00 - m11), m01))


@kernel
def disc_probability(c00: float, c01: float, c10: float, c11: float, o0: float, o1: float, radius: float,
                     z0: NDArray[np.float64], z1: NDArray[np.float64], z_max: float) -> float:
    """P(impact inside a disc of `radius` centred at (o0, o1) from the mean impact), impact ~ N(0, C), C = [[c00,
    c01], [c10, c11]] (m², symmetrised, plus a 1 mm spread so a point mass is one): the share of the points
    L z (L the Cholesky factor, z = (`z0`, `z1`), largest |z| `z_max`) inside the disc. Every L z lies within
    |L|₂ z_max of the mean: a disc that holds that circle (or misses it) holds every point (or none), which
    decides most pairs without the points; a margin keeps rounding out of it. NaN when C is not positive
    semi-definite."""
    s00 = 0.5 * (c00 + c00) + 1e-6
    s10 = 0.5 * (c10 + c01) + 0.0
    s11 = 0.5 * (c11 + c11) + 1e-6
    if not s00 > 0.0:
        return np.nan
    l00 = math.sqrt(s00)
    l10 = s10 * (1.0 / l00)
    d11 = s11 - l10 * l10
    if not d11 > 0.0:
        return np.nan
    l11 = math.sqrt(d11)
    spread = spectral_norm_bound(l00, l10, l11) * z_max * (1.0 + 1e-9) + 1e-6
    gap = math.hypot(o0, o1)
    if gap + spread <= radius:
        return 1.0
    if not abs(gap - radius) < spread:
        return 0.0
    r2 = radius * radius
    n = 0
    for q in range(z0.size):
        dx = l00 * z0[q] - o0
        dy = (l10 * z0[q] + l11 * z1[q]) - o1
        if dx * dx + dy * dy <= r2:
            n += 1
    return n / z0.size


@kernel
def disc_probabilities(cov: NDArray[np.float64], offset: NDArray[np.float64], radius: NDArray[np.float64],
                       z0: NDArray[np.float64], z1: NDArray[np.float64], z_max: float) -> NDArray[np.float64]:
    """`disc_probability` of N pairs: covariances (N, 2, 2), m², disc centres (N, 2), m, radii (N,), m."""
    out = np.empty(radius.size)
    for k in range(radius.size):
        out[k] = disc_probability(cov[k, 0, 0], cov[k, 0, 1], cov[k, 1, 0], cov[k, 1, 1], offset[k, 0],
                                  offset[k, 1], radius[k], z0, z1, z_max)
    return out


@kernel
def impact_probabilities(lat_deg: NDArray[np.float64], lon_deg: NDArray[np.float64], cov: NDArray[np.float64],
                         asset_lat_deg: NDArray[np.float64], asset_lon_deg: NDArray[np.float64],
                         asset_radius_m: NDArray[np.float64], earth_radius_m: float, z0: NDArray[np.float64],
                         z1: NDArray[np.float64], z_max: float) -> NDArray[np.float64]:
    """(k, a) probability that each predicted impact (mean lat, lon (k,), degrees; east/north covariance
    (k, 2, 2), m²) falls inside each asset's disc (centre (a,), degrees; radius (a,), m), on the sphere of
    `earth_radius_m`. An impact with a non-finite mean or covariance threatens nothing (0).

    A pair is looked at only when the asset is within its radius plus 6 √trace(C) of the mean: first by the
    chord between the points of the sphere (never more than their great-circle distance; with a margin for
    rounding), then by the haversine distance. The disc's centre in the tangent plane at the mean is that
    distance along the initial great-circle azimuth (`amdx.geo`'s formulas)."""
    prob = np.zeros((lat_deg.size, asset_lat_deg.size))
    pa = _sphere_points(asset_lat_deg, asset_lon_deg, earth_radius_m)
    for i in range(lat_deg.size):
        _impact_row(prob[i], lat_deg[i], lon_deg[i], cov[i, 0, 0], cov[i, 0, 1], cov[i, 1, 0], cov[i, 1, 1], pa,
                    asset_lat_deg, asset_lon_deg, asset_radius_m, earth_radius_m, z0, z1, z_max)
    return prob


@kernel
def ellipse_probabilities(impacts: NDArray[np.float64], ellipse_k: float, asset_lat_deg: NDArray[np.float64],
                          asset_lon_deg: NDArray[np.float64], asset_radius_m: NDArray[np.float64],
                          earth_radius_m: float, z0: NDArray[np.float64], z1: NDArray[np.float64],
                          z_max: float) -> NDArray[np.float64]:
    """`impact_probabilities` of impacts given as the rows of `impacts` (k, 6): lat, lon (degrees), time to
    impact (unused), and the 95 % ellipse's semi-major and semi-minor axes (m, `ellipse_k` σ) and major-axis
    azimuth (degrees); the covariance of each is (a/k)² u uᵀ + (b/k)² w wᵀ, u the major axis (east, north) and
    w ⟂ u, summed as the array expression sums it."""
    prob = np.zeros((impacts.shape[0], asset_lat_deg.size))
    pa = _sphere_points(asset_lat_deg, asset_lon_deg, earth_radius_m)
    for i in range(impacts.shape[0]):
        a, b = impacts[i, 3] / ellipse_k, impacts[i, 4] / ellipse_k
        az = np.radians(impacts[i, 5])
        s, c = math.sin(az), math.cos(az)
        aa, bb = a * a, b * b
        _impact_row(prob[i], impacts[i, 0], impacts[i, 1], aa * s * s + bb * c * c, aa * s * c + bb * c * -s,
                    aa * c * s + bb * -s * c, aa * c * c + bb * -s * -s, pa, asset_lat_deg, asset_lon_deg,
                    asset_radius_m, earth_radius_m, z0, z1, z_max)
    return prob


@kernel
def _sphere_points(lat_deg: NDArray[np.float64], lon_deg: NDArray[np.float64], radius_m: float,
                   ) -> NDArray[np.float64]:
    out = np.empty((lat_deg.size, 3))
    for j in range(lat_deg.size):
        out[j, 0], out[j, 1], out[j, 2] = geodetic_to_ecef_point(lat_deg[j], lon_deg[j], 0.0, radius_m, 0.0)
    return out


@kernel
def _impact_row(prob: NDArray[np.float64], lat: float, lon: float, c00: float, c01: float, c10: float, c11: float,
                pa: NDArray[np.float64], asset_lat_deg: NDArray[np.float64], asset_lon_deg: NDArray[np.float64],
                asset_radius_m: NDArray[np.float64], earth_radius_m: float, z0: NDArray[np.float64],
                z1: NDArray[np.float64], z_max: float) -> None:
    """One impact's probabilities against every asset (points `pa` on the sphere), into `prob` (a,)."""
    if not (np.isfinite(lat) and np.isfinite(lon) and np.isfinite(c00) and np.isfinite(c01) and np.isfinite(c10)
            and np.isfinite(c11)):
        return
    extra = 6.0 * math.sqrt(c00 + c11)
    px, py, pz = geodetic_to_ecef_point(lat, lon, 0.0, earth_radius_m, 0.0)
    p1 = np.radians(lat)
    for j in range(asset_lat_deg.size):
        reach = asset_radius_m[j] + extra
        dx, dy, dz = px - pa[j, 0], py - pa[j, 1], pz - pa[j, 2]
        if not math.sqrt(dx * dx + dy * dy + dz * dz) <= reach * (1.0 + 1e-9) + 1.0:
            continue
        p2 = np.radians(asset_lat_deg[j])
        dlon = np.radians(asset_lon_deg[j] - lon)
        s_lat, s_lon = math.sin((p2 - p1) / 2.0), math.sin(dlon / 2.0)
        h = s_lat * s_lat + math.cos(p1) * math.cos(p2) * (s_lon * s_lon)
        dist = earth_radius_m * (2.0 * math.atan2(math.sqrt(h), math.sqrt(max(1.0 - h, 0.0))))
        if not dist <= reach:
            continue
        y = math.sin(dlon) * math.cos(p2)
        x = math.cos(p1) * math.sin(p2) - math.sin(p1) * math.cos(p2) * math.cos(dlon)
        az = np.radians(np.degrees(math.atan2(y, x)) % 360.0)
        prob[j] = disc_probability(c00, c01, c10, c11, dist * math.sin(az), dist * math.cos(az), asset_radius_m[j],
                                   z0, z1, z_max)


@kernel
def air_probabilities(pos: NDArray[np.float64], vel: NDArray[np.float64], sigma: NDArray[np.float64],
                      asset_lat_deg: NDArray[np.float64], asset_lon_deg: NDArray[np.float64],
                      asset_radius_m: NDArray[np.float64], a_m: float, e2: float, heading_spread: float,
                      horizon_s: float, z0: NDArray[np.float64], z1: NDArray[np.float64], z_max: float,
                      ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """(k, a) probability that each straight-line track (ECEF positions and velocities (k, 3), m and m/s, 1σ per
    axis (k,), m) passes inside each asset's disc (centre (a,), degrees, on the ellipsoid (a_m, e2); radius (a,),
    m), and (k, a) the time of its closest approach, s (NaN unless ahead and within `horizon_s`): `air_threats`'
    rule. The east and north components are the dot products of the asset's local axes with the relative state,
    summed as numpy's einsum sums three terms on x86-64 ((first + third) + second), so the values are the array
    code's bit for bit."""
    k, a = pos.shape[0], asset_lat_deg.size
    prob = np.zeros((k, a))
    t_cpa = np.full((k, a), np.nan)
    for j in range(a):
        ax, ay, az = geodetic_to_ecef_point(asset_lat_deg[j], asset_lon_deg[j], 0.0, a_m, e2)
        lat, lon = np.radians(asset_lat_deg[j]), np.radians(asset_lon_deg[j])
        sl, cl, so, co = math.sin(lat), math.cos(lat), math.sin(lon), math.cos(lon)
        e0, e1, e2_ = -so, co, 0.0
        n0, n1, n2 = -sl * co, -sl * so, cl
        for i in range(k):
            d0, d1, d2 = pos[i, 0] - ax, pos[i, 1] - ay, pos[i, 2] - az
            re = (e0 * d0 + e2_ * d2) + e1 * d1
            rn = (n0 * d0 + n2 * d2) + n1 * d1
            ve = (e0 * vel[i, 0] + e2_ * vel[i, 2]) + e1 * vel[i, 1]
            vn = (n0 * vel[i, 0] + n2 * vel[i, 2]) + n1 * vel[i, 1]
            v2 = ve * ve + vn * vn
            if not v2 > 1.0:
                continue
            tc = -(re * ve + rn * vn) / v2
            if not (np.isfinite(tc) and tc > 0.0 and tc <= horizon_s):
                continue
            t_cpa[i, j] = tc
            me, mn = re + ve * tc, rn + vn * tc
            spread = heading_spread * math.sqrt(v2) * tc
            s2 = sigma[i] * sigma[i] + spread * spread
            if math.sqrt(me * me + mn * mn) <= asset_radius_m[j] + 6.0 * math.sqrt(s2):
                prob[i, j] = disc_probability(s2 * 1.0, s2 * 0.0, s2 * 0.0, s2 * 1.0, me, mn, asset_radius_m[j], z0,
                                              z1, z_max)
    return prob, t_cpa
