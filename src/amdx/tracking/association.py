"""Data association: grid gating, χ² Mahalanobis gate, global nearest neighbour on gate-graph components.

Inputs are the predicted track positions p (k, 3) with their covariances Pₚ (k, 3, 3) (the position block of
the predicted P) and one scan of measurements z (n, 3) with covariances R (n, 3, 3), all ECEF (m, m²).
The cost of pairing track i with measurement j is the squared Mahalanobis distance of the innovation,
d²ᵢⱼ = νᵀ S⁻¹ ν with ν = zⱼ − pᵢ and S = Pₚᵢ + Rⱼ (χ² with 3 dof when the pair is right).

1. **Coarse gate (grid).** d² ≤ γ implies |ν|² ≤ γ λmax(S) ≤ γ (λmax(Pₚᵢ) + λmax(Rⱼ)) ≤ γ (‖Pₚᵢ‖ + ‖Rⱼ‖)
   with ‖·‖ the Frobenius norm (≥ λmax, and up to √3 times tighter than the trace): an exact bound (no pair
   inside the χ² gate is lost), checked pair by pair on the candidates of a grid. The measurements are put in
   cells (group, strip along the axis of largest extent), each cell's sorted by the second largest; each track takes the
   strips its radius ρᵢ = √(γ (‖Pₚᵢ‖ + maxⱼ ‖Rⱼ‖)) (the maximum over its group) reaches, and in each strip the
   measurements within ρᵢ along the second axis (projections only shorten distances, so the grid loses no
   pair). The strips are about as wide as the median radius: a track looks at about three strips, and at
   measurements in a rectangle of 2ρᵢ by 3ρᵢ or so (a very wide gate takes its strips whole). One compiled loop
   over the tracks (`amdx.tracking.gate_kernels`), no tree to build.
2. **Fine gate.** d² on the candidate pairs only, kept when d² ≤ γ = χ²₃(P_G) (11.345 at P_G = 0.99,
   refs/physics.md §4).
3. **Global nearest neighbour.** Minimise Σ d² over assigned pairs + γ per track left unassigned (the
   standard GNN cost, the gate as non-assignment cost; Blackman & Popoli 1999, §6.5). It splits into the
   connected components of the bipartite gate graph (a union-find in one compiled pass,
   `amdx.tracking.assign_kernels`). In a component with one track or one measurement (1×1 ones for
   well-separated targets) the cheapest pair is the optimum: all those are assigned in that pass. Each other
   component goes to `scipy.optimize.linear_sum_assignment` on a (tracks × (measurements + tracks)) matrix whose
   extra columns are the non-assignment options. Cost: O(n log n) for separated targets.

**Several sensors at once.** Given a group label per track and per measurement (the sensor of each), only pairs
of one group are candidates: one call associates the scans of many radars, each with its own tracks, as if each
were associated alone (the grid's cells are per group, so a track only ever meets its own group's measurements).

Ties and order: components are solved in order of their label (smallest node first) and indices are sorted, so
the result depends only on the input order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import linear_sum_assignment
from scipy.stats import chi2

from amdx.tracking.assign_kernels import gnn_easy_kernel
from amdx.tracking.associate_kernels import (
    component_matrices_kernel,
    gated_pairs_kernel,
    measurement_results_kernel,
)
from amdx.tracking.gate_kernels import coarse_pairs_kernel, nearest_track_kernel
from amdx.tracking.update_kernels import pair_mahalanobis2_kernel

_Array = NDArray[np.float64]
_Index = NDArray[np.intp]
_Ids = NDArray[np.int64]

DEFAULT_GATE_PROBABILITY = 0.99
"""Probability that the right measurement falls inside the χ² gate (3 dof): γ = 11.345 (refs §4)."""
DEFAULT_EXCLUSION_PROBABILITY = 0.9999
"""Probability mass of the wider gate inside which an unassigned measurement starts no new track."""
MAX_STRIPS = 4096
"""The grid of the coarse gate has at most this many strips (per group) along its first axis."""
MAX_TRACK_CELLS = 8
"""A track whose coarse radius reaches more strips than this takes them whole (one search instead of one per
strip): a few very wide gates cannot multiply the grid's work by the number of strips."""
BOUND_MARGIN = 1.0e-9
"""Relative margin on the coarse bound γ (‖Pₚᵢ‖ + ‖Rⱼ‖) for its own rounding (the bound is loose by far more)."""
GRID_SLACK_M = 1.0e-3
"""Added to every coarse radius of the grid, for the rounding of its coordinates, m."""


