"""Compiled kernels of the radar geometry: ECEF → polar at a site, the view test, the line of sight over the
effective Earth, polar → ECEF with covariance.

One function per point (`_polar_one`, `_view_ok`, `_ecef_one`) serves every caller, so a radar scanned alone
(`Radar.scan`) and scanned with others (`RadarNetwork.scan`) give the same numbers bit for bit. The arithmetic is
that of `amdx.sensors.polar` (its docstring has the conventions and the covariance's derivation), written out per
point: ENU = M (p − site), azimuth clockwise from north in [0, 2π), elevation from the local horizontal.
"""

from __future__ import annotations

import math

import numpy as np

from amdx.geo import geodetic_point
from amdx.jit import kernel

_TWO_PI = 2.0 * math.pi
SIGHT_COLUMNS = 10
"""Per-radar columns of the line of sight (`sight_terms`): site altitude m, site normal (3), k factor, Earth
radius of the horizon model m, then the Earth model of the altitudes: a m, a², e², 1.0 for a sphere else 0.0."""


@kernel
def _polar_one(p0: float, p1: float, p2: float, site: np.ndarray, rot: np.ndarray) -> tuple[float, float, float]:
    """(range m, azimuth rad, elevation rad) of ECEF point p from `site` (3,) with ENU rotation `rot` (3, 3)."""
    d0, d1, d2 = p0 - site[0], p1 - site[1], p2 - site[2]
    e = rot[0, 0] * d0 + rot[0, 1] * d1 + rot[0, 2] * d2
    n = rot[1, 0] * d0 + rot[1, 1] * d1 + rot[1, 2] * d2
    u = rot[2, 0] * d0 + rot[2, 1] * d1 + rot[2, 2] * d2
    horiz = math.hypot(e, n)
    return math.hypot(horiz, u), math.atan2(e, n) % _TWO_PI, math.atan2(u, horiz)


@kernel
def polar_rows(p: np.ndarray, site: np.ndarray, rot: np.ndarray) -> np.ndarray:
    """Polar (n, 3) of ECEF points p (n, 3) seen from `site` (3,) with ENU rotation `rot` (3, 3)."""
    out = np.empty((p.shape[0], 3))
    for i in range(p.shape[0]):
        out[i, 0], out[i, 1], out[i, 2] = _polar_one(p[i, 0], p[i, 1], p[i, 2], site, rot)
    return out


@kernel
def _view_ok(r: float, az: float, el: float, range_max: float, el_min: float, el_max: float, boresight: float,
             half_view: float) -> bool:
    """Inside range, elevation limits and the azimuth sector (half_view = inf for an all-round radar)."""
    if not (r > 0.0 and r <= range_max and el >= el_min and el <= el_max):
        return False
    if math.isinf(half_view):
        return True
    return abs((az - boresight + math.pi) % _TWO_PI - math.pi) <= half_view


@kernel
def view_mask(polar: np.ndarray, range_max: float, el_min: float, el_max: float, boresight: float,
              half_view: float) -> np.ndarray:
    """(n,) whether each polar row (n, 3) is inside one radar's range, elevation limits and azimuth sector."""
    out = np.empty(polar.shape[0], dtype=np.bool_)
    for i in range(polar.shape[0]):
        out[i] = _view_ok(polar[i, 0], polar[i, 1], polar[i, 2], range_max, el_min, el_max, boresight, half_view)
    return out


@kernel
def clears(h_radar: float, h_target: float, ground_angle: float, k_factor: float, radius: float) -> bool:
    """Whether the straight line from the radar to the target clears the effective Earth (see
    `horizon.clears_effective_earth`, whose arithmetic this is, per pair)."""
    kr = k_factor * radius
    a = kr + (h_radar if h_radar > 0.0 or h_radar != h_radar else 0.0)  # np.maximum(h, 0): NaN stays NaN
    b = kr + (h_target if h_target > 0.0 or h_target != h_target else 0.0)
    theta = ground_angle / k_factor
    cos_t = math.cos(theta)
    # the segment's closest point to the centre lies strictly inside it only when both end angles are acute
    interior = a > b * cos_t and b > a * cos_t
    chord2 = (a - b) ** 2 + 4.0 * a * b * math.sin(0.5 * theta) ** 2
    dist2 = (a * b * math.sin(theta)) ** 2 / chord2
    return not interior or dist2 >= kr * kr


@kernel
def clears_many(h_radar: np.ndarray, h_target: np.ndarray, ground_angle: np.ndarray, k_factor: np.ndarray,
                radius: np.ndarray) -> np.ndarray:
    """`clears` of flat arrays of one length (n,)."""
    out = np.empty(h_radar.size, np.bool_)
    for i in range(h_radar.size):
        out[i] = clears(h_radar[i], h_target[i], ground_angle[i], k_factor[i], radius[i])
    return out


@kernel
def ground_terms(x: float, y: float, z: float, a: float, a2: float, e2: float,
                 sphere: bool) -> tuple[float, float, float, float]:
    """(geodetic altitude m, ellipsoid normal (3,)) of an ECEF point: `geodetic_point`, then the "up" vector of
    `geo.enu_basis` from its latitude and longitude."""
    lat, lon, alt = geodetic_point(x, y, z, a, a2, e2, sphere)
    la, lo = np.radians(lat), np.radians(lon)
    cl = math.cos(la)
    return alt, cl * math.cos(lo), cl * math.sin(lo), math.sin(la)


