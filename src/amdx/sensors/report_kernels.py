"""Compiled kernel of the last step of a batched radar scan (`radar_batch.RadarNetwork.scan`): the detections'
measurements, the false alarms after them, every radar's reports in measured-azimuth order, and their ECEF
positions and covariances, in one pass.

Why: this step was some fifteen small numpy calls per scan instant (noise scaling, the azimuth wrap, the
concatenations, a lexsort, six gathers, a bincount and a cumulative sum) around `ecef_rows`, whose fixed cost
outweighed the arithmetic on a few dozen to a few thousand reports. The arithmetic is `Radar.scan`'s: z = polar
+ noise·σ (the product first), the azimuth wrapped by the floating modulo (the same remainder as `np.mod`),
reports sorted stably by radar, then azimuth, and the per-row conversion of `polar_kernels.ecef_rows`.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from amdx.jit import kernel
from amdx.sensors.polar_kernels import ecef_rows

_F64 = NDArray[np.float64]
_I64 = NDArray[np.int64]
_TWO_PI = 2.0 * math.pi


@kernel
def assemble_reports(polar: _F64, noise: _F64, dk: _I64, di: _I64, snr: _F64, rr: _F64, fk: _I64, z_fa: _F64,
                     snr_fa: _F64, rr_fa: _F64, n_radars: int, sigmas: _F64, site: _F64, rot: _F64,
                     sel: _I64) -> tuple[_I64, _I64, _F64, _F64, _F64, _F64, _I64, _F64]:
    """The reports of one batched scan: detections (true polar (d, 3), unit noise (d, 3), radar position dk,
    target di, snr, range rate) and false alarms (radar position fk, polar z_fa, snr_fa, rr_fa) of radars at
    positions 0..n_radars−1 (error sigmas (n_radars, 3); network indices sel, whose site and ENU rotation are
    site[sel[k]], rot[sel[k]]). Returns (offsets (n_radars + 1,), radar position (n,), polar (n, 3), ECEF
    (n, 3), ECEF covariance (n, 3, 3), snr (n,), truth index (n,), −1 for a false alarm, range rate (n,)), the
    reports radar by radar, each radar's by measured azimuth (stable)."""
    nd, nf = dk.shape[0], fk.shape[0]
    n = nd + nf
    z = np.empty((n, 3))
    radar_of = np.empty(n, np.int64)
    for i in range(nd):
        for c in range(3):
            z[i, c] = polar[i, c] + noise[i, c] * sigmas[dk[i], c]
        z[i, 1] = z[i, 1] % _TWO_PI
        radar_of[i] = dk[i]
    for i in range(nf):
        for c in range(3):
            z[nd + i, c] = z_fa[i, c]
        radar_of[nd + i] = fk[i]
    by_az = np.argsort(z[:, 1], kind="mergesort")
    order = by_az[np.argsort(radar_of[by_az], kind="mergesort")]
    offsets = np.zeros(n_radars + 1, np.int64)
    sensor = np.empty(n, np.int64)
    z_sorted = np.empty((n, 3))
    snr_all = np.empty(n)
    truth = np.empty(n, np.int64)
    rr_all = np.empty(n)
    sig = np.empty((n, 3))
    radar = np.empty(n, np.int64)
    for q in range(n):
        i = order[q]
        k = radar_of[i]
        sensor[q] = k
        offsets[k + 1] += 1
        for c in range(3):
            z_sorted[q, c] = z[i, c]
            sig[q, c] = sigmas[k, c]
        radar[q] = sel[k]
        if i < nd:
            snr_all[q], truth[q], rr_all[q] = snr[i], di[i], rr[i]
        else:
            snr_all[q], truth[q], rr_all[q] = snr_fa[i - nd], -1, rr_fa[i - nd]
    for k in range(n_radars):
        offsets[k + 1] += offsets[k]
    pos, cov = ecef_rows(z_sorted, sig, site, rot, radar)
    return offsets, sensor, z_sorted, pos, cov, snr_all, truth, rr_all
