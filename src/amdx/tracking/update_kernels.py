"""Compiled kernels of the position update (`amdx.tracking.filters`) and of the squared Mahalanobis distances of
candidate pairs (`amdx.tracking.association`): one loop over tracks (or pairs), each 3×3 block product in scalar
loops (the updates by chunks of `motion_kernels.CHUNK` tracks, the track index last in every scratch array, which
the compiler runs in SIMD lanes, each lane one track's operations in the formulas' order), instead of a few
dozen numpy operations on stacks of 3×3 blocks.

Why: a scan instant updates a few hundred tracks and gates a few thousand candidate pairs; the numpy form spent
most of its time in per-call overhead and temporaries. The formulas are those of `filters.ekf_update` and
`association.pair_mahalanobis2` (H = [I₃ 0]: every product is 3×3); sums of products run in index order.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from amdx.jit import kernel
from amdx.tracking.motion_kernels import CHUNK, from_chunk, to_chunk

_Array = NDArray[np.float64]
_Index = NDArray[np.intp]


@kernel
def _sym_inverse3(s: _Array, out: _Array) -> None:
    """out (3, 3) = S⁻¹ of the symmetric s (3, 3) (its upper triangle is read), by the adjugate formula."""
    a, b, c = s[0, 0], s[0, 1], s[0, 2]
    d, e, f = s[1, 1], s[1, 2], s[2, 2]
    c00 = d * f - e * e
    c01 = c * e - b * f
    c02 = b * e - c * d
    inv_det = 1.0 / (a * c00 + b * c01 + c * c02)
    out[0, 0] = c00 * inv_det
    out[0, 1] = out[1, 0] = c01 * inv_det
    out[0, 2] = out[2, 0] = c02 * inv_det
    out[1, 1] = (a * f - c * c) * inv_det
    out[1, 2] = out[2, 1] = (b * c - a * e) * inv_det
    out[2, 2] = (a * d - b * b) * inv_det


@kernel
def _quad3(nu: _Array, m: _Array) -> float:
    """νᵀ M ν for ν (3,) and M (3, 3)."""
    acc = 0.0
    for i in range(3):
        for j in range(3):
            acc += nu[i] * m[i, j] * nu[j]
    return acc


@kernel
def _innovation_cov(pc: _Array, r: _Array, s: _Array) -> None:
    """s (3, 3) = the symmetrised Pₚ + R, ½ ((Pₚ + R) + (Pₚ + R)ᵀ)."""
    for i in range(3):
        for j in range(3):
            s[i, j] = 0.5 * ((pc[i, j] + r[i, j]) + (pc[j, i] + r[j, i]))


@kernel
def pair_mahalanobis2_kernel(p: _Array, pc: _Array, z: _Array, R: _Array, ti: _Index, mj: _Index) -> _Array:
    """d² = νᵀ S⁻¹ ν, ν = z[mj] − p[ti], S = the symmetrised Pₚ[ti] + R[mj], for each pair (m,)."""
    out = np.empty(ti.shape[0])
    nu = np.empty(3)
    s = np.empty((3, 3))
    s_inv = np.empty((3, 3))
    for m in range(ti.shape[0]):
        i, j = ti[m], mj[m]
        for c in range(3):
            nu[c] = z[j, c] - p[i, c]
        _innovation_cov(pc[i], R[j], s)
        _sym_inverse3(s, s_inv)
        out[m] = _quad3(nu, s_inv)
    return out


@kernel
def _update_chunk(c: int, x: _Array, P: _Array, z: _Array, R: _Array, joseph: bool, x_out: _Array, p_out: _Array,
                  nu: _Array, s: _Array, nis: _Array, w: _Array) -> None:
    """Position update of the tracks t < c of a chunk (x (6, ·), P (6, 6, ·)) with their measurements (z (3, ·),
    R (3, 3, ·)) into x_out, p_out (x⁺, P⁺), nu (ν), s (S) and nis, by the block formulas of `filters.ekf_update`
    (Joseph form or the short form), P = [[A, B], [Bᵀ, C]]. w (6, 3, 3, ·) is scratch: S⁻¹, Ka, Kb, E and two
    products."""
    s_inv, ka, kb, e, t1, t2 = w[0], w[1], w[2], w[3], w[4], w[5]
    for i in range(3):
        for t in range(c):
            nu[i, t] = z[i, t] - x[i, t]
        for j in range(3):
            for t in range(c):
                s[i, j, t] = 0.5 * ((P[i, j, t] + R[i, j, t]) + (P[j, i, t] + R[j, i, t]))
    for t in range(c):
        _sym_inverse3(s[:, :, t], s_inv[:, :, t])
    for i in range(3):  # Ka = A S⁻¹, Kb = Bᵀ S⁻¹
        for j in range(3):
            for t in range(c):
                acc_a = 0.0
                acc_b = 0.0
                for m in range(3):
                    acc_a += P[i, m, t] * s_inv[m, j, t]
                    acc_b += P[m, i + 3, t] * s_inv[m, j, t]
                ka[i, j, t] = acc_a
                kb[i, j, t] = acc_b
    for i in range(3):
        for t in range(c):
            xa = 0.0
            xb = 0.0
            for j in range(3):
                xa += ka[i, j, t] * nu[j, t]
                xb += kb[i, j, t] * nu[j, t]
            x_out[i, t] = x[i, t] + xa
            x_out[i + 3, t] = x[i + 3, t] + xb
    if joseph:
        for i in range(3):
            for j in range(3):
                for t in range(c):
                    e[i, j, t] = (1.0 if i == j else 0.0) - ka[i, j, t]
        _mm3_chunk(c, e, P, 0, 0, t1)  # E A
        for i in range(3):  # A⁺ = E A Eᵀ + (Ka R) Kaᵀ
            for j in range(3):
                for t in range(c):
                    acc = 0.0
                    for m in range(3):
                        acc += t1[i, m, t] * e[j, m, t]
                    p_out[i, j, t] = acc
        _mm3_chunk(c, ka, R, 0, 0, t1)  # t1 = Ka R, kept for B⁺
        for i in range(3):
            for j in range(3):
                for t in range(c):
                    acc = 0.0
                    for m in range(3):
                        acc += t1[i, m, t] * ka[j, m, t]
                    p_out[i, j, t] = p_out[i, j, t] + acc
        for i in range(3):  # B⁺ = E (B − A Kbᵀ) + (Ka R) Kbᵀ
            for j in range(3):
                for t in range(c):
                    acc = 0.0
                    for m in range(3):
                        acc += P[i, m, t] * kb[j, m, t]
                    t2[i, j, t] = P[i, j + 3, t] - acc
        for i in range(3):
            for j in range(3):
                for t in range(c):
                    acc_e = 0.0
                    acc_k = 0.0
                    for m in range(3):
                        acc_e += e[i, m, t] * t2[m, j, t]
                        acc_k += t1[i, m, t] * kb[j, m, t]
                    p_out[i, j + 3, t] = acc_e + acc_k
        _mm3_chunk(c, kb, P, 0, 3, t1)  # Kb B
        _mm3_chunk(c, kb, s, 0, 0, t2)  # Kb S
        for i in range(3):  # C⁺ = C − Kb B − (Kb B)ᵀ + (Kb S) Kbᵀ
            for j in range(3):
                for t in range(c):
                    acc = 0.0
                    for m in range(3):
                        acc += t2[i, m, t] * kb[j, m, t]
                    p_out[i + 3, j + 3, t] = P[i + 3, j + 3, t] - t1[i, j, t] - t1[j, i, t] + acc
    else:
        _mm3_chunk(c, ka, P, 0, 0, t1)  # Ka A
        _mm3_chunk(c, ka, P, 0, 3, t2)  # Ka B
        _mm3_chunk(c, kb, P, 0, 3, e)  # Kb B
        for i in range(3):
            for j in range(3):
                for t in range(c):
                    p_out[i, j, t] = P[i, j, t] - t1[i, j, t]
                    p_out[i, j + 3, t] = P[i, j + 3, t] - t2[i, j, t]
                    p_out[i + 3, j + 3, t] = P[i + 3, j + 3, t] - e[i, j, t]
    for i in range(3):
        for j in range(3):
            for t in range(c):
                p_out[i + 3, j, t] = p_out[j, i + 3, t]
    for lo in (0, 3):  # symmetrise the diagonal blocks
        for i in range(3):
            for j in range(i):
                for t in range(c):
                    p_out[lo + i, lo + j, t] = p_out[lo + j, lo + i, t] = 0.5 * (p_out[lo + i, lo + j, t]
                                                                               + p_out[lo + j, lo + i, t])
    for t in range(c):  # NIS = νᵀ S⁻¹ ν
        nis[t] = _quad3(nu[:, t], s_inv[:, :, t])


@kernel
def _mm3_chunk(c: int, a: _Array, b: _Array, row0: int, col0: int, out: _Array) -> None:
    """out[:, :, t] (3, 3) = a[:, :, t] times the 3×3 block of b[:, :, t] at (row0, col0), for the tracks t < c of
    a chunk."""
    for i in range(3):
        for j in range(3):
            for t in range(c):
                acc = 0.0
                for m in range(3):
                    acc += a[i, m, t] * b[row0 + m, col0 + j, t]
                out[i, j, t] = acc


@kernel
def _update_pairs(x: _Array, P: _Array, rows: _Index, z: _Array, R: _Array, meas: _Index, joseph: bool,
                  in_place: bool) -> tuple[_Array, _Array, _Array, _Array, _Array]:
    """Position update of each track rows[t] (x (N, 6), P (N, 6, 6)) with measurement meas[t] (z (n, 3),
    R (n, 3, 3)), by chunks (`_update_chunk`): written back into x, P when in_place, else returned as
    (x⁺ (k, 6), P⁺ (k, 6, 6)) with (ν (k, 3), S (k, 3, 3)) and NIS (k,) — (ν, S, NIS) only when not in place."""
    k = rows.shape[0]
    kk = 0 if in_place else k
    x_res, p_res = np.empty((kk, 6)), np.empty((kk, 6, 6))
    nu_res, s_res, nis_res = np.empty((kk, 3)), np.empty((kk, 3, 3)), np.empty(kk)
    xc, pc, zc, rc = np.empty((6, CHUNK)), np.empty((6, 6, CHUNK)), np.empty((3, CHUNK)), np.empty((3, 3, CHUNK))
    xo, po, nu, s, nis = (np.empty((6, CHUNK)), np.empty((6, 6, CHUNK)), np.empty((3, CHUNK)),
                          np.empty((3, 3, CHUNK)), np.empty(CHUNK))
    w = np.empty((6, 3, 3, CHUNK))
    for start in range(0, k, CHUNK):
        c = min(CHUNK, k - start)
        for t in range(c):
            to_chunk(x, P, rows[start + t], xc, pc, t)
            to_chunk(z, R, meas[start + t], zc, rc, t)
        _update_chunk(c, xc, pc, zc, rc, joseph, xo, po, nu, s, nis, w)
        for t in range(c):
            if in_place:
                from_chunk(xo, po, t, x, P, rows[start + t])
            else:
                from_chunk(xo, po, t, x_res, p_res, start + t)
                from_chunk(nu, s, t, nu_res, s_res, start + t)
                nis_res[start + t] = nis[t]
    return x_res, p_res, nu_res, s_res, nis_res


@kernel
def kalman_update_kernel(x: _Array, P: _Array, z: _Array, R: _Array,
                         joseph: bool) -> tuple[_Array, _Array, _Array, _Array, _Array]:
    """Position update of each track (x (k, 6), P (k, 6, 6)) with its measurement (z (k, 3), R (k, 3, 3)):
    (x⁺, P⁺, ν, S, NIS) by the block formulas of `filters.ekf_update` (Joseph form or the short form)."""
    pairs = np.arange(x.shape[0])
    return _update_pairs(x, P, pairs, z, R, pairs, joseph, False)


@kernel
def update_rows_kernel(x: _Array, P: _Array, rows: _Index, z: _Array, R: _Array, meas: _Index,
                       joseph: bool) -> None:
    """Track rows[m] (x (N, 6), P (N, 6, 6)) updated in place with measurement meas[m] (z (n, 3), R (n, 3, 3)),
    as `kalman_update_kernel` updates it (rows distinct)."""
    _update_pairs(x, P, rows, z, R, meas, joseph, True)