def gate_threshold(probability: float, dof: int = 3) -> float:
    """χ² gate γ with P(χ²_dof ≤ γ) = probability."""
    if not 0.0 < probability < 1.0:
        raise ValueError(f"gate probability must be in (0, 1), found {probability}")
    return float(chi2.ppf(probability, dof))


def _groups(track_group: ArrayLike | None, meas_group: ArrayLike | None, k: int, n: int) -> tuple[_Ids, _Ids]:
    """The group labels of k tracks and n measurements as contiguous int64 arrays (all 0 when not given)."""
    if track_group is not None and meas_group is not None:
        return (np.ascontiguousarray(track_group, dtype=np.int64).reshape(k),
                np.ascontiguousarray(meas_group, dtype=np.int64).reshape(n))
    return np.zeros(k, np.int64), np.zeros(n, np.int64)


def coarse_candidates(pred_pos: ArrayLike, pred_pos_cov: ArrayLike, z: ArrayLike, R: ArrayLike, gate_d2: float,
                      track_group: ArrayLike | None = None,
                      meas_group: ArrayLike | None = None) -> tuple[_Index, _Index]:
    """Candidate (track, measurement) index pairs with |zⱼ − pᵢ|² ≤ γ (‖Pₚᵢ‖ + ‖Rⱼ‖) (the exact coarse bound of
    the module docstring, γ = gate_d2), sorted by track, then measurement. Positions (k, 3) / (n, 3),
    covariances (·, 3, 3), m. With group labels (k,) and (n,) (integers), only pairs of one group."""
    p = np.ascontiguousarray(pred_pos, dtype=np.float64).reshape(-1, 3)
    zz = np.ascontiguousarray(z, dtype=np.float64).reshape(-1, 3)
    k, n = p.shape[0], zz.shape[0]
    if k == 0 or n == 0:
        return np.zeros(0, np.intp), np.zeros(0, np.intp)
    tg, mg = _groups(track_group, meas_group, k, n)
    return coarse_pairs_kernel(p, np.ascontiguousarray(pred_pos_cov, dtype=np.float64).reshape(k, 3, 3), zz,
                               np.ascontiguousarray(R, dtype=np.float64).reshape(n, 3, 3), float(gate_d2),
                               BOUND_MARGIN, GRID_SLACK_M, MAX_STRIPS, MAX_TRACK_CELLS, tg, mg)


def pair_mahalanobis2(pred_pos: ArrayLike, pred_pos_cov: ArrayLike, z: ArrayLike, R: ArrayLike, ti: ArrayLike,
                      mj: ArrayLike) -> _Array:
    """d² = νᵀ (Pₚᵢ + Rⱼ)⁻¹ ν, ν = zⱼ − pᵢ, for the pairs (ti[m], mj[m]) only (one compiled loop over pairs;
    S symmetrised, inverted by the adjugate formula)."""
    p = np.ascontiguousarray(pred_pos, dtype=np.float64).reshape(-1, 3)
    pc = np.ascontiguousarray(pred_pos_cov, dtype=np.float64).reshape(-1, 3, 3)
    zz = np.ascontiguousarray(z, dtype=np.float64).reshape(-1, 3)
    rr = np.ascontiguousarray(R, dtype=np.float64).reshape(-1, 3, 3)
    if pc.shape[0] != p.shape[0] or rr.shape[0] != zz.shape[0]:
        raise ValueError(f"{p.shape[0]} positions but {pc.shape[0]} covariances, or {zz.shape[0]} measurements but "
                         f"{rr.shape[0]} covariances")
    ii, jj = _pairs(ti, mj, p.shape[0], zz.shape[0])
    return pair_mahalanobis2_kernel(p, pc, zz, rr, ii, jj)