@kernel
def sight_terms(site: np.ndarray, k_factor: float, radius: float, a: float, a2: float, e2: float,
                sphere: bool) -> np.ndarray:
    """The `SIGHT_COLUMNS` terms of the line of sight from an ECEF site (3,)."""
    alt, u0, u1, u2 = ground_terms(site[0], site[1], site[2], a, a2, e2, sphere)
    return np.array([alt, u0, u1, u2, k_factor, radius, a, a2, e2, 1.0 if sphere else 0.0])


@kernel
def sees(sight: np.ndarray, x: float, y: float, z: float) -> bool:
    """Whether a radar of line-of-sight terms `sight` (`sight_terms`) sees the ECEF point (x, y, z) over the
    effective Earth: the angle between the ellipsoid normals from their chord (accurate at small and large
    angles alike), then `clears`."""
    alt, u0, u1, u2 = ground_terms(x, y, z, sight[6], sight[7], sight[8], sight[9] != 0.0)
    d0, d1, d2 = u0 - sight[1], u1 - sight[2], u2 - sight[3]
    chord = math.sqrt((d0 * d0 + d1 * d1) + d2 * d2)
    angle = 2.0 * math.asin(min(0.5 * chord, 1.0))
    return clears(sight[0], alt, angle, sight[4], sight[5])


@kernel
def sees_many(sight: np.ndarray, p: np.ndarray) -> np.ndarray:
    """`sees` of each ECEF point p (n, 3)."""
    out = np.empty(p.shape[0], np.bool_)
    for i in range(p.shape[0]):
        out[i] = sees(sight, p[i, 0], p[i, 1], p[i, 2])
    return out


@kernel
def pairs_in_view(p: np.ndarray, site: np.ndarray, rot: np.ndarray, near_m2: np.ndarray, range_max: np.ndarray,
                  el_min: np.ndarray, el_max: np.ndarray, boresight: np.ndarray, half_view: np.ndarray,
                  sight: np.ndarray, check_below: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(radar k (q,), target i (q,), polar (q, 3)) of every (radar, target) pair inside the radar's range,
    elevation limits and sector and, when its elevation is below check_below (rad), over the radar's horizon
    (`sees`, with the radar's terms sight[k]): radars (k,) by their columns, targets p (n, 3), radar by radar,
    targets in order. A squared distance above near_m2[k] (the range with a margin) skips a pair before any
    angle."""
    k_n, n = site.shape[0], p.shape[0]
    kk = np.empty(k_n * n, np.int64)
    ii = np.empty(k_n * n, np.int64)
    polar = np.empty((k_n * n, 3))
    q = 0
    for k in range(k_n):
        s0, s1, s2 = site[k, 0], site[k, 1], site[k, 2]
        for i in range(n):
            d0, d1, d2 = p[i, 0] - s0, p[i, 1] - s1, p[i, 2] - s2
            if d0 * d0 + d1 * d1 + d2 * d2 > near_m2[k]:
                continue
            r, az, el = _polar_one(p[i, 0], p[i, 1], p[i, 2], site[k], rot[k])
            if _view_ok(r, az, el, range_max[k], el_min[k], el_max[k], boresight[k], half_view[k]) and (
                    el >= check_below or sees(sight[k], p[i, 0], p[i, 1], p[i, 2])):
                kk[q], ii[q] = k, i
                polar[q, 0], polar[q, 1], polar[q, 2] = r, az, el
                q += 1
    return kk[:q], ii[:q], polar[:q]


@kernel
def ecef_rows(z: np.ndarray, sigmas: np.ndarray, site: np.ndarray, rot: np.ndarray, radar: np.ndarray
              ) -> tuple[np.ndarray, np.ndarray]:
    """(ECEF points (n, 3), covariances (n, 3, 3)) of polar measurements z (n, 3) with error sigmas (n, 3), row
    i measured by radar radar[i] (site (k, 3), ENU rotation rot (k, 3, 3)): p = site + Mᵀ enu, R = Mᵀ C M with
    C the ENU covariance Σ s_k² u_k u_kᵀ over the range, azimuth and elevation directions."""
    n = z.shape[0]
    pos = np.empty((n, 3))
    cov = np.empty((n, 3, 3))
    c = np.empty((3, 3))
    for i in range(n):
        k = radar[i]
        m = rot[k]
        r = z[i, 0]
        sa, ca = math.sin(z[i, 1]), math.cos(z[i, 1])
        se, ce = math.sin(z[i, 2]), math.cos(z[i, 2])
        rce = r * ce
        e, nn, u = rce * sa, rce * ca, r * se
        for j in range(3):
            pos[i, j] = site[k, j] + (e * m[0, j] + nn * m[1, j] + u * m[2, j])
        var_r = sigmas[i, 0] ** 2
        var_az = (r * ce * sigmas[i, 1]) ** 2
        var_el = (r * sigmas[i, 2]) ** 2
        c2, s2 = ce * ce, se * se
        c[0, 0] = var_r * c2 * sa * sa + var_az * ca * ca + var_el * s2 * sa * sa
        c[1, 1] = var_r * c2 * ca * ca + var_az * sa * sa + var_el * s2 * ca * ca
        c[2, 2] = var_r * s2 + var_el * c2
        c[0, 1] = c[1, 0] = sa * ca * (var_r * c2 - var_az + var_el * s2)
        c[0, 2] = c[2, 0] = sa * ce * se * (var_r - var_el)
        c[1, 2] = c[2, 1] = ca * ce * se * (var_r - var_el)
        for a in range(3):
            for b in range(a, 3):
                acc = 0.0
                for p_ in range(3):
                    acc += m[p_, a] * (c[p_, 0] * m[0, b] + c[p_, 1] * m[1, b] + c[p_, 2] * m[2, b])
                cov[i, a, b] = acc
                cov[i, b, a] = acc
    return pos, cov
