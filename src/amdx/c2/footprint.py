"""Defended footprint: the ground aim points a defender can protect, simple kinematic model (notional).

Model of `refs/physics.md` §6.3, on a flat local plane (x east, y north, z up; m) with the defender D on it.
The threat flies a straight line at constant speed V_t and flight-path angle γ toward the aim point I,
arriving from the horizontal direction û_up (the uprange unit vector, opposite to its heading). At altitude
h it is at P(h) = I + (h / tan γ) û_up + h ẑ, reached (h_c − h)/(V_t sin γ) after it crosses the commit
altitude h_c. The interceptor is launched t_L after the commit and flies straight at average speed v_i. I is
defended when for some h in [h_min, min(h_max, h_c)]

    f(h) = (h_c − h)/(V_t sin γ) − t_L − |P(h) − D| / v_i ≥ 0.

|P(h) − D| is the norm of an affine function of h, hence convex, so f is concave: its maximum on the band is
the unconstrained maximiser clipped to the band, found in closed form (below), exactly and vectorised over aim
points. With d(h)² = A h² + B h + C (A = 1 + cot²γ), f'(h) = 0 has the solution
h* = −B/(2A) − k √(C − B²/(4A)) / √(A (A − k²)), k = v_i/(V_t sin γ), when A > k²; otherwise f decreases
everywhere and the best altitude is the lowest.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

_Array = NDArray[np.float64]
_BoolArray = NDArray[np.bool_]


def footprint_margin_s(aim_xy_m: ArrayLike, *, threat_speed_mps: float, reentry_angle_rad: float,
                       commit_alt_m: float, launch_delay_s: float, interceptor_speed_mps: float,
                       min_alt_m: float, max_alt_m: float, threat_heading_rad: float = 0.0,
                       defender_xy_m: ArrayLike = (0.0, 0.0)) -> _Array:
    """Best time margin max_h f(h), s, of aim points (..., 2) (x east, y north, m) in the model above.

    `threat_heading_rad` is the azimuth of the threat's horizontal travel (clockwise from north, rad);
    `reentry_angle_rad` is γ in (0, π/2]. A margin ≥ 0 means the point is defended; −inf when the altitude
    band [min_alt_m, min(max_alt_m, commit_alt_m)] is empty.
    """
    aim = np.asarray(aim_xy_m, dtype=np.float64)
    dxy = aim - np.asarray(defender_xy_m, dtype=np.float64)
    gamma = float(reentry_angle_rad)
    if not 0.0 < gamma <= np.pi / 2:
        raise ValueError(f"reentry_angle_rad must be in (0, π/2], found {gamma}")
    h_lo, h_hi = float(min_alt_m), min(float(max_alt_m), float(commit_alt_m))
    if h_lo > h_hi:
        return np.full(dxy.shape[:-1], -np.inf)
    descent = threat_speed_mps * np.sin(gamma)  # vertical speed, m/s
    cot = np.cos(gamma) / np.sin(gamma)
    up = -np.array([np.sin(threat_heading_rad), np.cos(threat_heading_rad)])  # uprange unit vector (x, y)
    along = dxy @ up  # aim point offset from D along uprange
    across2 = np.einsum("...i,...i->...", dxy, dxy) - along * along
    # P(h) − D = (along + h cot) û_up + (cross) + h ẑ: d² = A h² + B h + C
    A = 1.0 + cot * cot
    B = 2.0 * along * cot
    C = along * along + np.maximum(across2, 0.0)
    k = interceptor_speed_mps / descent
    if k * k < A:
        c0 = np.maximum(C - B * B / (4.0 * A), 0.0)
        h_star = -B / (2.0 * A) - k * np.sqrt(c0 / (A * (A - k * k)))
        h = np.clip(h_star, h_lo, h_hi)
    else:
        h = np.full(np.shape(B), h_lo)
    dist = np.sqrt(np.maximum(A * h * h + B * h + C, 0.0))
    return (commit_alt_m - h) / descent - launch_delay_s - dist / interceptor_speed_mps


def defended(aim_xy_m: ArrayLike, **model: Any) -> _BoolArray:
    """True for aim points (..., 2), m, defended in the §6.3 model (keywords as `footprint_margin_s`)."""
    return footprint_margin_s(aim_xy_m, **model) >= 0.0


def footprint_collapses(*, threat_speed_mps: float, reentry_angle_rad: float, commit_alt_m: float,
                        launch_delay_s: float, interceptor_speed_mps: float, min_alt_m: float) -> bool:
    """True when no aim point can be defended because the interceptor cannot even climb to h_min in time:
    v_i [(h_c − h_min)/(V_t sin γ) − t_L] < h_min (refs §6.3)."""
    descent = threat_speed_mps * np.sin(reentry_angle_rad)
    reach = interceptor_speed_mps * ((commit_alt_m - min_alt_m) / descent - launch_delay_s)
    return bool(reach < min_alt_m)


def footprint_extents(aim_xy_m: ArrayLike, mask: ArrayLike, threat_heading_rad: float = 0.0,
                      defender_xy_m: ArrayLike = (0.0, 0.0)) -> tuple[float, float, float]:
    """Extents of a footprint given as defended aim points `mask` (...) on points (..., 2), m: the greatest
    distance from D toward the threat (uprange), away from it (downrange) and across its ground track, m.
    NaN for an empty footprint."""
    pts = np.asarray(aim_xy_m, dtype=np.float64)[np.asarray(mask, dtype=bool)]
    if pts.size == 0:
        return float("nan"), float("nan"), float("nan")
    d = pts - np.asarray(defender_xy_m, dtype=np.float64)
    heading = np.array([np.sin(threat_heading_rad), np.cos(threat_heading_rad)])
    down = d @ heading
    across = d @ np.array([heading[1], -heading[0]])
    return float(-down.min()), float(down.max()), float(np.abs(across).max())