def gnn_assign(n_tracks: int, n_meas: int, ti: ArrayLike, mj: ArrayLike, cost: ArrayLike,
               missed_cost: float) -> tuple[_Index, _Index, int]:
    """Global nearest neighbour over gated pairs (ti, mj) with costs `cost`; a track may stay unassigned at
    `missed_cost`. Returns (measurement_of_track (n_tracks,), track_of_measurement (n_meas,), -1 where
    unassigned; and the number of components handed to `linear_sum_assignment`)."""
    return _gnn(int(n_tracks), int(n_meas), *_pairs(ti, mj, n_tracks, n_meas, cost), float(missed_cost))


def _gnn(n_tracks: int, n_meas: int, ti: _Index, mj: _Index, cost: _Array,
         missed_cost: float) -> tuple[_Index, _Index, int]:
    """`gnn_assign` of checked, contiguous pair arrays."""
    (meas_of_track, track_of_meas, pair_bounds, rows, row_bounds, cols, col_bounds, row_of, col_of,
     hard_cost) = gnn_easy_kernel(n_tracks, n_meas, ti, mj, cost, missed_cost)
    # the other components, each solved alone on its own tracks (rows) and measurements (columns), both in
    # increasing index, in order of their label; their cost matrices are laid out in one buffer
    n_comp = pair_bounds.size - 1
    if n_comp:
        buf, offsets = component_matrices_kernel(pair_bounds, row_bounds, col_bounds, row_of, col_of, hard_cost,
                                                 missed_cost)
        rb, cb, ob = row_bounds.tolist(), col_bounds.tolist(), offsets.tolist()
        for c in range(n_comp):
            r_ids, c_ids = rows[rb[c]:rb[c + 1]], cols[cb[c]:cb[c + 1]]
            r_sel, c_sel = linear_sum_assignment(buf[ob[c]:ob[c + 1]].reshape(r_ids.size, -1))
            real = c_sel < c_ids.size
            meas_of_track[r_ids[r_sel[real]]] = c_ids[c_sel[real]]
            track_of_meas[c_ids[c_sel[real]]] = r_ids[r_sel[real]]
    return meas_of_track, track_of_meas, n_comp


def nearest_track(n_meas: int, ti: ArrayLike, mj: ArrayLike, d2: ArrayLike, limit_d2: float) -> _Index:
    """(n_meas,) index of the track of least d² (≤ limit_d2) among the pairs (ti, mj) of each measurement,
    -1 if none; ties go to the lower track index (one compiled pass over the pairs)."""
    tt, mm, dd = _pairs(ti, mj, None, n_meas, d2)
    return nearest_track_kernel(int(n_meas), tt, mm, dd, float(limit_d2))


def _pairs(ti: ArrayLike, mj: ArrayLike, n_tracks: int | None, n_meas: int, *values: ArrayLike) -> tuple[Any, ...]:
    """(ti, mj, *values) as contiguous arrays of one length, the indices in [0, n_tracks) and [0, n_meas) (ti
    unchecked when n_tracks is None), or a clear error: the compiled loops do not check bounds."""
    out: list[Any] = []
    for a, n, name in ((ti, n_tracks, "ti"), (mj, n_meas, "mj")):
        idx = np.ascontiguousarray(a, dtype=np.intp).reshape(-1)
        if n is not None and idx.size and (idx.min() < 0 or idx.max() >= n):
            raise IndexError(f"{name} holds indices outside [0, {n}): {idx.min()}..{idx.max()}")
        out.append(idx)
    out += [np.ascontiguousarray(v, dtype=np.float64).reshape(-1) for v in values]
    if len({a.size for a in out}) > 1:
        raise ValueError(f"pair arrays differ in length: {[a.size for a in out]}")
    return tuple(out)


def _ro(a: np.ndarray) -> np.ndarray:
    a.flags.writeable = False
    return a


@dataclass(frozen=True, eq=False)
class Association:
    """One scan's association (indices into the track and measurement arrays given to the associator).

    Attributes:
        measurement_of_track: (k,) measurement index per track, -1 when the track got none.
        track_of_measurement: (n,) track index per measurement, -1 when unassigned.
        d2: (n,) squared Mahalanobis distance (NIS) of each assigned pair, NaN when unassigned.
        gated: (n,) True where the measurement lies inside at least one track's χ² gate.
        near_track: (n,) index of the track with the smallest d² among those whose wider exclusion gate
            (see `GnnAssociator`) holds the measurement, -1 if none.
        n_candidates: pairs passed by the coarse gate.
        n_gated: pairs inside the χ² gate.
        n_solved_components: components handed to `linear_sum_assignment`.
    """

    measurement_of_track: _Index
    track_of_measurement: _Index
    d2: _Array
    gated: NDArray[np.bool_]
    near_track: _Index
    n_candidates: int = field(default=0)
    n_gated: int = field(default=0)
    n_solved_components: int = field(default=0)


