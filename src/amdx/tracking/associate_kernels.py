"""Compiled kernels of one association (`association.GnnAssociator.associate`): the gates in one call (coarse
grid, d² of the candidate pairs, nearest track in the exclusion gate, the χ² gate), the layout of the components
left to the solver as cost matrices, and the per-measurement results.

Why: a bank associates once or twice per scan instant (1,471 calls in the 500-threat raid), most of them on a
few dozen to a few hundred tracks and measurements; between its compiled steps the numpy glue (contiguity
copies, index checks of inputs the kernels made themselves, masks, gathers, one small matrix per component)
cost more than the kernels. The arithmetic is the kernels' own (`gate_kernels`, `update_kernels`,
`assign_kernels`), called in the same order on the same numbers, so the results are those of the separate calls.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from amdx.jit import kernel
from amdx.tracking.gate_kernels import coarse_pairs_kernel, nearest_track_kernel
from amdx.tracking.update_kernels import pair_mahalanobis2_kernel

_Array = NDArray[np.float64]
_Index = NDArray[np.intp]
_Ids = NDArray[np.int64]


@kernel
def gated_pairs_kernel(p: _Array, cov_p: _Array, z: _Array, cov_r: _Array, gate_d2: float, exclusion_d2: float,
                       margin: float, slack_m: float, max_strips: int, max_track_cells: int, tg: _Ids,
                       mg: _Ids) -> tuple[_Index, _Index, _Array, _Index, int]:
    """The gates of one association: the coarse candidates for the exclusion gate (`coarse_pairs_kernel`), their
    d² (`pair_mahalanobis2_kernel`), the nearest track of each measurement in the exclusion gate
    (`nearest_track_kernel`), and the pairs inside the χ² gate d² ≤ gate_d2. Returns (track (g,), measurement
    (g,), d² (g,)) of the gated pairs (by track, then measurement), the nearest track (n,) and the number of
    candidates."""
    ti, mj = coarse_pairs_kernel(p, cov_p, z, cov_r, exclusion_d2, margin, slack_m, max_strips, max_track_cells, tg,
                                 mg)
    d2 = pair_mahalanobis2_kernel(p, cov_p, z, cov_r, ti, mj)
    near = nearest_track_kernel(z.shape[0], ti, mj, d2, exclusion_d2)
    keep = 0
    for m in range(ti.shape[0]):
        if d2[m] <= gate_d2:
            ti[keep], mj[keep], d2[keep] = ti[m], mj[m], d2[m]
            keep += 1
    return ti[:keep].copy(), mj[:keep].copy(), d2[:keep].copy(), near, ti.shape[0]


@kernel
def component_matrices_kernel(pair_bounds: _Index, row_bounds: _Index, col_bounds: _Index, row_of: _Index,
                              col_of: _Index, cost: _Array, missed_cost: float) -> tuple[_Array, _Index]:
    """The cost matrix of each component left to the solver, all in one flat buffer: component c's is
    (nr, nc + nr) (its tracks by its measurements, then one non-assignment column per track: missed_cost on the
    diagonal, inf elsewhere), row-major, from offset[c]. Returns (buffer, offsets (c + 1,))."""
    n_comp = pair_bounds.shape[0] - 1
    offsets = np.empty(n_comp + 1, np.intp)
    offsets[0] = 0
    for c in range(n_comp):
        nr = row_bounds[c + 1] - row_bounds[c]
        nc = col_bounds[c + 1] - col_bounds[c]
        offsets[c + 1] = offsets[c] + nr * (nc + nr)
    buf = np.full(offsets[n_comp], np.inf)
    for c in range(n_comp):
        nr = row_bounds[c + 1] - row_bounds[c]
        width = col_bounds[c + 1] - col_bounds[c] + nr
        base = offsets[c]
        for q in range(pair_bounds[c], pair_bounds[c + 1]):
            buf[base + row_of[q] * width + col_of[q]] = cost[q]
        for r in range(nr):
            buf[base + r * width + width - nr + r] = missed_cost
    return buf, offsets


@kernel
def measurement_results_kernel(n_meas: int, meas_of_track: _Index, ti: _Index, mj: _Index,
                               d2: _Array) -> tuple[_Array, NDArray[np.bool_]]:
    """(d² of each measurement's assigned pair, NaN if unassigned; whether each lies in some track's χ² gate)
    from the gated pairs (ti, mj, d2) and the assignment."""
    d2_meas = np.full(n_meas, np.nan)
    gated = np.zeros(n_meas, np.bool_)
    for m in range(ti.shape[0]):
        gated[mj[m]] = True
        if meas_of_track[ti[m]] == mj[m]:
            d2_meas[mj[m]] = d2[m]
    return d2_meas, gated
