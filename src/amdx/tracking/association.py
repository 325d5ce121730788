"""Data association: KD-tree gating, χ² Mahalanobis gate, global nearest neighbour on gate-graph components.

Inputs are the predicted track positions p (k, 3) with their covariances Pₚ (k, 3, 3) (the position block of
the predicted P) and one scan of measurements z (n, 3) with covariances R (n, 3, 3), all ECEF (m, m²).
The cost of pairing track i with measurement j is the squared Mahalanobis distance of the innovation,
d²ᵢⱼ = νᵀ S⁻¹ ν with ν = zⱼ − pᵢ and S = Pₚᵢ + Rⱼ (χ² with 3 dof when the pair is right).

1. **Coarse gate (KD-tree).** d² ≤ γ implies |ν|² ≤ γ λmax(S) ≤ γ (λmax(Pₚᵢ) + λmax(Rⱼ)) ≤ γ (‖Pₚᵢ‖ + ‖Rⱼ‖)
   with ‖·‖ the Frobenius norm (≥ λmax, and up to √3 times tighter than the trace), hence
   |ν| ≤ √(γ (‖Pₚᵢ‖ + maxⱼ ‖Rⱼ‖)) =: ρᵢ, an exact bound (no pair inside the χ² gate is lost). A
   `scipy.spatial.cKDTree` is built over the measurements and each predicted position is queried with its own
   radius ρᵢ: a wide gate of one young track (large velocity covariance) does not widen anyone else's (a
   tree over the predicted positions would need one radius for all, the widest). Likewise a few vague
   measurements (far from an early-warning radar, or a partner's old track in fusion) must not widen every
   track's radius: measurements are split by ‖Rⱼ‖ into up to `R_CLASSES` classes a factor `R_CLASS_RATIO`
   apart, each with its own tree and its own maximum in ρᵢ. Small problems (up to `BRUTE_FORCE_PAIRS` pairs)
   measure every pair against its own bound √(γ (‖Pₚᵢ‖ + ‖Rⱼ‖)) directly instead, without the tree's cost.
2. **Fine gate.** d² on the candidate pairs only, kept when d² ≤ γ = χ²₃(P_G) (11.345 at P_G = 0.99,
   refs/physics.md §4).
3. **Global nearest neighbour.** Minimise Σ d² over assigned pairs + γ per track left unassigned (the
   standard GNN cost, the gate as non-assignment cost; Blackman & Popoli 1999, §6.5). It splits into the
   connected components of the bipartite gate graph (`scipy.sparse.csgraph.connected_components`). In a
   component with one track or one measurement (1×1 ones for well-separated targets) the cheapest pair is the
   optimum: all those are assigned in one vectorised step. Each other component goes to
   `scipy.optimize.linear_sum_assignment` on a (tracks × (measurements + tracks)) matrix whose extra columns
   are the non-assignment options. Cost: O(n log n) for separated targets.

**Several sensors at once.** Given a group label per track and per measurement (the sensor of each), only pairs
of one group are candidates: one call associates the scans of many radars, each with its own tracks, as if each
were associated alone. The groups are set `GROUP_SPACING_M` apart along x for the tree (far beyond any gate;
every radius gains `GROUP_SLACK_M` for the rounding of the shifted coordinates), and pairs across groups are
dropped all the same.

Ties and order: components are solved in order of their label (smallest node first) and indices are sorted, so
the result depends only on the input order.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import linear_sum_assignment
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree
from scipy.stats import chi2

from amdx.tracking.filters import inv_sym3, quad_form3

_Array = NDArray[np.float64]
_Index = NDArray[np.intp]

DEFAULT_GATE_PROBABILITY = 0.99
"""Probability that the right measurement falls inside the χ² gate (3 dof): γ = 11.345 (refs §4)."""
DEFAULT_EXCLUSION_PROBABILITY = 0.9999
"""Probability mass of the wider gate inside which an unassigned measurement starts no new track."""
KNN_CANDIDATES = 4
"""Nearest measurements fetched per track by the KD-tree before the per-track radius is applied."""
BRUTE_FORCE_PAIRS = 4096
"""Up to this many (track, measurement) pairs the coarse gate measures every pair instead of building a tree."""
R_CLASSES = 3
"""Measurements are split into at most this many classes of covariance size for the coarse gate."""
R_CLASS_RATIO = 4.0
"""Ratio of the largest ‖R‖ between one class and the next."""
GROUP_SPACING_M = 1.0e9
"""How far apart along x the groups of a grouped association are placed for the coarse gate, m."""
GROUP_SLACK_M = 1.0e-3
"""Added to every coarse-gate radius of a grouped association: far more than the rounding of coordinates shifted
by up to ~1e11 m (ulp 1.5e-5 m), so the shift loses no pair, m."""


def gate_threshold(probability: float, dof: int = 3) -> float:
    """χ² gate γ with P(χ²_dof ≤ γ) = probability."""
    if not 0.0 < probability < 1.0:
        raise ValueError(f"gate probability must be in (0, 1), found {probability}")
    return float(chi2.ppf(probability, dof))


def kdtree_candidates(pred_pos: ArrayLike, pred_pos_cov: ArrayLike, z: ArrayLike, R: ArrayLike,
                      gate_d2: float, track_group: ArrayLike | None = None,
                      meas_group: ArrayLike | None = None) -> tuple[_Index, _Index]:
    """Candidate (track, measurement) index pairs whose distance is within the exact coarse bound ρᵢ (see the
    module docstring), sorted by track, then measurement. Positions (k, 3) / (n, 3), covariances (·, 3, 3), m.
    With group labels (k,) and (n,) (integers), only pairs of one group.

    Each track asks the measurement tree for its `KNN_CANDIDATES` nearest measurements (one vectorised query);
    only tracks whose farthest such neighbour is still inside their radius (crowded gates) are queried again
    for every measurement within the radius."""
    p = np.asarray(pred_pos, dtype=np.float64).reshape(-1, 3)
    zz = np.asarray(z, dtype=np.float64).reshape(-1, 3)
    k, n = p.shape[0], zz.shape[0]
    if k == 0 or n == 0:
        return np.zeros(0, np.intp), np.zeros(0, np.intp)
    size_p = _norm3(pred_pos_cov)
    size_r = _norm3(R)
    same: tuple[_Index, _Index] | None = None
    slack = 0.0
    if track_group is not None and meas_group is not None:
        tg = np.asarray(track_group, dtype=np.int64).reshape(k)
        mg = np.asarray(meas_group, dtype=np.int64).reshape(n)
        if tg.min() != tg.max() or mg.min() != mg.max() or tg[0] != mg[0]:
            # groups far apart along x, beyond any gate; the shift rounds coordinates by at most
            # GROUP_SLACK_M, which every radius gains so that no pair of one group is lost
            p, zz = p.copy(), zz.copy()
            p[:, 0] += GROUP_SPACING_M * tg
            zz[:, 0] += GROUP_SPACING_M * mg
            same = (tg, mg)
            slack = GROUP_SLACK_M
    if k * n <= BRUTE_FORCE_PAIRS:  # few pairs: all distances at once cost less than building a tree
        diff = p[:, None, :] - zz[None, :, :]
        dist2 = np.einsum("kni,kni->kn", diff, diff)
        bound = np.sqrt(gate_d2 * (size_p[:, None] + size_r[None, :])) + slack
        ti, mj = np.nonzero(dist2 <= bound * bound)  # sorted by track, then measurement
        ti, mj = ti.astype(np.intp), mj.astype(np.intp)
        return _same_group(ti, mj, same)
    top = float(np.max(size_r))
    cls = np.zeros(n, np.intp) if top <= 0.0 else np.minimum(
        np.floor(np.log(top / np.maximum(size_r, top * 1e-300)) / np.log(R_CLASS_RATIO)), R_CLASSES - 1).astype(np.intp)
    pairs_t, pairs_m = [], []
    for c in np.unique(cls).tolist():
        members = np.flatnonzero(cls == c)
        radius = np.sqrt(gate_d2 * (size_p + float(np.max(size_r[members])))) + slack
        ti, mj = pairs_within(p, radius, zz[members])
        pairs_t.append(ti)
        pairs_m.append(members[mj])
    ti, mj = np.concatenate(pairs_t), np.concatenate(pairs_m)
    order = np.lexsort((mj, ti))
    return _same_group(ti[order], mj[order], same)


def _same_group(ti: _Index, mj: _Index, groups: tuple[_Index, _Index] | None) -> tuple[_Index, _Index]:
    """The pairs whose track and measurement share a group (all of them without groups)."""
    if groups is None:
        return ti, mj
    keep = groups[0][ti] == groups[1][mj]
    return ti[keep], mj[keep]


def _norm3(C: ArrayLike) -> _Array:
    """Frobenius norms (k,) of covariances (k, 3, 3): an upper bound of their largest eigenvalue."""
    c = np.asarray(C, dtype=np.float64).reshape(-1, 9)
    return np.sqrt(np.einsum("ki,ki->k", c, c))


def pairs_within(p: _Array, radius: _Array, zz: _Array) -> tuple[_Index, _Index]:
    """Index pairs (i, j), unsorted, with |p_i − zz_j| ≤ radius_i, for points (k, d) and (n, d): a tree over zz,
    each point asking for its `KNN_CANDIDATES` nearest and only crowded ones for all within their radius."""
    k, n = p.shape[0], zz.shape[0]
    tree = cKDTree(zz, balanced_tree=False, compact_nodes=False)
    kq = min(KNN_CANDIDATES, n)
    dist, idx = tree.query(p, k=kq, distance_upper_bound=float(np.max(radius)))
    dist, idx = dist.reshape(k, kq), idx.reshape(k, kq)
    inside = dist <= radius[:, None]
    crowded = np.flatnonzero(inside[:, -1]) if kq < n else np.zeros(0, np.intp)
    inside[crowded] = False
    ti = np.repeat(np.arange(k, dtype=np.intp), inside.sum(axis=1))
    mj = idx[inside].astype(np.intp)
    if crowded.size:
        hits = tree.query_ball_point(p[crowded], radius[crowded])
        counts = np.fromiter(map(len, hits), dtype=np.intp, count=crowded.size)
        mj_c = np.fromiter(itertools.chain.from_iterable(hits), dtype=np.intp, count=int(counts.sum()))
        ti = np.concatenate([ti, np.repeat(crowded, counts)])
        mj = np.concatenate([mj, mj_c])
    return ti, mj


def pair_mahalanobis2(pred_pos: ArrayLike, pred_pos_cov: ArrayLike, z: ArrayLike, R: ArrayLike, ti: ArrayLike,
                      mj: ArrayLike) -> _Array:
    """d² = νᵀ (Pₚᵢ + Rⱼ)⁻¹ ν, ν = zⱼ − pᵢ, for the pairs (ti[m], mj[m]) only (vectorised over pairs)."""
    ti = np.asarray(ti, dtype=np.intp)
    mj = np.asarray(mj, dtype=np.intp)
    nu = np.asarray(z, dtype=np.float64)[mj] - np.asarray(pred_pos, dtype=np.float64)[ti]
    S = np.asarray(pred_pos_cov, dtype=np.float64)[ti] + np.asarray(R, dtype=np.float64)[mj]
    return quad_form3(nu, inv_sym3(0.5 * (S + S.transpose(0, 2, 1))))


def gnn_assign(n_tracks: int, n_meas: int, ti: ArrayLike, mj: ArrayLike, cost: ArrayLike,
               missed_cost: float) -> tuple[_Index, _Index, int]:
    """Global nearest neighbour over gated pairs (ti, mj) with costs `cost`; a track may stay unassigned at
    `missed_cost`. Returns (measurement_of_track (n_tracks,), track_of_measurement (n_meas,), -1 where
    unassigned; and the number of components handed to `linear_sum_assignment`)."""
    ti = np.asarray(ti, dtype=np.intp)
    mj = np.asarray(mj, dtype=np.intp)
    cost = np.asarray(cost, dtype=np.float64)
    allowed = cost <= missed_cost  # a pair dearer than leaving its track unassigned is never chosen
    ti, mj, cost = ti[allowed], mj[allowed], cost[allowed]
    meas_of_track = np.full(n_tracks, -1, dtype=np.intp)
    track_of_meas = np.full(n_meas, -1, dtype=np.intp)
    if ti.size == 0:
        return meas_of_track, track_of_meas, 0
    # pairs whose track and measurement have no other pair are 1×1 components: assigned without a graph
    deg_t = np.bincount(ti, minlength=n_tracks)
    deg_m = np.bincount(mj, minlength=n_meas)
    lone = (deg_t[ti] == 1) & (deg_m[mj] == 1)
    meas_of_track[ti[lone]] = mj[lone]
    track_of_meas[mj[lone]] = ti[lone]
    ti, mj, cost = ti[~lone], mj[~lone], cost[~lone]
    if ti.size == 0:
        return meas_of_track, track_of_meas, 0
    n_nodes = n_tracks + n_meas
    graph = coo_matrix((np.ones(ti.size), (ti, n_tracks + mj)), shape=(n_nodes, n_nodes)).tocsr()
    _, label = connected_components(graph, directed=False)
    comp = label[ti]
    tracks_in = np.bincount(label[np.flatnonzero(deg_t)], minlength=n_nodes)
    meas_in = np.bincount(label[n_tracks + np.flatnonzero(deg_m)], minlength=n_nodes)
    # star components (one track or one measurement): the cheapest pair is optimal, no solver needed
    simple = (tracks_in[comp] == 1) | (meas_in[comp] == 1)
    s = np.flatnonzero(simple)
    order = s[np.lexsort((s, cost[s], comp[s]))]
    first = np.ones(order.size, dtype=bool)
    first[1:] = comp[order[1:]] != comp[order[:-1]]
    best = order[first]
    meas_of_track[ti[best]] = mj[best]
    track_of_meas[mj[best]] = ti[best]
    rest = np.flatnonzero(~simple)
    if rest.size == 0:
        return meas_of_track, track_of_meas, 0
    order = rest[np.argsort(comp[rest], kind="stable")]
    bounds = np.flatnonzero(np.diff(comp[order])) + 1
    groups = np.split(order, bounds)
    for group in groups:
        rows, r_inv = np.unique(ti[group], return_inverse=True)
        cols, c_inv = np.unique(mj[group], return_inverse=True)
        nr, nc = rows.size, cols.size
        matrix = np.full((nr, nc + nr), np.inf)
        matrix[r_inv, c_inv] = cost[group]
        matrix[np.arange(nr), nc + np.arange(nr)] = missed_cost
        r_sel, c_sel = linear_sum_assignment(matrix)
        real = c_sel < nc
        meas_of_track[rows[r_sel[real]]] = cols[c_sel[real]]
        track_of_meas[cols[c_sel[real]]] = rows[r_sel[real]]
    return meas_of_track, track_of_meas, len(groups)


def nearest_track(n_meas: int, ti: ArrayLike, mj: ArrayLike, d2: ArrayLike, limit_d2: float) -> _Index:
    """(n_meas,) index of the track of least d² (≤ limit_d2) among the pairs (ti, mj) of each measurement,
    -1 if none; ties go to the lower track index."""
    ti, mj, d2 = np.asarray(ti, np.intp), np.asarray(mj, np.intp), np.asarray(d2, np.float64)
    keep = np.flatnonzero(d2 <= limit_d2)
    order = keep[np.lexsort((ti[keep], d2[keep], mj[keep]))]
    first = np.ones(order.size, dtype=bool)
    first[1:] = mj[order[1:]] != mj[order[:-1]]
    out = np.full(n_meas, -1, dtype=np.intp)
    out[mj[order[first]]] = ti[order[first]]
    return out


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
        n_candidates: pairs passed by the KD-tree coarse gate.
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
    """KD-tree + χ² gating and global nearest neighbour (see the module docstring).

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
        ti, mj = kdtree_candidates(p, pc, zz, rr, self.exclusion_d2, track_group, meas_group)
        d2 = pair_mahalanobis2(p, pc, zz, rr, ti, mj)
        near_track = nearest_track(zz.shape[0], ti, mj, d2, self.exclusion_d2)
        inside = d2 <= gamma
        n_cand = int(ti.size)
        ti, mj, d2 = ti[inside], mj[inside], d2[inside]
        mot, tom, n_solved = gnn_assign(p.shape[0], zz.shape[0], ti, mj, d2, gamma)
        d2_meas = np.full(zz.shape[0], np.nan)
        hit = mot[ti] == mj
        d2_meas[mj[hit]] = d2[hit]
        gated = np.zeros(zz.shape[0], dtype=bool)
        gated[mj] = True
        return Association(measurement_of_track=_ro(mot), track_of_measurement=_ro(tom), d2=_ro(d2_meas),
                           gated=_ro(gated), near_track=_ro(near_track), n_candidates=n_cand,
                           n_gated=int(ti.size), n_solved_components=n_solved)