@dataclass(frozen=True)
class GnnAssociator:
    """Coarse (grid) and χ² gating, then global nearest neighbour (see the module docstring).

    Attributes:
        gate_probability: probability mass of the χ² (3 dof) gate; 0.99 gives γ = 11.345.
        exclusion_probability: probability mass of a wider gate that only marks measurements as near a
            track (`near_track`; 0.9999: d² ≤ 21.11). A tracker can decline to start tracks from those: the
            right measurement of an existing track falls outside the assignment gate once in 1/(1 − P_G)
            scans, and would otherwise seed a duplicate. Never narrower than the assignment gate.
    """

    gate_probability: float = DEFAULT_GATE_PROBABILITY
    exclusion_probability: float = DEFAULT_EXCLUSION_PROBABILITY
    gate_d2: float = field(init=False, repr=False)
    """The χ² gate γ on d² (3 dof), derived from `gate_probability`."""
    exclusion_d2: float = field(init=False, repr=False)
    """The exclusion gate on d² (3 dof), from `exclusion_probability` (at least `gate_d2`)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "gate_d2", gate_threshold(self.gate_probability, 3))
        object.__setattr__(self, "exclusion_d2",
                           max(self.gate_d2, gate_threshold(self.exclusion_probability, 3)))

    def associate(self, pred_pos: ArrayLike, pred_pos_cov: ArrayLike, z: ArrayLike,
                  R: ArrayLike, track_group: ArrayLike | None = None,
                  meas_group: ArrayLike | None = None) -> Association:
        """Associate measurements z (n, 3) with covariances R (n, 3, 3) to predicted track positions (k, 3)
        with covariances (k, 3, 3); ECEF, m, m². With group labels per track (k,) and per measurement (n,),
        only tracks and measurements of one group are paired (see the module docstring)."""
        p = np.asarray(pred_pos, dtype=np.float64).reshape(-1, 3)
        zz = np.asarray(z, dtype=np.float64).reshape(-1, 3)
        pc = np.asarray(pred_pos_cov, dtype=np.float64).reshape(-1, 3, 3)
        rr = np.asarray(R, dtype=np.float64).reshape(-1, 3, 3)
        gamma = self.gate_d2
        if p.shape[0] == 0 or zz.shape[0] == 0:  # nothing to pair: every track and measurement unassigned
            n = zz.shape[0]
            return Association(measurement_of_track=_ro(np.full(p.shape[0], -1, dtype=np.intp)),
                               track_of_measurement=_ro(np.full(n, -1, dtype=np.intp)), d2=_ro(np.full(n, np.nan)),
                               gated=_ro(np.zeros(n, dtype=bool)), near_track=_ro(np.full(n, -1, dtype=np.intp)))
        k, n = p.shape[0], zz.shape[0]
        tg, mg = _groups(track_group, meas_group, k, n)
        ti, mj, d2, near_track, n_cand = gated_pairs_kernel(
            np.ascontiguousarray(p), np.ascontiguousarray(pc), np.ascontiguousarray(zz), np.ascontiguousarray(rr),
            gamma, self.exclusion_d2, BOUND_MARGIN, GRID_SLACK_M, MAX_STRIPS, MAX_TRACK_CELLS, tg, mg)
        mot, tom, n_solved = _gnn(k, n, ti, mj, d2, gamma)
        d2_meas, gated = measurement_results_kernel(n, mot, ti, mj, d2)
        return Association(measurement_of_track=_ro(mot), track_of_measurement=_ro(tom), d2=_ro(d2_meas),
                           gated=_ro(gated), near_track=_ro(near_track), n_candidates=n_cand,
                           n_gated=int(ti.size), n_solved_components=n_solved)
